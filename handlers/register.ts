import type { Command } from '../src/chat/parse.ts';
import { markAttendance } from '../src/chat/attendance.ts';
import { type MemberContext, UserError } from '../src/chat/context.ts';
import { branchMembers, describeMeeting, meetingByCode, opensAt } from '../src/chat/meeting-lookup.ts';
import { checkinWindow } from '../src/domain/meetings.ts';
import { listAttendance } from '../db/attendance.ts';
import { SAY } from '../src/chat/replies.ts';

/** 登记: the secretary records attendance for members who do not use the chat (check-in is never forced). */
export async function register(ctx: MemberContext, command: Extract<Command, { kind: 'register' }>): Promise<void> {
  const meeting = await meetingByCode(ctx, command.code);
  const { checkinOpens, checkinCloses } = ctx.settings;
  // Present is a fact of the meeting: it can be registered from the moment check-in opens, not before.
  const opens = checkinWindow(meeting, checkinOpens, checkinCloses).opens;
  if (command.status === 'present' && ctx.clock.now() < opens)
    throw new UserError(SAY.registerNotOpen(describeMeeting(ctx, meeting), opensAt(ctx, meeting, opens)));
  const members = await branchMembers(ctx);
  const unknown = command.names.filter((n) => !members.some((m) => m.name === n));
  if (unknown.length) throw new UserError(SAY.unknownNames(unknown));
  const ambiguous = command.names.filter((n) => members.filter((m) => m.name === n).length > 1);
  if (ambiguous.length) throw new UserError(SAY.sameNames(ambiguous));
  const chosen = command.names.map((n) => members.find((m) => m.name === n)!);
  const leave = command.status === 'leave';
  // Registered present over a leave withdraws it; the secretary is told whose.
  const onLeave = leave
    ? new Set<string>()
    : new Set((await listAttendance(ctx.db, meeting.id)).filter((a) => a.status === 'leave').map((a) => a.member_id));
  const withdrawn = chosen.filter((m) => onLeave.has(m.id)).map((m) => m.name);
  for (const m of chosen) await markAttendance(ctx, meeting, m, command.status, leave ? SAY.registeredLeaveNote : null);
  const markdown = SAY.registered(
    !leave,
    chosen.map((m) => m.name),
    describeMeeting(ctx, meeting),
    withdrawn,
  );
  ctx.reply({ title: '已登记', markdown });
}
