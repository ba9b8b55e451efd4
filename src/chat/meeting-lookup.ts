import {
  type MeetingWithEvidence,
  lockMeetings,
  type MeetingPresent,
  getMeetingByCode,
  listBranchMeetings,
  listBranchMeetingsPresent,
  listBranchesMeetingsPresent,
  withHeldMarks,
} from '../../db/meetings.ts';
import type { Db } from '../../db/schema.ts';
import type { RosterMember } from '../../db/members.ts';
import { meetingTitle } from '../domain/meeting-text.ts';
import { type MemberFacts, awaitingMakeup, checkinWindow, expectedMembers, meetingsAround } from '../domain/meetings.ts';
import { listAttendanceOf } from '../../db/attendance.ts';
import type { Meeting, Member } from '../domain/records.ts';
import { formatNear } from '../domain/time.ts';
import { type BatchHint, type BatchReads, type MemberContext, type Settings, UserError } from './context.ts';
import { SAY } from './replies.ts';
import { branchesByOrg, isKept } from './roster-cache.ts';
import { DAY_MS } from '../core/duration.ts';

/**
 * A meeting of the sender's own branch by code. Codes are looked up inside the sender's org and
 * branch only, so another org's (or branch's) code is simply not found.
 */
export async function meetingByCode(
  ctx: MemberContext,
  code: string,
  opts: { allowCancelled?: boolean; id?: string } = {},
): Promise<MeetingWithEvidence> {
  const meeting = await getMeetingByCode(ctx.db, ctx.member.org_id, ctx.member.branch_id, code);
  if (!meeting) throw new UserError(SAY.unknownCode(code));
  // A card names its meeting: a code given to a newer meeting since is not the card's.
  if (opts.id !== undefined && meeting.id !== opts.id) throw new UserError(SAY.cardOutdated(code));
  if (meeting.status !== 'scheduled' && !opts.allowCancelled)
    throw new UserError(meeting.status === 'cancelled' ? SAY.cancelled(code) : SAY.calledOff(code));
  return meeting;
}

/**
 * The sender's branch over time (its roster: expectedMembers reads who belonged to it at a
 * meeting's start), secretary first, then committee members, then members (lists read in that
 * order): the roster cache's copy, shared by the commands that read it.
 */
export function branchMembers(ctx: MemberContext): Promise<readonly RosterMember[]> {
  return ctx.roster.branch(ctx.db, ctx.member.org_id, ctx.member.branch_id);
}

/**
 * Who is expected at each meeting, by roster: only for rosters the cache keeps (roster-cache.ts
 * `isKept`), which never change, so that what was worked out stays true while the roster is kept
 * and goes with it. Any other roster (a test's, one read apart) is worked out at each call.
 */
const expectedByRoster = new WeakMap<readonly MemberFacts[], Map<string, readonly MemberFacts[]>>();

/**
 * expectedMembers, worked out once for a roster kept by the cache and a meeting's type, group and
 * start, not for every command that asks (a burst of 签到: 50 at one meeting).
 */
export function expectedAt<M extends MemberFacts>(
  meeting: Pick<Meeting, 'type' | 'party_group' | 'starts_at'>,
  roster: readonly M[],
): readonly M[] {
  if (!isKept(roster)) return expectedMembers(meeting, roster);
  let byMeeting = expectedByRoster.get(roster);
  if (!byMeeting) {
    byMeeting = new Map();
    expectedByRoster.set(roster, byMeeting);
  }
  const key = `${meeting.type}\n${meeting.party_group}\n${meeting.starts_at}`;
  let expected = byMeeting.get(key);
  if (!expected) {
    expected = Object.freeze(expectedMembers(meeting, roster));
    byMeeting.set(key, expected);
  }
  return expected as readonly M[];
}

/** Whether the member is expected at the meeting (expectedAt). */
export const expectedThere = (
  meeting: Pick<Meeting, 'type' | 'party_group' | 'starts_at'>,
  roster: readonly MemberFacts[],
  memberId: string,
) => expectedAt(meeting, roster).some((m) => m.id === memberId);

export function describeMeeting(ctx: MemberContext, meeting: Meeting): string {
  return meetingTitle(meeting, ctx.org.timezone, ctx.clock.now());
}

/** When check-in opens (or closes), said once: the time alone on the meeting's own day (its date is in the title). */
export function opensAt(ctx: MemberContext, meeting: Pick<Meeting, 'starts_at'>, opens: number): string {
  return formatNear(opens, meeting.starts_at, ctx.org.timezone, ctx.clock.now());
}

const LOOKAHEAD_MS = 60 * DAY_MS;
/** 出勤 without a code may mean a meeting of the past quarter. */
const ATTENDANCE_LOOKBACK_MS = 92 * DAY_MS;

/**
 * 补学 without a code: the meetings of the last quarter held without the sender, whose check-in has
 * closed and where they were expected, absent or on leave, and have not made up yet (earliest
 * first); and the meeting under way they are expected at, for a 补学 sent too early.
 */
export async function makeupsAwaited(
  ctx: MemberContext,
  members: readonly Member[],
): Promise<{ awaited: MeetingWithEvidence[]; underWay?: MeetingWithEvidence }> {
  const now = ctx.clock.now();
  const { checkinCloses } = ctx.settings;
  const meetings = (
    await listBranchMeetings(ctx.db, ctx.member.org_id, ctx.member.branch_id, now - ATTENDANCE_LOOKBACK_MS, now + 1)
  ).filter((m) => m.status === 'scheduled' && expectedThere(m, members, ctx.member.id));
  const own = (
    await listAttendanceOf(
      ctx.db,
      meetings.map((m) => m.id),
    )
  ).filter((a) => a.member_id === ctx.member.id);
  const awaited = awaitingMakeup(meetings, own, now, checkinCloses);
  const underWay = meetings.find((m) => m.starts_at <= now && now <= checkinWindow(m, 0, checkinCloses).closes);
  return underWay ? { awaited, underWay } : { awaited };
}

/** Commands whose code may be left out. */
export type BareCommand = 'checkin' | 'leave' | 'attendance' | 'remind';

/**
 * The meeting a command without a code means, by the one rule of `meetingsAround`: 签到 and 提醒 the
 * meeting whose check-in is open; 请假 that one, else the next; 出勤 the latest that has started
 * (else the latest whose check-in has opened), else the next. 签到 and 请假 look only at meetings the sender is expected at among `members`.
 */
export async function meetingMeant(
  ctx: MemberContext,
  command: BareCommand,
  members: readonly Member[] = [],
): Promise<MeetingWithEvidence> {
  const now = ctx.clock.now();
  const lookback = command === 'attendance' ? ATTENDANCE_LOOKBACK_MS : ctx.settings.checkinCloses;
  const meetings = await listBranchMeetings(ctx.db, ctx.member.org_id, ctx.member.branch_id, now - lookback, now + LOOKAHEAD_MS);
  return chooseMeant(ctx, command, meetings, members);
}

/**
 * What 签到 read, as last committed and held so until its transaction ends (db/meetings.ts
 * `lockMeetings`): a 改期 committed since its snapshot shows its new time, with nobody present (it
 * voided them); one not yet committed waits for this 签到, and then voids it. The marks the
 * transaction holds back, not written yet, count as written.
 */
export async function asCommitted(db: Db, rows: readonly MeetingPresent[]): Promise<readonly MeetingPresent[]> {
  const fresh = await lockMeetings(
    db,
    rows.map((r) => r.meeting.id),
  );
  if (!fresh) return withHeldMarks(db, rows);
  const committed = rows.flatMap((row) => {
    const now = fresh.get(row.meeting.id);
    if (!now) return [];
    if (now.starts_at === row.meeting.starts_at && now.status === row.meeting.status) return [row];
    const moved = now.starts_at !== row.meeting.starts_at;
    return [{ meeting: { ...row.meeting, ...now }, present: moved ? [] : row.present, leave: row.leave }];
  });
  return withHeldMarks(db, committed);
}

/** What a command's batch read for it beforehand, by the command's own transaction instance, as db/staging.ts keys its rows. */
const readBefore = new WeakMap<Db, BatchReads>();

/**
 * Lets the reads here on `trx` take their rows from what its batch read before its commands ran:
 * given only while the transaction holds nothing else but the writes held back (db/staging.ts).
 */
export function useBatchReads(trx: Db, reads: BatchReads): void {
  readBefore.set(trx, reads);
}

/** The meetings 签到 without a code chooses from at `now`: those starting from a check-in's close ago to LOOKAHEAD_MS ahead. */
export const checkinSpan = (settings: Settings, now: number) => ({ from: now - settings.checkinCloses, to: now + LOOKAHEAD_MS });

/**
 * 签到 without a code: the meeting `meetingMeant` gives, with who is present and on leave at it
 * (counting the marks held back, not written yet), in one read (or none, when its batch read them).
 */
export async function checkinMeant(
  ctx: MemberContext,
  members: readonly Member[],
): Promise<{ meeting: Meeting; present: Set<string>; leave: Set<string> }> {
  const { org_id, branch_id } = ctx.member;
  const { from, to } = checkinSpan(ctx.settings, ctx.clock.now());
  const read = readBefore.get(ctx.db)?.meetingsPresent(org_id, branch_id, from, to);
  const rows = read
    ? withHeldMarks(ctx.db, read)
    : await asCommitted(ctx.db, await listBranchMeetingsPresent(ctx.db, org_id, branch_id, from, to));
  const meeting = chooseMeant(
    ctx,
    'checkin',
    rows.map((r) => r.meeting),
    members,
  );
  const row = rows.find((r) => r.meeting === meeting)!;
  return { meeting, present: new Set(row.present), leave: new Set(row.leave) };
}

/** How long after a batch's read its commands may still take their meetings from it: far longer than a batch runs (its budget is 50 ms). */
const BATCH_SPAN_MS = 60_000;

/**
 * The meetings of the branches that 签到 without a code will look in, read for a batch of messages in
 * one statement an org instead of one a message: a burst of 签到 comes from many branches at once.
 */
export async function readCheckinMeetings(db: Db, settings: Settings, now: number, hints: readonly BatchHint[]): Promise<BatchReads> {
  const { from } = checkinSpan(settings, now);
  const to = checkinSpan(settings, now + BATCH_SPAN_MS).to;
  const read = new Map<string, readonly MeetingPresent[]>();
  for (const [orgId, ids] of branchesByOrg(hints.filter((h) => h.checkinMeetings))) {
    const byBranch = await listBranchesMeetingsPresent(db, orgId, [...ids], from, to);
    const rows = await asCommitted(db, [...byBranch.values()].flat());
    for (const branchId of byBranch.keys())
      read.set(
        `${orgId}\n${branchId}`,
        rows
          .filter((row) => row.meeting.branch_id === branchId)
          .map((row) =>
            Object.freeze({ meeting: Object.freeze(row.meeting), present: Object.freeze(row.present), leave: Object.freeze(row.leave) }),
          ),
      );
  }
  return {
    meetingsPresent(orgId, branchId, since, until) {
      const rows = read.get(`${orgId}\n${branchId}`);
      if (!rows || since < from || until > to) return undefined;
      return rows.filter(({ meeting }) => meeting.starts_at >= since && meeting.starts_at < until);
    },
  };
}

function chooseMeant<M extends Meeting>(ctx: MemberContext, command: BareCommand, meetings: M[], members: readonly Member[]): M {
  const now = ctx.clock.now();
  const { checkinOpens, checkinCloses } = ctx.settings;
  const own = command === 'checkin' || command === 'leave';
  const candidates = own ? meetings.filter((m) => expectedThere(m, members, ctx.member.id)) : meetings;
  const { open, upcoming, latest } = meetingsAround(candidates, now, checkinOpens, checkinCloses);
  const meant = { checkin: open, remind: open, leave: open ?? upcoming, attendance: latest ?? upcoming }[command];
  if (meant) return meant;
  if (command === 'checkin' && upcoming) {
    const opens = checkinWindow(upcoming, checkinOpens, checkinCloses).opens;
    throw new UserError(SAY.checkinNotOpen(describeMeeting(ctx, upcoming), opensAt(ctx, upcoming, opens)));
  }
  throw new UserError(SAY.noMeeting[command]);
}
