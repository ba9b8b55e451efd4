import { describe, expect, it } from 'vitest';
import type { AttendanceTable, MeetingStatus, MeetingType } from '../db/schema.ts';
import {
  type MeetingFacts,
  type MemberFacts,
  awaitingMakeup,
  expectedMembers,
  meetingAttendance,
  meetingState,
  meetingsAround,
  newMeetingCode,
  progress,
  quorum,
  rosterTerms,
  typeStatus,
  typesDue,
} from '../src/domain/meetings.ts';
import { CODE_ALPHABET } from '../src/domain/vocabulary.ts';
import { formatLocal, fromLocal, periodRange } from '../src/domain/time.ts';

const SH = 'Asia/Shanghai';
const MIN = 60_000;
const HOUR = 60 * MIN;

/** Epoch ms of a wall-clock time in Asia/Shanghai (UTC+8, no DST). */
const sh = (year: number, month: number, day: number, hour = 0, minute = 0) => Date.UTC(year, month - 1, day, hour - 8, minute);

const member = (id: string, over: Partial<MemberFacts> = {}): MemberFacts => ({
  id,
  name: id,
  role: 'member',
  party_group: null,
  probationary: false,
  ...over,
});

/** A meeting someone attended (held once it has started) unless `present` says otherwise. */
const meeting = (
  type: MeetingType,
  starts_at: number,
  status: MeetingStatus = 'scheduled',
  party_group: string | null = null,
  present = 1,
) => ({
  type,
  starts_at,
  status,
  party_group,
  backfilled: false,
  present,
  notes: 0,
});

describe('expectedMembers', () => {
  const secretary = member('s', { role: 'secretary', party_group: '第一党小组' });
  const committee = member('c', { role: 'committee', party_group: '第二党小组' });
  const m1 = member('m1', { party_group: '第一党小组' });
  const m2 = member('m2', { party_group: '第二党小组', probationary: true });
  const m3 = member('m3', { party_group: '第二党小组' });
  const branch = [secretary, committee, m1, m2, m3];

  it('支委会: the secretary and committee members only', () => {
    expect(expectedMembers({ type: 'committee', party_group: null, starts_at: 0 }, branch)).toEqual([secretary, committee]);
  });

  it('党小组会: the members of the named group', () => {
    expect(expectedMembers({ type: 'group', party_group: '第一党小组', starts_at: 0 }, branch)).toEqual([secretary, m1]);
    expect(expectedMembers({ type: 'group', party_group: '第二党小组', starts_at: 0 }, branch)).toEqual([committee, m2, m3]);
    expect(expectedMembers({ type: 'group', party_group: '第三党小组', starts_at: 0 }, branch)).toEqual([]);
  });

  it('党小组会: the whole branch when no member has a group', () => {
    const ungrouped = branch.map((m) => ({ ...m, party_group: null }));
    expect(expectedMembers({ type: 'group', party_group: null, starts_at: 0 }, ungrouped)).toEqual(ungrouped);
    expect(
      expectedMembers(
        { type: 'group', party_group: '', starts_at: 0 },
        ungrouped.map((m) => ({ ...m, party_group: '' })),
      ),
    ).toHaveLength(5);
  });

  it.each(['assembly', 'lecture', 'theme_day'] as const)('%s: the whole branch, groups or not', (type) => {
    expect(expectedMembers({ type, party_group: null, starts_at: 0 }, branch)).toEqual(branch);
    expect(expectedMembers({ type, party_group: '第一党小组', starts_at: 0 }, branch)).toEqual(branch);
  });

  it('expects only those on the roster at the start: not after leaving, not before joining, not after moving away', () => {
    const T = sh(2026, 12, 1, 9);
    const meeting = (at: number) => ({ type: 'assembly' as const, party_group: null, starts_at: at });
    const left = { ...m1, left_at: T };
    const joined = { ...m2, terms: [{ from: T, until: null }] };
    const movedAway = { ...m3, terms: [{ from: null, until: T }] };
    expect(expectedMembers(meeting(T - 1), [left, joined, movedAway])).toEqual([left, movedAway]);
    expect(expectedMembers(meeting(T), [left, joined, movedAway])).toEqual([joined]);
  });

  it('keeps the callers member type', () => {
    const rich = branch.map((m) => ({ ...m, mobile: '138' }));
    expect(expectedMembers({ type: 'committee', party_group: null, starts_at: 0 }, rich)[0]!.mobile).toBe('138');
  });
});

describe('quorum (党员大会: more than half of the formal members)', () => {
  // 9 members, 2 of them probationary (预备党员): 7 formal, so 4 is more than half.
  const formal = Array.from({ length: 7 }, (_, i) => member(`f${i}`));
  const probationary = [member('p0', { probationary: true }), member('p1', { probationary: true })];
  const all = [...formal, ...probationary];
  const ids = (ms: MemberFacts[]) => new Set(ms.map((m) => m.id));

  it.each([
    [3, false],
    [4, true],
    [5, true],
  ])('%i formal members present → reached %s', (present, reached) => {
    expect(quorum(all, ids(formal.slice(0, present)))).toEqual({ formal: 7, presentFormal: present, reached });
  });

  it('probationary members present do not count toward the half', () => {
    expect(quorum(all, ids([...formal.slice(0, 3), ...probationary]))).toEqual({ formal: 7, presentFormal: 3, reached: false });
    expect(quorum(all, ids(probationary))).toEqual({ formal: 7, presentFormal: 0, reached: false });
  });

  it('ignores present ids of people not expected, and exactly half is not enough', () => {
    expect(quorum(all, new Set(['f0', 'f1', 'f2', 'stranger', 'another']))).toMatchObject({ presentFormal: 3, reached: false });
    const six = formal.slice(0, 6);
    expect(quorum(six, ids(six.slice(0, 3)))).toEqual({ formal: 6, presentFormal: 3, reached: false });
    expect(quorum(six, ids(six.slice(0, 4)))).toEqual({ formal: 6, presentFormal: 4, reached: true });
  });

  it('all present, and an empty meeting', () => {
    expect(quorum(all, ids(all))).toEqual({ formal: 7, presentFormal: 7, reached: true });
    expect(quorum([], new Set())).toEqual({ formal: 0, presentFormal: 0, reached: false });
  });
});

describe('meetingsAround (opens 30 min before, closes 2 h after the start)', () => {
  const OPENS = 30 * MIN;
  const CLOSES = 2 * HOUR;
  const start = sh(2026, 12, 5, 14, 0);
  const m = { ...meeting('committee', start), code: 'K7Q' };

  it.each([
    ['a day before', start - 24 * HOUR, { upcoming: m }],
    ['31 minutes before', start - 31 * MIN, { upcoming: m }],
    ['exactly when it opens', start - 30 * MIN, { open: m, latest: m }],
    ['at the start', start, { open: m, latest: m }],
    ['exactly when it closes', start + 2 * HOUR, { open: m, latest: m }],
    ['after the window', start + 2 * HOUR + 1, { latest: m }],
  ])('%s', (_, now, expected) => {
    expect(meetingsAround([m], now, OPENS, CLOSES)).toStrictEqual(expected);
  });

  it('a cancelled meeting is never meant', () => {
    expect(meetingsAround([{ ...m, status: 'cancelled' as const }], start, OPENS, CLOSES)).toStrictEqual({});
  });

  it('latest is the last whose window opened, upcoming the first whose window has not', () => {
    const past = { ...meeting('lecture', start - 48 * HOUR), code: 'PST' };
    const next = { ...meeting('lecture', start + 48 * HOUR), code: 'NXT' };
    expect(meetingsAround([next, m, past], start + 3 * HOUR, OPENS, CLOSES)).toStrictEqual({ upcoming: next, latest: m });
    expect(meetingsAround([next, m, past], start - HOUR, OPENS, CLOSES)).toStrictEqual({ upcoming: m, latest: past });
  });

  it('two meetings with overlapping windows: the nearest start', () => {
    const first = { ...meeting('committee', sh(2026, 12, 5, 14, 0)), code: 'AAA' };
    const second = { ...meeting('lecture', sh(2026, 12, 5, 15, 0)), code: 'BBB' };
    // 14:20: only the first is open (the second opens at 14:30).
    expect(meetingsAround([second, first], sh(2026, 12, 5, 14, 20), OPENS, CLOSES).open).toBe(first);
    // 14:25: only the first is open.
    expect(meetingsAround([first, second], sh(2026, 12, 5, 14, 25), OPENS, CLOSES).open).toBe(first);
    // 14:45: both open; the second starts in 15 min, the first started 45 min ago.
    expect(meetingsAround([first, second], sh(2026, 12, 5, 14, 45), OPENS, CLOSES).open).toBe(second);
    expect(meetingsAround([second, first], sh(2026, 12, 5, 14, 45), OPENS, CLOSES).open).toBe(second);
    // 14:31: both open; the second (29 min ahead) is nearer than the first (31 min ago).
    expect(meetingsAround([first, second], sh(2026, 12, 5, 14, 31), OPENS, CLOSES).open).toBe(second);
    // 14:29: the second is not open yet.
    expect(meetingsAround([first, second], sh(2026, 12, 5, 14, 29), OPENS, CLOSES).open).toBe(first);
    // 16:30: the first has closed; the second still open.
    expect(meetingsAround([first, second], sh(2026, 12, 5, 16, 30), OPENS, CLOSES).open).toBe(second);
  });

  it('latest is the meeting under way, not a later one whose window has just opened', () => {
    const started = { ...meeting('committee', sh(2026, 12, 5, 20, 0)), code: 'AAA' };
    const opening = { ...meeting('lecture', sh(2026, 12, 5, 20, 30)), code: 'BBB' };
    expect(meetingsAround([started, opening], sh(2026, 12, 5, 20, 0), OPENS, CLOSES).latest).toBe(started);
    // Before either has started: the one whose window opened last.
    expect(meetingsAround([started, opening], sh(2026, 12, 5, 19, 59), OPENS, CLOSES).latest).toBe(started);
    expect(meetingsAround([started, opening], sh(2026, 12, 5, 20, 31), OPENS, CLOSES).latest).toBe(opening);
  });

  it('ignores cancelled meetings, open or upcoming', () => {
    const cancelled = { ...meeting('committee', start, 'cancelled'), code: 'CCC' };
    const later = { ...meeting('lecture', start + 3 * HOUR), code: 'DDD' };
    expect(meetingsAround([cancelled], start, OPENS, CLOSES)).toEqual({});
    expect(meetingsAround([cancelled, later], start, OPENS, CLOSES)).toEqual({ upcoming: later });
    const cancelledSooner = { ...meeting('lecture', start + HOUR, 'cancelled'), code: 'EEE' };
    expect(meetingsAround([later, cancelledSooner], start - 2 * HOUR, OPENS, CLOSES)).toEqual({ upcoming: later });
  });

  it('upcoming is the soonest meeting whose window has not opened', () => {
    const a = { ...meeting('committee', sh(2026, 12, 8, 9)), code: 'AAA' };
    const b = { ...meeting('lecture', sh(2026, 12, 6, 9)), code: 'BBB' };
    const past = { ...meeting('lecture', sh(2026, 12, 1, 9)), code: 'PPP' };
    expect(meetingsAround([a, past, b], sh(2026, 12, 5, 9), OPENS, CLOSES)).toEqual({ upcoming: b, latest: past });
    expect(meetingsAround([], sh(2026, 12, 5, 9), OPENS, CLOSES)).toEqual({});
  });
});

describe('progress (三会一课 held vs due)', () => {
  // Saturday 2026-11-28 10:00 Asia/Shanghai: the 2nd month of Q4, the 11th month of the year.
  const NOW = sh(2026, 11, 28, 10);
  const meetings: MeetingFacts[] = [
    meeting('committee', sh(2026, 9, 10, 15)), // Q3
    meeting('committee', sh(2026, 10, 15, 15)), // October
    meeting('committee', sh(2026, 11, 1, 7)), // November in Shanghai (still 31 October in UTC)
    meeting('committee', sh(2026, 11, 20, 15), 'cancelled'), // not held
    meeting('committee', sh(2026, 11, 30, 15)), // future: not held yet
    meeting('assembly', sh(2025, 12, 20, 9)), // last year
    meeting('assembly', sh(2026, 5, 1, 9)), // Q2
    meeting('assembly', sh(2026, 10, 20, 9)), // Q4, October
    meeting('group', sh(2026, 11, 10, 9), 'scheduled', '第一党小组'),
    meeting('theme_day', sh(2026, 11, 28, 9)), // this morning: held
    meeting('theme_day', sh(2026, 11, 28, 11)), // later today: not held yet
    meeting('lecture', sh(2026, 12, 20, 9)), // Q4 but in the future
    meeting('lecture', sh(2026, 11, 15, 9), 'cancelled'),
    meeting('lecture', sh(2026, 11, 16, 9), 'scheduled', null, 0), // nobody came, no 纪要: not held
    meeting('lecture', sh(2026, 11, 17, 9), 'not_held'), // called off after its start
    meeting('life', sh(2026, 1, 20, 9)), // 组织生活会, this year
  ];
  const table = (period: 'month' | 'quarter' | 'year', now = NOW, list = meetings) =>
    Object.fromEntries(progress(list, period, now, SH).map((p) => [p.type, [p.held, p.due, p.range]]));

  it('this month: monthly types due once; quarterly types counted over the quarter', () => {
    expect(table('month')).toEqual({
      assembly: [1, 1, 'quarter'],
      committee: [1, 1, 'month'],
      group: [1, 1, 'month'],
      lecture: [0, 1, 'quarter'],
      theme_day: [1, 1, 'month'],
      life: [1, 1, 'year'],
    });
  });

  it('this quarter: monthly types due once per month begun (Oct, Nov)', () => {
    expect(table('quarter')).toEqual({
      assembly: [1, 1, 'quarter'],
      committee: [2, 2, 'quarter'],
      group: [1, 2, 'quarter'],
      lecture: [0, 1, 'quarter'],
      theme_day: [1, 2, 'quarter'],
      life: [1, 1, 'year'],
    });
  });

  it('this year: 11 months and 4 quarters begun', () => {
    expect(table('year')).toEqual({
      assembly: [2, 4, 'year'],
      committee: [3, 11, 'year'],
      group: [1, 11, 'year'],
      lecture: [0, 4, 'year'],
      theme_day: [1, 11, 'year'],
      life: [1, 1, 'year'],
    });
  });

  it('lists every type, in a stable order', () => {
    expect(progress([], 'quarter', NOW, SH).map((p) => p.type)).toEqual(['assembly', 'committee', 'group', 'lecture', 'theme_day', 'life']);
  });

  it('leaves 党小组会 out for a branch without 党小组', () => {
    expect(typesDue([{ party_group: null }])).toEqual(['assembly', 'committee', 'lecture', 'theme_day', 'life']);
    expect(typesDue([{ party_group: null }, { party_group: '第一党小组' }])).toContain('group');
  });

  it('counts months begun in the org zone (New Year in Shanghai is still 31 December in UTC)', () => {
    const newYear = sh(2027, 1, 1, 0, 30);
    expect(table('year', newYear, [])).toMatchObject({ committee: [0, 1, 'year'], assembly: [0, 1, 'year'] });
    expect(table('quarter', newYear, [])).toMatchObject({ committee: [0, 1, 'quarter'], assembly: [0, 1, 'quarter'] });
    // A meeting on 31 December (local) belongs to the old year.
    const dec31 = [meeting('committee', sh(2026, 12, 31, 20))];
    expect(table('year', newYear, dec31)).toMatchObject({ committee: [0, 1, 'year'] });
    expect(table('year', sh(2026, 12, 31, 23), dec31)).toMatchObject({ committee: [1, 12, 'year'] });
  });

  it('the last month of a quarter: 3 months due; a quarterly type still due once', () => {
    const march = sh(2026, 3, 15, 12);
    expect(table('quarter', march, [])).toMatchObject({ committee: [0, 3, 'quarter'], lecture: [0, 1, 'quarter'] });
    expect(table('year', march, [])).toMatchObject({ committee: [0, 3, 'year'], lecture: [0, 1, 'year'] });
    expect(table('year', sh(2026, 4, 1, 0), [])).toMatchObject({ committee: [0, 4, 'year'], lecture: [0, 2, 'year'] });
  });
});

describe('newMeetingCode', () => {
  /** A `random` that replays the given letters of the code alphabet and records each n asked for. */
  const replay = (codes: string) => {
    const letters = [...codes];
    const asked: number[] = [];
    const random = (n: number) => {
      asked.push(n);
      const letter = letters.shift();
      if (letter === undefined) throw new Error('random called more often than expected');
      return CODE_ALPHABET.indexOf(letter);
    };
    return { random, asked };
  };

  it('draws three characters from the alphabet without look-alikes', () => {
    expect(CODE_ALPHABET).toHaveLength(31);
    expect(CODE_ALPHABET).not.toMatch(/[ILO01]/);
    const { random, asked } = replay('K7Q');
    expect(newMeetingCode(new Set(), random)).toBe('K7Q');
    expect(asked).toEqual([31, 31, 31]);
  });

  it('draws again while the code is taken', () => {
    const { random, asked } = replay('K7QK7QABC');
    expect(newMeetingCode(new Set(['K7Q']), random)).toBe('ABC');
    expect(asked).toHaveLength(9);
  });

  it('the first and last characters of the alphabet', () => {
    expect(newMeetingCode(new Set(), replay('A29').random)).toBe('A29');
    expect(newMeetingCode(new Set(), replay('999').random)).toBe('999');
  });

  it('gives up after 100 draws of taken codes', () => {
    let calls = 0;
    expect(() =>
      newMeetingCode(new Set(['AAA']), () => {
        calls++;
        return 0;
      }),
    ).toThrow(/no free meeting code/);
    expect(calls).toBe(300);
  });
});

describe('meetingAttendance', () => {
  const a = member('a');
  const b = member('b');
  const c = member('c');
  const d = member('d');
  const e = member('e');
  const expected = [a, b, c, d, e];
  type Row = Pick<AttendanceTable, 'member_id' | 'status' | 'note' | 'makeup_at'>;
  const rows: Row[] = [
    { member_id: 'a', status: 'present', note: null, makeup_at: null },
    { member_id: 'b', status: 'leave', note: '外出执行防汛任务', makeup_at: null },
    { member_id: 'c', status: 'absent', note: null, makeup_at: sh(2026, 12, 6, 20) },
    { member_id: 'd', status: 'leave', note: '出差', makeup_at: sh(2026, 12, 7, 9) },
    // Not expected at this meeting (e.g. another 党小组): ignored.
    { member_id: 'x', status: 'present', note: null, makeup_at: null },
  ];
  const STARTS = sh(2026, 12, 5, 14, 30);
  const assembly = { type: 'assembly' as const, party_group: null, starts_at: STARTS, status: 'scheduled' as const };
  const before = STARTS - 60_000;
  const after = STARTS + 60_000;

  it('before the start: those not checked in are pending, not absent', () => {
    const lists = meetingAttendance(assembly, expected, rows, before);
    expect(lists.present).toEqual([a]);
    expect(lists.leave).toEqual([
      { member: b, reason: '外出执行防汛任务' },
      { member: d, reason: '出差' },
    ]);
    expect(lists.absent).toEqual([]);
    expect(lists.notYetIn).toEqual([c, e]);
    expect(lists.makeup).toEqual([c, d]);
  });

  it('after the start: those not checked in are absent', () => {
    const lists = meetingAttendance(assembly, expected, rows, after);
    expect(lists.present).toEqual([a]);
    expect(lists.absent).toEqual([c, e]);
    expect(lists.notYetIn).toEqual([]);
    expect(lists.makeup).toEqual([c, d]);
  });

  it('no rows at all', () => {
    expect(meetingAttendance(assembly, expected, [], after)).toEqual({
      expected,
      present: [],
      leave: [],
      absent: expected,
      notYetIn: [],
      makeup: [],
    });
    expect(meetingAttendance(assembly, expected, [], before)).toEqual({
      expected,
      present: [],
      leave: [],
      absent: [],
      notYetIn: expected,
      makeup: [],
    });
  });

  it('a cancelled meeting has nobody absent nor pending, before or after its start', () => {
    const cancelled = { ...assembly, status: 'cancelled' as const };
    for (const now of [before, after]) {
      const lists = meetingAttendance(cancelled, expected, rows, now);
      expect([lists.absent, lists.notYetIn]).toEqual([[], []]);
      expect(lists.present).toEqual([a]);
    }
  });

  it('expects only the named 党小组 at a 党小组会', () => {
    const grouped = [{ ...a, party_group: '一组' }, { ...b, party_group: '二组' }, c];
    const lists = meetingAttendance({ ...assembly, type: 'group', party_group: '一组' }, grouped, rows, after);
    expect(lists.expected.map((m) => m.id)).toEqual(['a']);
    expect(lists.present.map((m) => m.id)).toEqual(['a']);
  });
});

describe('periodRange (Asia/Shanghai)', () => {
  it.each([
    // [period, instant, from, to]
    ['quarter', sh(2026, 12, 31, 20), sh(2026, 10, 1), sh(2027, 1, 1)],
    ['quarter', sh(2027, 1, 1, 0, 30), sh(2027, 1, 1), sh(2027, 4, 1)],
    ['quarter', sh(2026, 10, 1, 0, 0), sh(2026, 10, 1), sh(2027, 1, 1)],
    ['quarter', sh(2026, 9, 30, 23, 59), sh(2026, 7, 1), sh(2026, 10, 1)],
    ['quarter', sh(2026, 3, 31, 23, 59), sh(2026, 1, 1), sh(2026, 4, 1)],
    ['quarter', sh(2026, 5, 15, 12), sh(2026, 4, 1), sh(2026, 7, 1)],
    ['year', sh(2026, 12, 31, 20), sh(2026, 1, 1), sh(2027, 1, 1)],
    ['year', sh(2027, 1, 1, 0, 30), sh(2027, 1, 1), sh(2028, 1, 1)],
    ['month', sh(2026, 12, 31, 20), sh(2026, 12, 1), sh(2027, 1, 1)],
    ['month', sh(2027, 1, 1, 0, 30), sh(2027, 1, 1), sh(2027, 2, 1)],
    ['month', sh(2028, 2, 29, 12), sh(2028, 2, 1), sh(2028, 3, 1)],
    ['month', sh(2026, 11, 1, 7), sh(2026, 11, 1), sh(2026, 12, 1)],
  ] as const)('%s around %i', (period, ms, from, to) => {
    expect(periodRange(period, ms, SH)).toEqual({ from, to });
  });

  it('starts at local midnight, 16:00 UTC the day before', () => {
    // 2026-12-31T16:30Z is 2027-01-01 00:30 in Shanghai: Q1 2027.
    expect(periodRange('quarter', Date.UTC(2026, 11, 31, 16, 30), SH)).toEqual({
      from: Date.UTC(2026, 11, 31, 16),
      to: Date.UTC(2027, 2, 31, 16),
    });
    // The same instant is still Q4 2026 in UTC.
    expect(periodRange('quarter', Date.UTC(2026, 11, 31, 16, 30), 'UTC')).toEqual({
      from: Date.UTC(2026, 9, 1),
      to: Date.UTC(2027, 0, 1),
    });
  });

  it('agrees with fromLocal', () => {
    expect(periodRange('year', sh(2026, 6, 1), SH).from).toBe(fromLocal({ year: 2026, month: 1, day: 1 }, SH));
  });
});

describe('formatLocal', () => {
  it('writes the local date, weekday and time', () => {
    expect(formatLocal(sh(2026, 12, 5, 14, 30), SH)).toBe('12月5日（周六）14:30');
    expect(formatLocal(sh(2026, 11, 29, 9, 5), SH)).toBe('11月29日（周日）09:05');
    expect(formatLocal(sh(2026, 11, 30, 0, 0), SH)).toBe('11月30日（周一）00:00');
    expect(formatLocal(Date.UTC(2026, 11, 5, 14, 30), 'UTC')).toBe('12月5日（周六）14:30');
  });

  it('adds the year only when it differs from the year of now, in the zone', () => {
    const now = sh(2026, 11, 28, 10);
    expect(formatLocal(sh(2026, 12, 5, 14, 30), SH, now)).toBe('12月5日（周六）14:30');
    expect(formatLocal(sh(2027, 1, 3, 9), SH, now)).toBe('2027年1月3日（周日）09:00');
    expect(formatLocal(sh(2025, 12, 20, 9), SH, now)).toBe('2025年12月20日（周六）09:00');
    // 2027-01-01 00:30 in Shanghai while it is 2026-12-31 in UTC; now is 2026-12-31 18:00 in Shanghai.
    expect(formatLocal(Date.UTC(2026, 11, 31, 16, 30), SH, Date.UTC(2026, 11, 31, 10))).toBe('2027年1月1日（周五）00:30');
  });
});

describe('meetingState: scheduled, held, not_held, cancelled', () => {
  const START = sh(2026, 12, 2, 15);
  const CLOSES = 2 * 3600_000;
  const state = (over: Partial<MeetingFacts>, now: number) =>
    meetingState({ ...meeting('assembly', START, 'scheduled', null, 0), ...over }, now, CLOSES);

  it('is scheduled until it starts, whatever it holds', () => {
    expect(state({}, START - 1)).toBe('scheduled');
    expect(state({ present: 3 }, START - 1)).toBe('scheduled');
  });

  it('is held once started with someone present or a 纪要', () => {
    expect(state({ present: 1 }, START)).toBe('held');
    expect(state({ notes: 1 }, START + 10 * CLOSES)).toBe('held');
  });

  it('stays scheduled while check-in is open with nobody present, then is not held', () => {
    expect(state({}, START + CLOSES)).toBe('scheduled');
    expect(state({}, START + CLOSES + 1)).toBe('not_held');
  });

  it('keeps what the secretary decided: cancelled before the start, not held after it', () => {
    expect(state({ status: 'cancelled' }, START - 1)).toBe('cancelled');
    expect(state({ status: 'not_held', present: 4 }, START + 1)).toBe('not_held');
  });
});

describe('rosterTerms (when a member belonged to a branch)', () => {
  const move = (at: number, from_branch: string, to_branch: string) => ({ at, from_branch, to_branch });

  it('always, for a member never moved', () => {
    expect(rosterTerms('b1', { branch_id: 'b1' }, [])).toEqual([{ from: null, until: null }]);
    expect(rosterTerms('b2', { branch_id: 'b1' }, [])).toEqual([]);
  });

  it('until the move away, and from the move in, back and forth', () => {
    const moves = [move(100, 'b1', 'b2'), move(200, 'b2', 'b1')];
    expect(rosterTerms('b1', { branch_id: 'b1' }, moves)).toEqual([
      { from: null, until: 100 },
      { from: 200, until: null },
    ]);
    expect(rosterTerms('b2', { branch_id: 'b1' }, moves)).toEqual([{ from: 100, until: 200 }]);
  });
});

describe('typeStatus', () => {
  const DAY = 86_400_000;
  it('is overdue with fewer held than the periods of the range already ended, whatever the cadence', () => {
    // 统计 本年 on 20 November: four quarters begun, three ended; two 党课 held.
    const now = sh(2026, 11, 20, 10);
    expect(typeStatus({ type: 'lecture', held: 2, due: 4 }, now, SH)).toBe('overdue');
    expect(typeStatus({ type: 'lecture', held: 3, due: 4 }, now, SH)).toBe('pending');
    expect(typeStatus({ type: 'lecture', held: 4, due: 4 }, now, SH)).toBe('done');
    // Monthly: by 20 November October has ended and November has begun.
    expect(typeStatus({ type: 'committee', held: 0, due: 2 }, now, SH)).toBe('overdue');
    expect(typeStatus({ type: 'committee', held: 1, due: 2 }, now, SH)).toBe('pending');
  });

  it('a quarterly or yearly type not yet held is overdue two weeks before its period ends; a month never early', () => {
    const quarterEnd = sh(2027, 1, 1, 0);
    expect(typeStatus({ type: 'lecture', held: 0, due: 1 }, quarterEnd - 15 * DAY, SH)).toBe('pending');
    expect(typeStatus({ type: 'lecture', held: 0, due: 1 }, quarterEnd - 14 * DAY, SH)).toBe('overdue');
    expect(typeStatus({ type: 'life', held: 0, due: 1 }, quarterEnd - 10 * DAY, SH)).toBe('overdue');
    expect(typeStatus({ type: 'life', held: 0, due: 1 }, sh(2026, 11, 20, 10), SH)).toBe('pending');
    expect(typeStatus({ type: 'committee', held: 2, due: 3 }, quarterEnd - 2 * DAY, SH)).toBe('pending');
    // At the last moment of a period asked about once over, every month of it has ended.
    expect(typeStatus({ type: 'committee', held: 2, due: 3 }, quarterEnd - 1, SH)).toBe('overdue');
  });
});

describe('awaitingMakeup', () => {
  const CLOSES = 2 * 3600_000;
  const START = sh(2026, 12, 2, 15);
  const m = (id: string, over: Partial<ReturnType<typeof meeting>> = {}) => ({ ...meeting('lecture', START), id, ...over });
  const row = (meeting_id: string, status: AttendanceTable['status'], makeup_at: number | null = null) => ({
    meeting_id,
    status,
    makeup_at,
  });

  it('is the held meetings whose check-in has closed that the member missed or was on leave for and has not made up', () => {
    const meetings = [
      m('missed'),
      m('leave'),
      m('present'),
      m('madeUp'),
      m('notHeld', { present: 0 }),
      m('cancelled', { status: 'cancelled' }),
    ];
    const own = [row('leave', 'leave'), row('present', 'present'), row('madeUp', 'absent', START + 5 * 3600_000)];
    const after = START + CLOSES + 1;
    expect(awaitingMakeup(meetings, own, after, CLOSES).map((x) => x.id)).toEqual(['missed', 'leave']);
    // Until check-in closes, nothing awaits.
    expect(awaitingMakeup(meetings, own, START + CLOSES, CLOSES)).toEqual([]);
  });
});
