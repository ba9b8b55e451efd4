import { defineCommand } from '../src/chat/command.ts';
import { meetingFields } from '../src/chat/parse.ts';
import { type MemberContext, UserError } from '../src/chat/context.ts';
import { branchMembers, describeMeeting } from '../src/chat/meeting-lookup.ts';
import { type MeetingCommand, meetingGroup, placeMeeting } from '../src/chat/new-meeting.ts';
import { auditChat } from '../src/chat/trail.ts';
import { backfillFrom, expectedMembers } from '../src/domain/meetings.ts';
import { isoWithOffset, quarterName, toLocal } from '../src/domain/time.ts';
import { SAY } from '../src/chat/replies.ts';

export const backfillCommand = defineCommand({
  kind: 'backfill',
  words: ['补录', 'backfill'],
  usage: `补录 会议类型 召开时间 [地点 X] [议题 Y] [小组 Z]（记下没有用机器人召开的会议，限本季度和上季度；再用「登记」记到会），例如：补录 支委会 11月20日 15:00 议题 研究发展党员工作`,
  refusalTitle: '会议未补录',
  action: 'branch.backfill',
  parse: (rest, env) => meetingFields(rest, env, 'past'),
  reads: { roster: true },
  handle: backfill,
});

/**
 * 补录: the secretary enters a meeting held without the bot, as held, marked 补录 with who entered it
 * and when; attendance then goes in with 登记. No reminder or nudge is sent for it.
 */
async function backfill(ctx: MemberContext, command: MeetingCommand): Promise<void> {
  const tz = ctx.org.timezone;
  const from = backfillFrom(ctx.clock.now(), tz);
  if (command.at < from) {
    const first = toLocal(from, tz);
    throw new UserError(SAY.backfillTooOld(quarterName(first.year, first.month)));
  }
  const members = await branchMembers(ctx);
  const group = meetingGroup(members, command);
  const { meeting, existed } = await placeMeeting(ctx, command, group);
  if (existed) {
    ctx.reply({ title: `会议 ${meeting.code} 已有记录`, markdown: SAY.alreadyRecorded(describeMeeting(ctx, meeting), meeting.code) });
    return;
  }
  await auditChat(ctx, 'branch.backfill', `meeting:${meeting.id}`, {
    code: meeting.code,
    type: meeting.type,
    startsAt: isoWithOffset(meeting.starts_at, tz),
  });
  const markdown = SAY.backfilled(describeMeeting(ctx, meeting), meeting.code, expectedMembers(meeting, members).length);
  ctx.reply({ title: `已补录会议 ${meeting.code}`, markdown });
}
