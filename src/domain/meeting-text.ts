import type { Meeting } from './records.ts';
import { MEETING_LABELS } from './vocabulary.ts';
import { escapeMarkdown } from './markdown.ts';
import { formatLocal } from './time.ts';

/** `支部委员会会议「议题」（K7Q）12月5日（周六）14:30`, for replies and notices: no bracket inside another. */
export function meetingTitle(meeting: Pick<Meeting, 'type' | 'topic' | 'code' | 'starts_at'>, tz: string, now: number): string {
  const topic = meeting.topic ? `「${escapeMarkdown(meeting.topic)}」` : '';
  return `${MEETING_LABELS[meeting.type]}${topic}（${meeting.code}）${formatLocal(meeting.starts_at, tz, now)}`;
}
