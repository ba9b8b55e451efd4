import type { Command } from '../src/chat/parse.ts';
import { markAttendance } from '../src/chat/attendance.ts';
import { type MemberContext, UserError } from '../src/chat/context.ts';
import { branchMembers, describeMeeting, meetingByCode, opensAt } from '../src/chat/meeting-lookup.ts';
import { checkinWindow } from '../src/domain/meetings.ts';
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
  for (const m of chosen) await markAttendance(ctx, meeting, m, command.status, leave ? SAY.registeredLeaveNote : null);
  const markdown = SAY.registered(
    !leave,
    chosen.map((m) => m.name),
    describeMeeting(ctx, meeting),
  );
  ctx.reply({ title: '已登记', markdown });
}
