import { type Meeting, getMeetingByCode, listBranchMeetings, listBranchMeetingsPresent } from '../../db/meetings.ts';
import type { RosterMember } from '../../db/members.ts';
import { meetingTitle } from '../domain/meeting-text.ts';
import { byRole, checkinWindow, isExpected, meetingsAround } from '../domain/meetings.ts';
import type { MeetingTable, MemberTable } from '../domain/records.ts';
import { formatNear } from '../domain/time.ts';
import { type MemberContext, UserError } from './context.ts';
import { SAY } from './replies.ts';

/**
 * A meeting of the sender's own branch by code. Codes are looked up inside the sender's org and
 * branch only, so another org's (or branch's) code is simply not found.
 */
export async function meetingByCode(ctx: MemberContext, code: string, opts: { allowCancelled?: boolean } = {}): Promise<Meeting> {
  const meeting = await getMeetingByCode(ctx.db, ctx.member.org_id, ctx.member.branch_id, code);
  if (!meeting) throw new UserError(SAY.unknownCode(code));
  if (meeting.status !== 'scheduled' && !opts.allowCancelled)
    throw new UserError(meeting.status === 'cancelled' ? SAY.cancelled(code) : SAY.calledOff(code));
  return meeting;
}

/**
 * The sender's branch over time (its roster: expectedMembers reads who belonged to it at a
 * meeting's start), secretary first, then committee members, then members (lists read in that order).
 */
export async function branchMembers(ctx: MemberContext): Promise<RosterMember[]> {
  const members = await ctx.roster.branch(ctx.db, ctx.member.org_id, ctx.member.branch_id);
  return [...members].sort(byRole);
}

export function describeMeeting(ctx: MemberContext, meeting: MeetingTable): string {
  return meetingTitle(meeting, ctx.org.timezone, ctx.clock.now());
}

/** When check-in opens, said once: the time alone on the meeting's own day (its date is in the title). */
export function opensAt(ctx: MemberContext, meeting: Pick<MeetingTable, 'starts_at'>, opens: number): string {
  return formatNear(opens, meeting.starts_at, ctx.org.timezone, ctx.clock.now());
}

const DAY = 86_400_000;
const LOOKAHEAD_MS = 60 * DAY;
/** 出勤 without a code may mean a meeting of the past quarter. */
const ATTENDANCE_LOOKBACK_MS = 92 * DAY;

/** Commands whose code may be left out. */
export type BareCommand = 'checkin' | 'leave' | 'attendance' | 'remind';

/**
 * The meeting a command without a code means, by the one rule of `meetingsAround`: 签到 and 提醒 the
 * meeting whose check-in is open; 请假 that one, else the next; 出勤 the latest whose check-in has
 * opened, else the next. 签到 and 请假 look only at meetings the sender is expected at among `members`.
 */
export async function meetingMeant(ctx: MemberContext, command: BareCommand, members: MemberTable[] = []): Promise<Meeting> {
  const now = ctx.clock.now();
  const lookback = command === 'attendance' ? ATTENDANCE_LOOKBACK_MS : ctx.settings.checkinCloses;
  const meetings = await listBranchMeetings(ctx.db, ctx.member.org_id, ctx.member.branch_id, now - lookback, now + LOOKAHEAD_MS);
  return chooseMeant(ctx, command, meetings, members);
}

/** 签到 without a code: the meeting `meetingMeant` gives, with who is present at it, in one read. */
export async function checkinMeant(ctx: MemberContext, members: MemberTable[]): Promise<{ meeting: MeetingTable; present: Set<string> }> {
  const now = ctx.clock.now();
  const { org_id, branch_id } = ctx.member;
  const rows = await listBranchMeetingsPresent(ctx.db, org_id, branch_id, now - ctx.settings.checkinCloses, now + LOOKAHEAD_MS);
  const meeting = chooseMeant(
    ctx,
    'checkin',
    rows.map((r) => r.meeting),
    members,
  );
  return { meeting, present: new Set(rows.find((r) => r.meeting === meeting)!.present) };
}

function chooseMeant<M extends MeetingTable>(ctx: MemberContext, command: BareCommand, meetings: M[], members: MemberTable[]): M {
  const now = ctx.clock.now();
  const { checkinOpens, checkinCloses } = ctx.settings;
  const own = command === 'checkin' || command === 'leave';
  const candidates = own ? meetings.filter((m) => isExpected(m, members, ctx.member.id)) : meetings;
  const { open, upcoming, latest } = meetingsAround(candidates, now, checkinOpens, checkinCloses);
  const meant = { checkin: open, remind: open, leave: open ?? upcoming, attendance: latest ?? upcoming }[command];
  if (meant) return meant;
  if (command === 'checkin' && upcoming) {
    const opens = checkinWindow(upcoming, checkinOpens, checkinCloses).opens;
    throw new UserError(SAY.checkinNotOpen(describeMeeting(ctx, upcoming), opensAt(ctx, upcoming, opens)));
  }
  throw new UserError(SAY.noMeeting[command]);
}
