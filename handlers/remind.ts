import type { Command } from '../src/commands/parse.ts';
import { type MemberContext, UserError } from '../src/commands/context.ts';
import { describeMeeting, meetingByCode } from '../src/commands/meeting-lookup.ts';
import { checkinWindow, meetingForCheckin } from '../src/meetings.ts';
import { listBranchMeetings } from '../db/meetings.ts';

/** 提醒: the secretary has the bot nudge, in the group, those of a meeting not yet checked in. */
export async function remind(ctx: MemberContext, command: Extract<Command, { kind: 'remind' }>): Promise<void> {
  const { member, settings } = ctx;
  const now = ctx.clock.now();
  const meeting = command.code
    ? await meetingByCode(ctx, command.code)
    : meetingForCheckin(
        await listBranchMeetings(ctx.db, member.org_id, member.branch_id, now - settings.checkinCloses, now + settings.checkinOpens),
        now,
        settings.checkinOpens,
        settings.checkinCloses,
      ).open;
  if (!meeting) throw new UserError('现在没有正在签到的会议；请写明会议编号，例如「提醒 K7Q」。');
  if (now < checkinWindow(meeting, settings.checkinOpens, settings.checkinCloses).opens) {
    throw new UserError(`会议 ${meeting.code} 的签到还没开始，开始后再提醒。`);
  }
  ctx.after({ kind: 'remind-now', meetingId: meeting.id, requestId: ctx.message.messageId });
  ctx.reply({ title: '已提醒', markdown: `**已在群里提醒尚未签到的同志**：${describeMeeting(ctx, meeting)}` });
}
