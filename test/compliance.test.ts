import { describe, expect, it } from 'vitest';
import type { MeetingType } from '../db/schema.ts';
import { WorkCalendar, weekdayOf } from '../src/domain/calendar.ts';
import { type ComplianceBranch, complianceDays, complianceNotices, dueNotices } from '../src/domain/compliance.ts';
import { type MeetingFacts, typesDue } from '../src/domain/meetings.ts';
import { fromLocal } from '../src/domain/time.ts';

// The compliance rule as a pure function: which notices are due on a date, and their texts.

const TZ = 'Asia/Shanghai';
const bare = new WorkCalendar([]);
const at = (date: string, hour = 10, minute = 0) => {
  const [year, month, day] = date.split('-').map(Number) as [number, number, number];
  return fromLocal({ year, month, day, hour, minute }, TZ);
};
const meeting = (type: MeetingType, startsAt: number, status: MeetingFacts['status'] = 'scheduled'): MeetingFacts => ({
  type,
  party_group: null,
  starts_at: startsAt,
  status,
  backfilled: false,
  // Held once it starts: someone was present.
  present: 1,
  notes: 0,
});
const branch = (
  id: string,
  meetings: MeetingFacts[] = [],
  name = `${id} 党支部`,
  types = typesDue([{ party_group: 'g1' }]),
): ComplianceBranch => ({
  id,
  name,
  meetings,
  types,
});
const kindsOn = (date: string, calendar = bare) => dueNotices(date, calendar).kinds;

describe('the working-day rule', () => {
  it('moves a notice due on a public holiday to the first working day after it', () => {
    // 2026-10-01 is 国庆节; chinese-days says 10-02…10-07 are off too and Thursday 2026-10-08 is a workday.
    expect(bare.dayKind('2026-10-01')).toMatchObject({ workday: false, holidayName: '国庆节' });
    expect(bare.dayKind('2026-10-07').workday).toBe(false);
    expect(bare.dayKind('2026-10-08')).toEqual({ workday: true, source: 'chinese-days' });
    expect(kindsOn('2026-10-01')).toEqual([]);
    for (const day of ['2026-10-02', '2026-10-05', '2026-10-07']) expect(kindsOn(day)).toEqual([]);
    // 10-08 is the first working day of October and of the fourth quarter: one quarterStart notice.
    expect(kindsOn('2026-10-08')).toEqual(['quarterStart']);
    expect(kindsOn('2026-10-09')).toEqual([]);
    // 劳动节 2026: May's first working day is Wednesday 05-06.
    expect(kindsOn('2026-05-01')).toEqual([]);
    expect(kindsOn('2026-05-06')).toEqual(['monthStart']);
    expect(kindsOn('2026-11-02')).toEqual(['monthStart']);
  });

  it('runs on a 调休 weekend workday when that is the first working day (real cases in chinese-days)', () => {
    // 国庆 2023 ran 09-29…10-06; Saturday 2023-10-07 was a make-up workday: the first of October and of Q4.
    expect(weekdayOf('2023-10-07')).toBe(6);
    expect(bare.dayKind('2023-10-07')).toEqual({ workday: true, source: 'chinese-days' });
    expect(kindsOn('2023-10-07')).toEqual(['quarterStart']);
    expect(kindsOn('2023-10-09')).toEqual([]);
    // 元旦 2026 ran 01-01…01-03; Sunday 2026-01-04 is a make-up workday.
    expect(weekdayOf('2026-01-04')).toBe(7);
    expect(kindsOn('2026-01-04')).toEqual(['quarterStart']);
    expect(kindsOn('2026-01-05')).toEqual([]);
    // Saturday 2026-10-10 is a 调休 workday too, but no compliance rule falls on it.
    expect(weekdayOf('2026-10-10')).toBe(6);
    expect(bare.dayKind('2026-10-10').workday).toBe(true);
    expect(kindsOn('2026-10-10')).toEqual([]);
  });

  it('runs on a Saturday an override makes a workday', () => {
    const cal = new WorkCalendar([{ date: '2026-08-01', kind: 'workday', name: null }]);
    expect(weekdayOf('2026-08-01')).toBe(6);
    expect(kindsOn('2026-08-01', cal)).toEqual(['monthStart']);
    expect(kindsOn('2026-08-03', cal)).toEqual([]);
    // Without the override: Monday 08-03.
    expect(kindsOn('2026-08-01')).toEqual([]);
    expect(kindsOn('2026-08-03')).toEqual(['monthStart']);
  });

  it('warns on the working day on or after (quarter end − 14 days)', () => {
    expect(complianceDays('2026-11-15', bare)).toEqual({
      monthStart: '2026-11-02',
      quarterStart: '2026-10-08',
      quarterEnd: '2026-12-31',
      quarterEndWarning: '2026-12-17',
      gaps: [],
    });
    expect(kindsOn('2026-12-16')).toEqual([]);
    expect(kindsOn('2026-12-17')).toEqual(['quarterEndWarning']);
    expect(kindsOn('2026-12-18')).toEqual([]);
    expect(complianceDays('2026-02-10', bare).quarterEndWarning).toBe('2026-03-17');
    expect(complianceDays('2026-05-10', bare).quarterEndWarning).toBe('2026-06-16');
    // 中秋 2024 (09-15…09-17): 09-16 is off, so the Q3 warning goes out on Wednesday 09-18.
    expect(bare.dayKind('2024-09-16')).toMatchObject({ workday: false, holidayName: '中秋' });
    expect(kindsOn('2024-09-16')).toEqual([]);
    expect(kindsOn('2024-09-18')).toEqual(['quarterEndWarning']);
    // 中秋 2016 (09-15…09-17) then Sunday 09-18, a make-up workday: the warning goes out that Sunday.
    expect(weekdayOf('2016-09-18')).toBe(7);
    expect(kindsOn('2016-09-18')).toEqual(['quarterEndWarning']);
  });

  it('reports a year with no data (2027) instead of silently using Monday–Friday', () => {
    // No chinese-days data and no override for 2027: 2027-01-01 (a Friday, in fact 元旦) is guessed a workday.
    expect(dueNotices('2027-01-01', bare)).toMatchObject({ kinds: ['quarterStart'], gaps: [2027] });
    expect(dueNotices('2027-03-10', bare)).toMatchObject({ kinds: [], gaps: [2027] });
    const result = complianceNotices({ date: '2027-01-01', tz: TZ, calendar: bare, branches: [branch('b1')] });
    expect(result.gaps).toEqual([2027]);
    expect(result.notices).toHaveLength(1);
    // An override anywhere in 2027 means the admin fills that year: no gap, and 元旦 is honoured.
    const filled = new WorkCalendar([{ date: '2027-01-01', kind: 'holiday', name: '元旦' }]);
    expect(dueNotices('2027-01-01', filled)).toMatchObject({ kinds: [], gaps: [] });
    expect(dueNotices('2027-01-04', filled)).toMatchObject({ kinds: ['quarterStart'], gaps: [] });
    expect(dueNotices('2026-11-02', bare).gaps).toEqual([]);
  });
});

describe('the notices and their texts', () => {
  it('tells each branch group on the month start which types are still due, as of 09:00', () => {
    const b1 = branch('b1', [
      meeting('assembly', at('2026-10-20')), // held this quarter
      meeting('committee', at('2026-11-02', 8, 30)), // held before 09:00 today
      meeting('group', at('2026-11-02', 9, 30)), // later today: not held yet
      meeting('theme_day', at('2026-11-01'), 'cancelled'),
      meeting('lecture', at('2026-11-20', 14, 30)), // scheduled
      meeting('committee', at('2026-10-15')), // last month: does not count for November
    ]);
    const b2 = branch('b2', [], '第二*党支部');
    const result = complianceNotices({ date: '2026-11-02', tz: TZ, calendar: bare, branches: [b1, b2] });
    expect(result.kinds).toEqual(['monthStart']);
    expect(result.notices.map((n) => [n.kind, n.branchId, n.to])).toEqual([
      ['monthStart', 'b1', 'chats'],
      ['monthStart', 'b2', 'chats'],
    ]);
    expect(result.notices[0]!.message).toEqual({
      title: '三会一课提醒',
      markdown: [
        '### 三会一课提醒',
        '**b1 党支部** 2026年11月尚需召开：',
        [
          '- 党小组会：本月已开 0 次，应开 1 次，已安排在11月2日（周一）09:30',
          '- 党课：本季度已开 0 次，应开 1 次，已安排在11月20日（周五）14:30',
          '- 主题党日：本月已开 0 次，应开 1 次',
          // The year's last quarter: its 组织生活会 is called for too.
          '- 组织生活会：本年已开 0 次，应开 1 次',
        ].join('\n'),
        '发送「安排 会议类型 时间」安排会议，如「安排 支委会 明天15:00」。',
      ].join('\n\n'),
    });
    const b2Text = result.notices[1]!.message.markdown;
    expect(b2Text).toContain('**第二＊党支部** 2026年11月尚需召开：');
    for (const label of ['支部党员大会：本季度', '支部委员会会议：本月', '党小组会：本月', '党课：本季度', '主题党日：本月'])
      expect(b2Text).toContain(label);
  });

  it('opens a quarter with one notice covering the month and the quarter', () => {
    const b1 = branch('b1', [meeting('committee', at('2026-10-03')), meeting('assembly', at('2026-09-20'))]);
    const result = complianceNotices({ date: '2026-10-08', tz: TZ, calendar: bare, branches: [b1] });
    expect(result.notices).toHaveLength(1);
    const [notice] = result.notices;
    expect(notice).toMatchObject({ kind: 'quarterStart', branchId: 'b1', to: 'chats' });
    const text = notice!.message.markdown;
    expect(text).toContain('2026年第四季度开始。**b1 党支部**本月及本季度尚需召开：');
    // The 支委会 on 10-03 (in the holiday) counts; the 党员大会 of September is last quarter's.
    expect(text).not.toContain('支部委员会会议');
    expect(text).toContain('- 支部党员大会：本季度已开 0 次，应开 1 次');
    expect(text).toContain('- 党课：本季度已开 0 次，应开 1 次');
  });

  it('says nothing to a branch with nothing due, and nothing at all on other days', () => {
    const done = branch(
      'b1',
      (['assembly', 'committee', 'group', 'lecture', 'theme_day', 'life'] as const).map((t) => meeting(t, at('2026-11-01', 8))),
    );
    expect(complianceNotices({ date: '2026-11-02', tz: TZ, calendar: bare, branches: [done] }).notices).toEqual([]);
    expect(complianceNotices({ date: '2026-11-03', tz: TZ, calendar: bare, branches: [branch('b2')] })).toEqual({
      kinds: [],
      notices: [],
      gaps: [],
    });
  });

  it('warns secretaries two weeks before the quarter ends, only of branches missing a quarterly type', () => {
    const life = meeting('life', at('2026-06-30'));
    const branches = [
      branch('all', [meeting('assembly', at('2026-10-20')), meeting('lecture', at('2026-11-20')), life]),
      branch('nolecture', [meeting('assembly', at('2026-10-20')), meeting('lecture', at('2026-12-20', 14, 30)), life]),
      branch('none', [meeting('lecture', at('2026-09-28')), meeting('assembly', at('2026-11-10'), 'cancelled'), life]),
      // Monthly types missing do not matter for this warning.
      branch('monthly', [meeting('assembly', at('2026-12-01')), meeting('lecture', at('2026-12-02')), life]),
    ];
    const result = complianceNotices({ date: '2026-12-17', tz: TZ, calendar: bare, branches });
    expect(result.kinds).toEqual(['quarterEndWarning']);
    expect(result.notices.map((n) => [n.kind, n.branchId, n.to])).toEqual([
      ['quarterEndWarning', 'nolecture', 'secretary'],
      ['quarterEndWarning', 'none', 'secretary'],
    ]);
    expect(result.notices[0]!.message).toEqual({
      title: '三会一课季度提醒',
      markdown: [
        '### 三会一课季度提醒',
        '2026年第四季度将于 12月31日 结束，**nolecture 党支部**本季度尚未召开：',
        '- 党课，已安排在12月20日（周日）14:30',
        '请在季度结束前安排召开（发送「安排 会议类型 时间」）。',
      ].join('\n\n'),
    });
    expect(result.notices[1]!.message.markdown).toContain('- 支部党员大会\n- 党课');
  });

  it('counts only meetings held, calls for 组织生活会 in the last quarter only, and no 党小组会 without 党小组', () => {
    const notHeld = { ...meeting('assembly', at('2026-10-20')), present: 0 };
    const noGroups = branch('b1', [notHeld], 'b1 党支部', typesDue([{ party_group: null }]));
    const warning = complianceNotices({ date: '2026-12-17', tz: TZ, calendar: bare, branches: [noGroups] }).notices[0]!;
    expect(warning.message.markdown).toContain('- 支部党员大会\n- 党课\n- 组织生活会');
    const november = complianceNotices({ date: '2026-11-02', tz: TZ, calendar: bare, branches: [noGroups] }).notices[0]!;
    expect(november.message.markdown).toContain('- 支部党员大会：本季度已开 0 次，应开 1 次');
    expect(november.message.markdown).not.toContain('党小组会');
    // 2026-08-03: the first working day of August, in the third quarter.
    const august = complianceNotices({ date: '2026-08-03', tz: TZ, calendar: bare, branches: [noGroups] }).notices[0]!;
    expect(august.message.markdown).not.toContain('组织生活会');
  });

  it('computes "today" in the org zone', () => {
    // 09:00 on 2026-11-02 in Los Angeles: a meeting at 08:00 local is held, one at 10:00 is not.
    const la = 'America/Los_Angeles';
    const b1 = branch('b1', [
      meeting('committee', fromLocal({ year: 2026, month: 11, day: 2, hour: 8 }, la)),
      meeting('group', fromLocal({ year: 2026, month: 11, day: 2, hour: 10 }, la)),
    ]);
    const text = complianceNotices({ date: '2026-11-02', tz: la, calendar: bare, branches: [b1] }).notices[0]!.message.markdown;
    expect(text).not.toContain('支部委员会会议');
    expect(text).toContain('- 党小组会：本月已开 0 次，应开 1 次，已安排在11月2日（周一）10:00');
  });
});
