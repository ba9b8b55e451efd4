import { markAttendance } from '../src/chat/attendance.ts';
import { type MemberContext, UserError } from '../src/chat/context.ts';
import {
  asCommitted,
  branchMembers,
  checkinMeant,
  describeMeeting,
  expectedAt,
  expectedThere,
  meetingByCode,
  opensAt,
} from '../src/chat/meeting-lookup.ts';
import { type CommandOf, defineCommand } from '../src/chat/command.ts';
import { optionalCode } from '../src/chat/parse.ts';
import { checkinWindow, quorum } from '../src/domain/meetings.ts';
import { listAttendance } from '../db/attendance.ts';
import { SAY } from '../src/chat/replies.ts';
import type { Meeting, Member } from '../src/domain/records.ts';

export const checkinCommand = defineCommand({
  kind: 'checkin',
  words: ['签到', 'checkin'],
  usage: '签到 [会议编号]，例如：签到 或 签到 K7Q',
  refusalTitle: '签到未成功',
  action: 'own.records',
  parse: optionalCode,
  // A burst of 签到 shares its writes and its reads: the roster, and without a code the meetings meant.
  reads: { roster: true, heldRows: true, checkinMeetings: (command) => !command.code },
  handle: checkin,
});

/** 签到: one word, optional, idempotent; the meeting whose check-in window holds now, or `code`. */
async function checkin(ctx: MemberContext, command: CommandOf<'checkin', { code?: string; meetingId?: string }>): Promise<void> {
  const { member } = ctx;
  const members = await branchMembers(ctx);
  // Who else is present, and whether the sender already is: read with the meeting, before the write.
  const { meeting, present, leave } = command.code
    ? await byCode(ctx, command.code, members, command.meetingId)
    : await checkinMeant(ctx, members);
  // Present replaces a leave: the member came after all, and is told the leave no longer stands.
  const leaveWithdrawn = leave.has(member.id);
  if (!present.has(member.id)) {
    await markAttendance(ctx, meeting, member, 'present');
    present.add(member.id);
  }
  const expected = expectedAt(meeting, members);
  const presentExpected = expected.filter((m) => present.has(m.id)).length;
  const lines = [SAY.checkedIn(member.name, describeMeeting(ctx, meeting)), '', SAY.presentCount(presentExpected, expected.length)];
  if (leaveWithdrawn) lines.push('', SAY.leaveWithdrawnByCheckin);
  if (meeting.type === 'assembly') {
    const q = quorum(expected, present);
    lines.push(SAY.quorum(q.presentFormal, q.formal, q.reached));
  }
  ctx.reply({ title: '已签到', markdown: lines.join('\n') });
}

/** 签到 with a code (and, from a card, the meeting it must be): that meeting, if the sender is expected at it and its check-in is open. */
async function byCode(
  ctx: MemberContext,
  code: string,
  members: readonly Member[],
  id?: string,
): Promise<{ meeting: Meeting; present: Set<string>; leave: Set<string> }> {
  const now = ctx.clock.now();
  const found = await meetingByCode(ctx, code, id === undefined ? {} : { id });
  const rows = await listAttendance(ctx.db, found.id);
  const of = (status: string) => rows.filter((a) => a.status === status).map((a) => a.member_id);
  const [read] = await asCommitted(ctx.db, [{ meeting: found, present: of('present'), leave: of('leave') }]);
  const meeting = read!.meeting;
  if (!expectedThere(meeting, members, ctx.member.id)) throw new UserError(SAY.notExpected(meeting.code));
  const window = checkinWindow(meeting, ctx.settings.checkinOpens, ctx.settings.checkinCloses);
  if (now < window.opens) throw new UserError(SAY.checkinNotOpen(describeMeeting(ctx, meeting), opensAt(ctx, meeting, window.opens)));
  if (now > window.closes) throw new UserError(SAY.checkinClosed(meeting.code));
  return { meeting, present: new Set(read!.present), leave: new Set(read!.leave) };
}
