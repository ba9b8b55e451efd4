import type { AttendanceTable, Meeting, MeetingType, MemberMoveTable, Member } from './records.ts';
import { type CalendarPeriod, periodRange, toLocal } from './time.ts';
import { CODE_ALPHABET } from './vocabulary.ts';

// 三会一课 rules as pure functions of plain values (《中国共产党支部工作条例（试行）》 practice).

/** What a meeting holds that shows it took place: members present, 纪要 written. */
export interface Evidence {
  present: number;
  notes: number;
}

export type MeetingFacts = Pick<Meeting, 'type' | 'party_group' | 'starts_at' | 'status' | 'backfilled'> & Evidence;
/**
 * A member as the meeting rules read them. `left_at`: from then on they are expected nowhere;
 * `terms`: the spans they belonged to the branch whose roster this is (rosterTerms) — a member
 * without terms always did.
 */
export type MemberFacts = Pick<Member, 'id' | 'name' | 'role' | 'party_group' | 'probationary'> & {
  left_at?: number | null;
  terms?: Term[];
};

/** A span of time [from, until) a member belonged to a branch; null ends are open. */
export interface Term {
  from: number | null;
  until: number | null;
}

/** The spans a member belonged to `branchId`, from their moves (oldest first) and current branch. */
export function rosterTerms(
  branchId: string,
  member: Pick<Member, 'branch_id'>,
  moves: Pick<MemberMoveTable, 'at' | 'from_branch' | 'to_branch'>[],
): Term[] {
  const terms: Term[] = [];
  let branch = moves[0]?.from_branch ?? member.branch_id;
  let from: number | null = null;
  for (const move of moves) {
    if (branch === branchId) terms.push({ from, until: move.at });
    branch = move.to_branch;
    from = move.at;
  }
  if (branch === branchId) terms.push({ from, until: null });
  return terms;
}

/** Whether a member belonged to the roster's branch, and had not left, at `at`. */
export function onRosterAt(member: Pick<MemberFacts, 'left_at' | 'terms'>, at: number): boolean {
  if (member.left_at != null && member.left_at <= at) return false;
  return !member.terms || member.terms.some((t) => (t.from === null || t.from <= at) && (t.until === null || at < t.until));
}

/**
 * Who is expected: of those on the roster at its start, everyone, the 支委 (secretary +
 * committee), or the named 党小组 (the whole branch if it has none).
 */
export function expectedMembers<M extends MemberFacts>(
  meeting: Pick<MeetingFacts, 'type' | 'party_group' | 'starts_at'>,
  roster: readonly M[],
): M[] {
  const members = roster.filter((m) => onRosterAt(m, meeting.starts_at));
  switch (meeting.type) {
    case 'committee':
      return members.filter((m) => m.role === 'secretary' || m.role === 'committee');
    case 'group':
      return hasGroups(members) ? members.filter((m) => m.party_group === meeting.party_group) : members;
    default:
      return members;
  }
}

const ROLE_ORDER = { secretary: 0, committee: 1, member: 2 } as const;

/** Lists of members read secretary first, then committee members, then members, each by id. */
export const byRole = (a: Pick<Member, 'role' | 'id'>, b: Pick<Member, 'role' | 'id'>) =>
  ROLE_ORDER[a.role] - ROLE_ORDER[b.role] || a.id.localeCompare(b.id);

export function hasGroups(members: Pick<MemberFacts, 'party_group'>[]): boolean {
  return members.some((m) => m.party_group);
}

/** The types a branch is due to hold: 党小组会 only where it has 党小组. */
export const typesDue = (members: Pick<MemberFacts, 'party_group'>[]): MeetingType[] =>
  hasGroups(members) ? MEETING_TYPES : MEETING_TYPES.filter((t) => t !== 'group');

export interface Quorum {
  /** Formal (non-probationary) members expected: they alone count toward the half. */
  formal: number;
  presentFormal: number;
  /** More than half of the formal members are present. */
  reached: boolean;
}

/** For a 党员大会: more than half of the formal members present (probationary members do not count). */
export function quorum(expected: readonly MemberFacts[], presentIds: ReadonlySet<string>): Quorum {
  const formal = expected.filter((m) => !m.probationary);
  const presentFormal = formal.filter((m) => presentIds.has(m.id)).length;
  return { formal: formal.length, presentFormal, reached: presentFormal * 2 > formal.length };
}

export interface Window {
  opens: number;
  closes: number;
}

export function checkinWindow(meeting: Pick<MeetingFacts, 'starts_at'>, opensBefore: number, closesAfter: number): Window {
  return { opens: meeting.starts_at - opensBefore, closes: meeting.starts_at + closesAfter };
}

/**
 * The one rule for the meeting a command without a code means, from the branch's scheduled
 * meetings around `now`: `open`, the one whose check-in window holds now (the nearest start if
 * several: 签到, 提醒, 请假); `upcoming`, the next one whose window has not opened (请假 when none is
 * open, and the "not yet open" answer of 签到); `latest`, the last one that has started, else the
 * last whose window has opened (出勤: a meeting under way is what is asked about, not the next one
 * whose check-in has just opened).
 */
export function meetingsAround<T extends Pick<MeetingFacts, 'starts_at' | 'status'>>(
  meetings: T[],
  now: number,
  opensBefore: number,
  closesAfter: number,
): { open?: T; upcoming?: T; latest?: T } {
  const live = meetings.filter((m) => m.status === 'scheduled').sort((a, b) => a.starts_at - b.starts_at);
  const opened = live.filter((m) => checkinWindow(m, opensBefore, closesAfter).opens <= now);
  const byDistance = (a: T, b: T) => Math.abs(a.starts_at - now) - Math.abs(b.starts_at - now);
  const open = opened.filter((m) => now <= checkinWindow(m, opensBefore, closesAfter).closes).sort(byDistance)[0];
  const upcoming = live.find((m) => checkinWindow(m, opensBefore, closesAfter).opens > now);
  const latest = opened.filter((m) => m.starts_at <= now).at(-1) ?? opened.at(-1);
  return { ...(open ? { open } : {}), ...(upcoming ? { upcoming } : {}), ...(latest ? { latest } : {}) };
}

/**
 * The meetings that await a member's 补学, given her own attendance rows: held, check-in closed, she
 * was not present and has not made it up.
 */
export function awaitingMakeup<M extends MeetingFacts & { id: string }>(
  meetings: readonly M[],
  own: readonly Pick<AttendanceTable, 'meeting_id' | 'status' | 'makeup_at'>[],
  now: number,
  checkinCloses: number,
): M[] {
  const rows = new Map(own.map((a) => [a.meeting_id, a]));
  return meetings.filter((m) => {
    const row = rows.get(m.id);
    const closed = now > checkinWindow(m, 0, checkinCloses).closes;
    return closed && meetingState(m, now, checkinCloses) === 'held' && row?.status !== 'present' && row?.makeup_at == null;
  });
}

/** Started and neither cancelled nor called off after its start. */
const started = (m: Pick<MeetingFacts, 'status' | 'starts_at'>, now: number) => m.status === 'scheduled' && m.starts_at <= now;

/**
 * Held: started, with someone present or a 纪要, or entered afterwards as held (补录). Only held
 * meetings count as done (统计, compliance, digests).
 */
export const isHeld = (m: MeetingFacts, now: number) => started(m, now) && (m.backfilled || m.present > 0 || m.notes > 0);

/** The status a meeting is shown with. */
export type MeetingState = 'scheduled' | 'held' | 'not_held' | 'cancelled';

/**
 * `scheduled` until it is held or its check-in closes with nobody present and no 纪要 (`not_held`);
 * as stored when the secretary cancelled it (`cancelled` before the start, `not_held` after).
 */
export function meetingState(m: MeetingFacts, now: number, checkinCloses: number): MeetingState {
  if (m.status !== 'scheduled') return m.status;
  if (isHeld(m, now)) return 'held';
  return m.starts_at + checkinCloses < now ? 'not_held' : 'scheduled';
}

/**
 * The earliest start a 补录 may give: the first day of the previous quarter. Older meetings belong
 * to quarters already reported and closed.
 */
export function backfillFrom(now: number, tz: string): number {
  return periodRange('quarter', periodRange('quarter', now, tz).from - 1, tz).from;
}

/** `（含补录1）` after a count of held meetings some of which were entered afterwards; nothing else. */
export const backfilledNote = (backfilled: number): string => (backfilled ? `（含补录${backfilled}）` : '');

/** `2/3`, or `2（含补录1）/3` when some of those held were entered afterwards. */
export const heldOfDue = (p: Pick<TypeProgress, 'held' | 'backfilled' | 'due'>): string =>
  `${p.held}${backfilledNote(p.backfilled)}/${p.due}`;

export const STATE_LABELS: Record<MeetingState, string> = { scheduled: '已安排', held: '已召开', not_held: '未召开', cancelled: '已取消' };

/** The state as lists and files show it, with the mark of a meeting entered afterwards: `已召开（补录）`. */
export const stateText = (m: Pick<Meeting, 'backfilled'>, state: MeetingState): string =>
  `${STATE_LABELS[state]}${m.backfilled ? '（补录）' : ''}`;

export const MEETING_TYPES: MeetingType[] = ['assembly', 'committee', 'group', 'lecture', 'theme_day', 'life'];

export type Cadence = 'month' | 'quarter' | 'year';

/** How often each type is due: monthly, at least once a quarter, or once a year (组织生活会). */
export const CADENCE: Record<MeetingType, Cadence> = {
  assembly: 'quarter',
  committee: 'month',
  group: 'month',
  lecture: 'quarter',
  theme_day: 'month',
  life: 'year',
};

const SPAN: Record<CalendarPeriod, number> = { month: 1, quarter: 3, year: 12 };

export interface TypeProgress {
  type: MeetingType;
  held: number;
  /** Of those held, how many were entered afterwards (补录): every count that includes them says so. */
  backfilled: number;
  due: number;
  /** The range counted: a quarterly type asked about a month is counted over its quarter. */
  range: CalendarPeriod;
}

/**
 * 三会一课 held against due for a period, per type. Due counts the months (or quarters) of the
 * period begun by `now`; a type due less often than the period is asked about is counted over its
 * own (a quarterly type asked about a month, over the quarter; 组织生活会, over the year). The
 * statistics of a past period are asked as of its last moment.
 */
export function progress(
  meetings: MeetingFacts[],
  period: CalendarPeriod,
  now: number,
  tz: string,
  types: MeetingType[] = MEETING_TYPES,
): TypeProgress[] {
  return types.map((type) => {
    const cadence = CADENCE[type];
    const range: CalendarPeriod = SPAN[cadence] > SPAN[period] ? cadence : period;
    const { from, to } = periodRange(range, now, tz);
    const held = meetings.filter((m) => m.type === type && isHeld(m, now) && m.starts_at >= from && m.starts_at < to);
    const backfilled = held.filter((m) => m.backfilled).length;
    return { type, held: held.length, backfilled, due: periodsBegun(cadence, range, now, tz), range };
  });
}

/** Where a type stands against what is due: done, not yet done with time left, or overdue. */
export type TypeStatus = 'done' | 'pending' | 'overdue';

/** The words for a type's status, the same in 统计, the digest and the console. */
export const TYPE_STATUS_LABELS: Record<TypeStatus, string> = { done: '已完成', pending: '进行中', overdue: '已逾期' };

/**
 * As of `asOf` (the last moment of a period asked about once it is over): overdue with fewer held
 * than the months (quarters, years) of the range already ended, or, for a quarterly or yearly type,
 * not yet held for the current quarter (year) with two weeks or less of it left.
 */
export function typeStatus(p: Pick<TypeProgress, 'type' | 'held' | 'due'>, asOf: number, tz: string): TypeStatus {
  if (p.held >= p.due) return 'done';
  const cadence = CADENCE[p.type];
  const left = periodRange(cadence, asOf, tz).to - 1 - asOf;
  const ended = left <= 0 ? p.due : p.due - 1;
  if (p.held < ended) return 'overdue';
  return cadence !== 'month' && left <= 14 * 86_400_000 ? 'overdue' : 'pending';
}

/** How many months, quarters or years of the range have begun by `now` (the current one included). */
function periodsBegun(cadence: Cadence, range: CalendarPeriod, now: number, tz: string): number {
  const monthOfRange = (toLocal(now, tz).month - 1) % SPAN[range];
  return Math.floor(monthOfRange / SPAN[cadence]) + 1;
}

/** A fresh meeting code not in `taken`; `random` returns integers in [0, n). */
export function newMeetingCode(taken: ReadonlySet<string>, random: (n: number) => number): string {
  for (let i = 0; i < 100; i++) {
    const code = Array.from({ length: 3 }, () => CODE_ALPHABET[random(CODE_ALPHABET.length)]).join('');
    if (!taken.has(code)) return code;
  }
  throw new Error('no free meeting code after 100 tries');
}

/**
 * Attendance of one meeting by outcome, for every list the service shows (出勤, the record, the
 * digest, the nudge): who was expected, present, on leave (with the reason), absent — only once a
 * meeting that was not called off has started; until then they are `notYetIn` — and who did 补学.
 */
export function meetingAttendance<M extends MemberFacts>(
  meeting: Pick<Meeting, 'type' | 'party_group' | 'starts_at' | 'status'>,
  members: readonly M[],
  rows: Pick<AttendanceTable, 'member_id' | 'status' | 'note' | 'makeup_at'>[],
  now: number,
) {
  const expected = expectedMembers(meeting, members);
  const byMember = new Map(rows.map((r) => [r.member_id, r]));
  const present = expected.filter((m) => byMember.get(m.id)?.status === 'present');
  const leave = expected
    .filter((m) => byMember.get(m.id)?.status === 'leave')
    .map((m) => ({ member: m, reason: byMember.get(m.id)!.note }));
  const missing = expected.filter((m) => !byMember.has(m.id) || byMember.get(m.id)!.status === 'absent');
  const makeup = expected.filter((m) => byMember.get(m.id)?.makeup_at != null);
  const begun = started(meeting, now);
  return {
    expected,
    present,
    leave,
    absent: begun ? missing : [],
    notYetIn: begun || meeting.status !== 'scheduled' ? [] : missing,
    makeup,
  };
}
