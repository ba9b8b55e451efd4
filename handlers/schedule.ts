import { defineCommand } from '../src/chat/command.ts';
import { meetingFields } from '../src/chat/parse.ts';
import { MEETING_WORD_LIST, TAG_LABELS } from '../src/domain/vocabulary.ts';
import type { MemberContext } from '../src/chat/context.ts';
import { planMeetingReminders } from '../src/chat/outbox.ts';
import { branchMembers, describeMeeting } from '../src/chat/meeting-lookup.ts';
import { type MeetingCommand, meetingGroup, placeMeeting } from '../src/chat/new-meeting.ts';
import { expectedMembers } from '../src/domain/meetings.ts';
import { escapeMarkdown } from '../src/domain/markdown.ts';
import { getChannel } from '../db/channels.ts';
import { DEFAULT_BOT_NAME } from '../src/domain/channels.ts';
import { SAY } from '../src/chat/replies.ts';

export const scheduleCommand = defineCommand({
  kind: 'schedule',
  words: ['安排', 'schedule'],
  usage: `安排 会议类型 时间 [地点 X] [议题 Y] [小组 Z] [#同研究 …]（类型：${MEETING_WORD_LIST}），例如：安排 支委会 明天下午3点 地点 三楼会议室 议题 研究年度工作 #同研究`,
  refusalTitle: '会议未安排',
  action: 'branch.meetings',
  parse: (rest, env) => meetingFields(rest, env, 'ahead'),
  reads: { roster: true },
  handle: schedule,
});

/** 安排: the secretary schedules a meeting of their branch and gets its code. */
async function schedule(ctx: MemberContext, command: MeetingCommand): Promise<void> {
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
