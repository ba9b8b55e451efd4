import { type CommandOf, defineCommand } from '../src/chat/command.ts';
import { chars, dropEndPunctuation, leadingCode, read, refuse } from '../src/chat/parse.ts';
import type { MemberContext } from '../src/chat/context.ts';
import { planMeetingReminders } from '../src/chat/outbox.ts';
import { describeMeeting, meetingByCode } from '../src/chat/meeting-lookup.ts';
import { updateMeeting } from '../db/meetings.ts';
import { SAY } from '../src/chat/replies.ts';

const REASON_MAX_CHARS = 200;

export const cancelCommand = defineCommand({
  kind: 'cancel',
  words: ['取消', 'cancel'],
  usage: '取消 会议编号 [原因]（会议开始后取消，记为未召开），例如：取消 K7Q',
  refusalTitle: '会议未取消',
  action: 'branch.meetings',
  parse(rest) {
    const head = leadingCode(rest, '请写明会议编号。');
    if ('reason' in head) return refuse(head.reason);
    const reason = dropEndPunctuation(head.rest);
    if (chars(reason) > REASON_MAX_CHARS) return refuse(`原因太长：最多 ${REASON_MAX_CHARS} 个字。`);
    return read(reason ? { code: head.code, reason } : { code: head.code });
  },
  handle: cancel,
});

/**
 * 取消: before its start a meeting is cancelled; after it, it is marked not held, with
 * the reason given kept for its record, and counts as held nowhere.
 */
async function cancel(ctx: MemberContext, command: CommandOf<'cancel', { code: string; reason?: string }>): Promise<void> {
  const meeting = await meetingByCode(ctx, command.code);
  const now = ctx.clock.now();
  const status = meeting.starts_at <= now ? 'not_held' : 'cancelled';
  await updateMeeting(ctx.db, meeting.id, { status, status_note: command.reason ?? null }, now);
  await planMeetingReminders(ctx, { ...meeting, status });
  if (status === 'cancelled') {
    ctx.reply({ title: `会议 ${meeting.code} 已取消`, markdown: SAY.cancelledNow(describeMeeting(ctx, meeting)) });
    return;
  }
  ctx.reply({ title: `会议 ${meeting.code} 记为未召开`, markdown: SAY.calledOffNow(describeMeeting(ctx, meeting), command.reason) });
}
