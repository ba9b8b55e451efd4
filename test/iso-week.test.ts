import { describe, expect, it } from 'vitest';
import { isoWeek, isoWeekOfDate, isoWeekRange } from '../src/domain/iso-week.ts';
import { addDays } from '../src/domain/calendar.ts';
import { fromLocal } from '../src/domain/time.ts';

describe('ISO weeks', () => {
  it('numbers weeks from the one holding the first Thursday', () => {
    expect(isoWeekOfDate('2026-01-01')).toBe('2026-W01'); // a Thursday
    expect(isoWeekOfDate('2025-12-29')).toBe('2026-W01'); // its Monday, still in 2025
    expect(isoWeekOfDate('2025-12-28')).toBe('2025-W52');
    expect(isoWeekOfDate('2024-12-30')).toBe('2025-W01');
    expect(isoWeekOfDate('2026-11-30')).toBe('2026-W49');
    expect(isoWeekOfDate('2026-12-31')).toBe('2026-W53'); // 2026 begins on a Thursday: 53 weeks
    expect(isoWeekOfDate('2027-01-03')).toBe('2026-W53');
    expect(isoWeekOfDate('2027-01-04')).toBe('2027-W01');
    expect(isoWeekOfDate('2021-01-03')).toBe('2020-W53');
    expect(() => isoWeekOfDate('2026-02-30')).toThrow(RangeError);
  });

  it('agrees with a day-by-day count over many years', () => {
    let day = '2019-12-30'; // Monday of 2020-W01
    let [year, week] = [2020, 1];
    while (day < '2031-01-01') {
      for (let i = 0; i < 7; i++) expect(isoWeekOfDate(addDays(day, i))).toBe(`${year}-W${String(week).padStart(2, '0')}`);
      day = addDays(day, 7);
      const next = isoWeekOfDate(day);
      if (next.endsWith('-W01')) [year, week] = [year + 1, 1];
      else week += 1;
    }
  });

  it('takes the week in the org time zone', () => {
    // Monday 2026-11-30 00:30 in Shanghai is still Sunday 11-29 in UTC.
    const ms = fromLocal({ year: 2026, month: 11, day: 30, hour: 0, minute: 30 }, 'Asia/Shanghai');
    expect(isoWeek(ms, 'Asia/Shanghai')).toBe('2026-W49');
    expect(isoWeek(ms, 'UTC')).toBe('2026-W48');
    expect(isoWeek(ms, 'America/Los_Angeles')).toBe('2026-W48');
  });

  it('gives the Monday and Sunday of a week, and refuses weeks that do not exist', () => {
    expect(isoWeekRange('2026-W49')).toEqual({ monday: '2026-11-30', sunday: '2026-12-06' });
    expect(isoWeekRange('2026-W53')).toEqual({ monday: '2026-12-28', sunday: '2027-01-03' });
    expect(isoWeekRange('2025-W01')).toEqual({ monday: '2024-12-30', sunday: '2025-01-05' });
    expect(isoWeekRange('2025-W53')).toBeNull();
    expect(isoWeekRange('2026-W00')).toBeNull();
    expect(isoWeekRange('2026-49')).toBeNull();
  });
});
