import type { Command } from '../src/commands/parse.ts';
import { type MemberContext, UserError } from '../src/commands/context.ts';
import { branchMembers, describeMeeting, meetingByCode, openMeetings } from '../src/commands/meeting-lookup.ts';
import { checkinWindow, isExpected } from '../src/meetings.ts';
import { escapeMarkdown } from '../src/markdown.ts';
import type { MeetingTable } from '../db/schema.ts';
import { getAttendance, putAttendance } from '../db/attendance.ts';

/** 请假: leave for an upcoming or current meeting (until its check-in closes); the nearest one without a code. */
export async function leave(ctx: MemberContext, command: Extract<Command, { kind: 'leave' }>): Promise<void> {
  const { member, db, settings } = ctx;
  const now = ctx.clock.now();
  const members = await branchMembers(ctx);
  const mine = (m: MeetingTable) => isExpected(m, members, member.id);
  const stillOpen = (m: MeetingTable) => now <= checkinWindow(m, settings.checkinOpens, settings.checkinCloses).closes;

  let meeting: MeetingTable | undefined;
  if (command.code) {
    meeting = await meetingByCode(ctx, command.code);
    if (!mine(meeting)) throw new UserError(`你不在会议 ${meeting.code} 的应到人员中，无需请假。`);
    if (!stillOpen(meeting)) throw new UserError(`会议 ${meeting.code} 已经结束，不能再请假；可以发送「补学 ${meeting.code} 学习体会」。`);
  } else {
    const candidates = await openMeetings(ctx);
    meeting = candidates.filter((m) => m.status === 'scheduled' && mine(m) && stillOpen(m))[0];
    if (!meeting) throw new UserError('近期没有需要你参加的会议。');
  }
  const existing = await getAttendance(db, meeting.id, member.id);
  if (existing?.status === 'present') throw new UserError(`你已在会议 ${meeting.code} 签到，无需请假。`);
  await putAttendance(db, { meeting_id: meeting.id, member_id: member.id, org_id: member.org_id, status: 'leave', note: command.reason, at: now, source: ctx.message.messageId }, now);
  ctx.reply({
    title: '已请假',
    markdown: `**${escapeMarkdown(member.name)} 已请假**：${describeMeeting(ctx, meeting)}\n\n事由：${escapeMarkdown(command.reason)}\n\n会后可发送「补学 ${meeting.code} 学习体会」补学。`,
  });
}
