import type { Command } from '../src/chat/parse.ts';
import type { MemberContext } from '../src/chat/context.ts';
import { planMeetingReminders } from '../src/chat/outbox.ts';
import { branchMembers, describeMeeting } from '../src/chat/meeting-lookup.ts';
import { meetingGroup, placeMeeting } from '../src/chat/new-meeting.ts';
import { TAG_LABELS } from '../src/domain/vocabulary.ts';
import { expectedMembers } from '../src/domain/meetings.ts';
import { escapeMarkdown } from '../src/domain/markdown.ts';
import { getChannel } from '../db/channels.ts';
import { DEFAULT_BOT_NAME } from '../src/domain/channels.ts';
import { SAY } from '../src/chat/replies.ts';

/** 安排: the secretary schedules a meeting of their branch and gets its code. */
export async function schedule(ctx: MemberContext, command: Extract<Command, { kind: 'schedule' }>): Promise<void> {
  const members = await branchMembers(ctx);
  const group = meetingGroup(members, command);
  const { meeting, existed } = await placeMeeting(ctx, command, group);
  if (existed) {
    ctx.reply({ title: `会议 ${meeting.code} 已安排`, markdown: SAY.alreadyScheduled(describeMeeting(ctx, meeting)) });
    return;
  }
  await planMeetingReminders(ctx, meeting);
  const bot = escapeMarkdown((await getChannel(ctx.db, ctx.message.channelId))?.config.botName ?? DEFAULT_BOT_NAME);
  const markdown = SAY.scheduled(describeMeeting(ctx, meeting), {
    code: meeting.code,
    expected: expectedMembers(meeting, members).length,
    location: meeting.location,
    group,
    tags: command.tags.map((t) => TAG_LABELS[t]),
    bot,
  });
  ctx.reply({ title: `已安排会议 ${meeting.code}`, markdown });
}
