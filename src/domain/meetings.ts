import type { AttendanceTable, MeetingTable, MeetingType, MemberTable } from './records.ts';
import { type CalendarPeriod, periodRange, toLocal } from './time.ts';
import { CODE_ALPHABET } from './vocabulary.ts';

// 三会一课 rules as pure functions of plain values (《中国共产党支部工作条例（试行）》 practice, SPEC §2).

export type MeetingFacts = Pick<MeetingTable, 'type' | 'party_group' | 'starts_at' | 'status'>;
export type MemberFacts = Pick<MemberTable, 'id' | 'name' | 'role' | 'party_group' | 'probationary'>;

/** Who is expected: everyone, the 支委 (secretary + committee), or the named 党小组 (the whole branch if it has none). */
export function expectedMembers<M extends MemberFacts>(meeting: Pick<MeetingFacts, 'type' | 'party_group'>, members: M[]): M[] {
  switch (meeting.type) {
    case 'committee':
      return members.filter((m) => m.role === 'secretary' || m.role === 'committee');
    case 'group':
      return hasGroups(members) ? members.filter((m) => m.party_group === meeting.party_group) : members;
    default:
      return members;
  }
}

/** Whether `memberId` is among the meeting's expected attendees. */
export function isExpected(meeting: Pick<MeetingFacts, 'type' | 'party_group'>, members: MemberFacts[], memberId: string): boolean {
  return expectedMembers(meeting, members).some((m) => m.id === memberId);
}

export function hasGroups(members: MemberFacts[]): boolean {
  return members.some((m) => m.party_group);
}

export interface Quorum {
  /** Formal (non-probationary) members expected: they alone count toward the half. */
  formal: number;
  presentFormal: number;
  /** More than half of the formal members are present. */
  reached: boolean;
}

/** For a 党员大会: more than half of the formal members present (probationary members do not count). */
export function quorum(expected: MemberFacts[], presentIds: ReadonlySet<string>): Quorum {
  const formal = expected.filter((m) => !Number(m.probationary));
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
 * open, and the "not yet open" answer of 签到); `latest`, the last one whose window has opened (出勤).
 */
export function meetingsAround<T extends MeetingFacts>(
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
  const latest = opened.at(-1);
  return { ...(open ? { open } : {}), ...(upcoming ? { upcoming } : {}), ...(latest ? { latest } : {}) };
}

/** A meeting has been held once it started and was not cancelled. */
export const isHeld = (m: MeetingFacts, now: number) => m.status === 'scheduled' && m.starts_at <= now;

export const MEETING_TYPES: MeetingType[] = ['assembly', 'committee', 'group', 'lecture', 'theme_day'];

/** How often each type is due: monthly, or at least once a quarter. */
export const CADENCE: Record<MeetingType, 'month' | 'quarter'> = {
  assembly: 'quarter',
  committee: 'month',
  group: 'month',
  lecture: 'quarter',
  theme_day: 'month',
};

export interface TypeProgress {
  type: MeetingType;
  held: number;
  due: number;
  /** The range counted: a quarterly type asked about a month is counted over its quarter. */
  range: CalendarPeriod;
}

/**
 * 三会一课 held against due for a period, per type. Due counts the months (or quarters) of the
 * period begun by `now`; a quarterly type asked about a month is counted over the quarter.
 */
export function progress(meetings: MeetingFacts[], period: CalendarPeriod, now: number, tz: string): TypeProgress[] {
  return MEETING_TYPES.map((type) => {
    const cadence = CADENCE[type];
    const range: CalendarPeriod = period === 'month' && cadence === 'quarter' ? 'quarter' : period;
    const { from, to } = periodRange(range, now, tz);
    const held = meetings.filter((m) => m.type === type && isHeld(m, now) && m.starts_at >= from && m.starts_at < to).length;
    return { type, held, due: periodsBegun(cadence, range, now, tz), range };
  });
}

/** How many months or quarters of the range have begun by `now` (the current one included). */
function periodsBegun(cadence: 'month' | 'quarter', range: CalendarPeriod, now: number, tz: string): number {
  const { month } = toLocal(now, tz);
  if (range === 'month') return 1;
  if (range === 'quarter') return cadence === 'month' ? ((month - 1) % 3) + 1 : 1;
  return cadence === 'month' ? month : Math.floor((month - 1) / 3) + 1;
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
 * meeting that was not cancelled has started; until then they are `pending` — and who did 补学.
 */
export function meetingAttendance<M extends MemberFacts>(
  meeting: Pick<MeetingFacts, 'type' | 'party_group' | 'starts_at' | 'status'>,
  members: M[],
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
  const held = isHeld(meeting, now);
  return { expected, present, leave, absent: held ? missing : [], pending: held || meeting.status === 'cancelled' ? [] : missing, makeup };
}
