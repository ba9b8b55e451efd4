import { describe, it, expect } from 'vitest';
import { WorkCalendar, addDays, localDate, localDateTime, parseIsoDate, weekdayOf } from '../src/domain/calendar.ts';

const bare = new WorkCalendar([]);

describe('WorkCalendar on chinese-days data', () => {
  it('knows 国庆 2026 and its make-up workdays (调休)', () => {
    expect(bare.dayKind('2026-10-01')).toEqual({ workday: false, source: 'chinese-days', holidayName: '国庆节' });
    expect(bare.dayKind('2026-10-07').workday).toBe(false);
    // 2026-10-10 is a Saturday and a 调休 workday; so is Sunday 2026-01-04 after 元旦.
    expect(weekdayOf('2026-10-10')).toBe(6);
    expect(bare.dayKind('2026-10-10')).toEqual({ workday: true, source: 'chinese-days' });
    expect(weekdayOf('2026-01-04')).toBe(7);
    expect(bare.dayKind('2026-01-04').workday).toBe(true);
    // An ordinary weekend of a covered year is no workday, and is no guess either.
    expect(bare.dayKind('2026-10-17')).toEqual({ workday: false, source: 'chinese-days' });
  });

  it('finds the next working day after a holiday', () => {
    // 国庆 2026 is 10-01…10-07; Thursday 10-08 is an ordinary working day.
    expect(bare.nextWorkday('2026-10-01')).toEqual({ date: '2026-10-08', gaps: [] });
    expect(bare.nextWorkday('2026-10-08', { includeSelf: true })).toEqual({ date: '2026-10-08', gaps: [] });
    expect(bare.nextWorkday('2026-10-08').date).toBe('2026-10-09');
    expect(bare.nextWorkday('2026-10-09').date).toBe('2026-10-10');
    expect(bare.nextWorkday('2026-02-13').date).toBe('2026-02-14');
  });

  it('finds the first working day of a month and of a quarter', () => {
    expect(bare.firstWorkdayOfMonth(2026, 10)).toEqual({ date: '2026-10-08', gaps: [] });
    expect(bare.firstWorkdayOfMonth(2026, 5).date).toBe('2026-05-06');
    expect(bare.firstWorkdayOfMonth(2026, 11).date).toBe('2026-11-02');
    expect(bare.firstWorkdayOfQuarter(2026, 1)).toEqual({ date: '2026-01-04', gaps: [] });
    expect(bare.firstWorkdayOfQuarter(2026, 2).date).toBe('2026-04-01');
    expect(bare.firstWorkdayOfQuarter(2026, 3).date).toBe('2026-07-01');
    expect(bare.firstWorkdayOfQuarter(2026, 4).date).toBe('2026-10-08');
    expect(() => bare.firstWorkdayOfQuarter(2026, 5)).toThrow(RangeError);
    expect(() => bare.firstWorkdayOfMonth(2026, 13)).toThrow(RangeError);
  });

  it('lets an override win even in a year chinese-days covers', () => {
    const cal = new WorkCalendar([
      { date: '2026-10-08', kind: 'holiday', name: '机关调休' },
      { date: '2026-10-17', kind: 'workday' },
    ]);
    expect(cal.dayKind('2026-10-08')).toEqual({ workday: false, source: 'override', holidayName: '机关调休' });
    expect(cal.dayKind('2026-10-17')).toEqual({ workday: true, source: 'override' });
    expect(cal.nextWorkday('2026-10-01').date).toBe('2026-10-09');
    expect(cal.firstWorkdayOfMonth(2026, 10).date).toBe('2026-10-09');
  });
});

describe('WorkCalendar beyond chinese-days data', () => {
  it('marks a day of a year with no data as a weekday guess and reports the year', () => {
    expect(bare.isCovered(2026)).toBe(true);
    expect(bare.isCovered(2027)).toBe(false);
    expect(bare.yearsWithoutData(2025, 2028)).toEqual([2027, 2028]);
    // 2027-01-01 is a Friday: a workday by weekday alone, which the answer must not hide.
    expect(bare.dayKind('2027-01-01')).toEqual({ workday: true, source: 'weekday-guess' });
    expect(bare.dayKind('2027-01-02')).toEqual({ workday: false, source: 'weekday-guess' });
    expect(bare.firstWorkdayOfQuarter(2027, 1)).toEqual({ date: '2027-01-01', gaps: [2027] });
    expect(bare.nextWorkday('2026-12-31')).toEqual({ date: '2027-01-01', gaps: [2027] });
    // A search that stays inside covered days has no gaps.
    expect(bare.nextWorkday('2026-12-30')).toEqual({ date: '2026-12-31', gaps: [] });
  });

  it('counts a year the overrides fill as covered, and the overrides win', () => {
    const cal = new WorkCalendar([
      { date: '2027-01-01', kind: 'holiday', name: '元旦' },
      { date: '2027-02-06', kind: 'workday', name: '春节调休' },
    ]);
    expect(cal.isCovered(2027)).toBe(true);
    expect(cal.yearsWithoutData(2026, 2028)).toEqual([2028]);
    expect(cal.dayKind('2027-01-01')).toEqual({ workday: false, source: 'override', holidayName: '元旦' });
    expect(cal.dayKind('2027-02-06')).toEqual({ workday: true, source: 'override' });
    // Days the admin left alone follow Monday–Friday, without being a guess.
    expect(cal.dayKind('2027-01-04')).toEqual({ workday: true, source: 'weekday' });
    expect(cal.firstWorkdayOfQuarter(2027, 1)).toEqual({ date: '2027-01-04', gaps: [] });
    expect(cal.nextWorkday('2027-12-31')).toEqual({ date: '2028-01-03', gaps: [2028] });
  });
});

describe('calendar dates', () => {
  it('takes only real calendar dates', () => {
    expect(parseIsoDate('2028-02-29')).toEqual({ year: 2028, month: 2, day: 29 });
    for (const bad of ['2027-02-29', '2027-02-30', '2027-13-01', '2027-00-10', '2027-1-01', 'tomorrow', '2027-01-01T00:00', '']) {
      expect(parseIsoDate(bad)).toBeNull();
    }
    expect(() => bare.dayKind('2027-02-30')).toThrow(RangeError);
  });

  it('adds days across months and years', () => {
    expect(addDays('2026-12-31', 1)).toBe('2027-01-01');
    expect(addDays('2028-03-01', -1)).toBe('2028-02-29');
  });

  it('converts epoch ms to the local date in Asia/Shanghai across midnight', () => {
    expect(localDate(Date.UTC(2026, 8, 30, 15, 59, 59, 999), 'Asia/Shanghai')).toBe('2026-09-30');
    expect(localDate(Date.UTC(2026, 8, 30, 16, 0, 0), 'Asia/Shanghai')).toBe('2026-10-01');
    expect(localDate(Date.UTC(2026, 8, 30, 16, 0, 0), 'UTC')).toBe('2026-09-30');
    expect(localDateTime('2026-10-08', 'Asia/Shanghai', { hour: 9 })).toBe(Date.UTC(2026, 9, 8, 1, 0, 0));
    expect(localDateTime('2026-10-01', 'Asia/Shanghai')).toBe(Date.UTC(2026, 8, 30, 16, 0, 0));
  });
});
