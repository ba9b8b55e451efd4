import { markAttendance } from '../src/chat/attendance.ts';
import { type MemberContext, UserError } from '../src/chat/context.ts';
import { branchMembers, describeMeeting, expectedThere, meetingByCode, meetingMeant } from '../src/chat/meeting-lookup.ts';
import type { Command } from '../src/chat/parse.ts';
import { checkinWindow } from '../src/domain/meetings.ts';
import { getAttendance } from '../db/attendance.ts';
import { SAY } from '../src/chat/replies.ts';

/** 请假: leave for an upcoming or current meeting (until its check-in closes); the nearest one without a code. */
export async function leave(ctx: MemberContext, command: Extract<Command, { kind: 'leave' }>): Promise<void> {
  const { member, db, settings } = ctx;
  const now = ctx.clock.now();
  const members = await branchMembers(ctx);
  const meeting = await (command.code ? meetingByCode(ctx, command.code) : meetingMeant(ctx, 'leave', members));
  if (command.code) {
    if (!expectedThere(meeting, members, member.id)) throw new UserError(SAY.notExpected(meeting.code, '，无需请假'));
    if (now > checkinWindow(meeting, settings.checkinOpens, settings.checkinCloses).closes) {
      throw new UserError(SAY.leaveTooLate(meeting.code));
    }
  }
  const existing = await getAttendance(db, meeting.id, member.id);
  if (existing?.status === 'present') throw new UserError(SAY.alreadyPresent(meeting.code));
  await markAttendance(ctx, meeting, member, 'leave', command.reason);
  ctx.reply({ title: '已请假', markdown: SAY.onLeave(member.name, describeMeeting(ctx, meeting), command.reason, meeting.code) });
}
