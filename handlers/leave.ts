import { markAttendance } from '../src/chat/attendance.ts';
import { type MemberContext, UserError } from '../src/chat/context.ts';
import { branchMembers, describeMeeting, meetingByCode, meetingMeant } from '../src/chat/meeting-lookup.ts';
import type { Command } from '../src/chat/parse.ts';
import { escapeMarkdown } from '../src/domain/markdown.ts';
import { checkinWindow, isExpected } from '../src/domain/meetings.ts';
import { getAttendance } from '../db/attendance.ts';

/** 请假: leave for an upcoming or current meeting (until its check-in closes); the nearest one without a code. */
export async function leave(ctx: MemberContext, command: Extract<Command, { kind: 'leave' }>): Promise<void> {
  const { member, db, settings } = ctx;
  const now = ctx.clock.now();
  const members = await branchMembers(ctx);
  const meeting = await (command.code ? meetingByCode(ctx, command.code) : meetingMeant(ctx, 'leave', members));
  if (command.code) {
    if (!isExpected(meeting, members, member.id)) throw new UserError(`你不在会议 ${meeting.code} 的应到人员中，无需请假。`);
    if (now > checkinWindow(meeting, settings.checkinOpens, settings.checkinCloses).closes) {
      throw new UserError(`会议 ${meeting.code} 已经结束，不能再请假；可以发送「补学 ${meeting.code} 学习体会」。`);
    }
  }
  const existing = await getAttendance(db, meeting.id, member.id);
  if (existing?.status === 'present') throw new UserError(`你已在会议 ${meeting.code} 签到，无需请假。`);
  await markAttendance(ctx, meeting, member, 'leave', command.reason);
  ctx.reply({
    title: '已请假',
    markdown: [
      `**${escapeMarkdown(member.name)} 已请假**：${describeMeeting(ctx, meeting)}`,
      `事由：${escapeMarkdown(command.reason)}`,
      `会后可发送「补学 ${meeting.code} 学习体会」补学。`,
    ].join('\n\n'),
  });
}
