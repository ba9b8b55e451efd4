import { markAttendance } from '../src/chat/attendance.ts';
import { type MemberContext, UserError } from '../src/chat/context.ts';
import { branchMembers, describeMeeting, meetingByCode, meetingMeant, opensAt } from '../src/chat/meeting-lookup.ts';
import type { Command } from '../src/chat/parse.ts';
import { checkinWindow, expectedMembers, isExpected, quorum } from '../src/domain/meetings.ts';
import { listAttendance } from '../db/attendance.ts';
import { SAY } from '../src/chat/replies.ts';

/** 签到: one word, optional, idempotent; the meeting whose check-in window holds now, or `code`. */
export async function checkin(ctx: MemberContext, command: Extract<Command, { kind: 'checkin' }>): Promise<void> {
  const { member, db, settings } = ctx;
  const now = ctx.clock.now();
  const members = await branchMembers(ctx);

  const meeting = await (command.code ? meetingByCode(ctx, command.code) : meetingMeant(ctx, 'checkin', members));
  if (command.code) {
    if (!isExpected(meeting, members, member.id)) throw new UserError(SAY.notExpected(meeting.code));
    const window = checkinWindow(meeting, settings.checkinOpens, settings.checkinCloses);
    if (now < window.opens) throw new UserError(SAY.checkinNotOpen(describeMeeting(ctx, meeting), opensAt(ctx, meeting, window.opens)));
    if (now > window.closes) throw new UserError(SAY.checkinClosed(meeting.code));
  }

  // The meeting's attendance read once, before the write: who else is present, and whether the sender already is.
  const present = new Set((await listAttendance(db, meeting.id)).filter((a) => a.status === 'present').map((a) => a.member_id));
  if (!present.has(member.id)) {
    await markAttendance(ctx, meeting, member, 'present');
    present.add(member.id);
  }
  const expected = expectedMembers(meeting, members);
  const presentExpected = expected.filter((m) => present.has(m.id)).length;
  const lines = [SAY.checkedIn(member.name, describeMeeting(ctx, meeting)), '', SAY.presentCount(presentExpected, expected.length)];
  if (meeting.type === 'assembly') {
    const q = quorum(expected, present);
    lines.push(SAY.quorum(q.presentFormal, q.formal, q.reached));
  }
  ctx.reply({ title: '已签到', markdown: lines.join('\n') });
}
