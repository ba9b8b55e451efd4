// Working days: the Chinese public-holiday calendar with its make-up workdays (调休), from
// `chinese-days`, under an admin override table. Pure: the overrides are handed in, nothing is read.
//
// `chinese-days` has data up to 2026 only, and for a later date its `isWorkday` silently answers by
// weekday. So it is asked only about years its data covers; any other day falls back to Monday–Friday
// and says so. Every answer that relied on such a guess carries it to the caller — `dayKind` in its
// `source` ('weekday-guess'), the date searches in their `gaps` (the years guessed) — so that the
// caller logs it and the digest's footer reports it, instead of treating the year as Monday–Friday
// without a word.

import chineseDays from 'chinese-days';
import { fromLocal, toLocal } from './time.ts';

/** A calendar date, `YYYY-MM-DD`. */
export type IsoDate = string;

export type OverrideKind = 'holiday' | 'workday';

export interface CalendarOverride {
  date: IsoDate;
  kind: OverrideKind;
  name?: string | null;
}

/**
 * Where a day's answer came from:
 * - `override`: the admin override table;
 * - `chinese-days`: the package's data for that year (holidays and 调休 workdays; other days by weekday);
 * - `weekday`: a year the override table fills (it has at least one override there) but not this
 *   day: Monday–Friday, as the admin left it;
 * - `weekday-guess`: a year with no data at all: Monday–Friday, a guess the caller must report.
 */
export type DaySource = 'override' | 'chinese-days' | 'weekday' | 'weekday-guess';

export interface DayKind {
  workday: boolean;
  source: DaySource;
  /** 国庆节, 春节 …, or the override's name; on days off only. */
  holidayName?: string;
}

/** A date found by scanning days, with the years whose days had to be guessed on the way (sorted). */
export interface WorkdayAnswer {
  date: IsoDate;
  gaps: number[];
}

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** `{year, month, day}` of a real calendar date `YYYY-MM-DD` (no 2027-02-30); null otherwise. */
export function parseIsoDate(text: string): { year: number; month: number; day: number } | null {
  const m = ISO_DATE.exec(text);
  if (!m) return null;
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (year < 1000 || month < 1 || month > 12 || day < 1) return null;
  if (day > new Date(Date.UTC(year, month, 0)).getUTCDate()) return null;
  return { year, month, day };
}

const pad = (n: number) => String(n).padStart(2, '0');

export const isoDate = (year: number, month: number, day: number): IsoDate => `${year}-${pad(month)}-${pad(day)}`;

function mustParse(date: IsoDate): { year: number; month: number; day: number } {
  const d = parseIsoDate(date);
  if (!d) throw new RangeError(`not a calendar date: ${JSON.stringify(date)}`);
  return d;
}

/** The date `days` after `date` (negative: before). */
export function addDays(date: IsoDate, days: number): IsoDate {
  const { year, month, day } = mustParse(date);
  const t = new Date(Date.UTC(year, month - 1, day + days));
  return isoDate(t.getUTCFullYear(), t.getUTCMonth() + 1, t.getUTCDate());
}

/** 1 = Monday … 7 = Sunday. */
export function weekdayOf(date: IsoDate): number {
  const { year, month, day } = mustParse(date);
  return new Date(Date.UTC(year, month - 1, day)).getUTCDay() || 7;
}

/** The local date in `tz` at epoch ms `ms`. */
export function localDate(ms: number, tz: string): IsoDate {
  const l = toLocal(ms, tz);
  return isoDate(l.year, l.month, l.day);
}

/** Epoch ms of `date` at `hour:minute` local time in `tz` (midnight by default). */
export function localDateTime(date: IsoDate, tz: string, time: { hour?: number; minute?: number } = {}): number {
  const { year, month, day } = mustParse(date);
  return fromLocal({ year, month, day, hour: time.hour ?? 0, minute: time.minute ?? 0 }, tz);
}

const coveredByPackage = new Map<number, boolean>();

/** Whether `chinese-days` has data for `year`: any public holiday in it (weekends aside). */
export function chineseDaysCovers(year: number): boolean {
  let covered = coveredByPackage.get(year);
  if (covered === undefined) {
    covered = chineseDays.getHolidaysInRange(`${year}-01-01`, `${year}-12-31`, false).length > 0;
    coveredByPackage.set(year, covered);
  }
  return covered;
}

/** `National Day,国庆节,3` → `国庆节`. */
function holidayNameOf(packageName: string): string | undefined {
  const parts = packageName.split(',');
  return parts.length >= 2 ? parts[1] || parts[0] : undefined;
}

/** How far a search for a working day goes before it gives up: no real calendar gets near this. */
const MAX_SCAN_DAYS = 366;

export class WorkCalendar {
  private readonly overrides = new Map<IsoDate, CalendarOverride>();
  private readonly overrideYears = new Set<number>();

  constructor(overrides: readonly CalendarOverride[]) {
    for (const o of overrides) {
      const { year } = mustParse(o.date);
      this.overrides.set(o.date, o);
      this.overrideYears.add(year);
    }
  }

  /** Whether `year` has data: `chinese-days` covers it, or the override table has a day in it. */
  isCovered(year: number): boolean {
    return this.overrideYears.has(year) || chineseDaysCovers(year);
  }

  /** The years from `fromYear` to `toYear` (both included) with no data: their days are guessed. */
  yearsWithoutData(fromYear: number, toYear: number): number[] {
    const years: number[] = [];
    for (let y = fromYear; y <= toYear; y++) if (!this.isCovered(y)) years.push(y);
    return years;
  }

  /** An override wins; else `chinese-days` for a year it covers; else Monday–Friday (see `DaySource`). */
  dayKind(date: IsoDate): DayKind {
    const { year } = mustParse(date);
    const override = this.overrides.get(date);
    if (override) {
      const workday = override.kind === 'workday';
      return { workday, source: 'override', ...(!workday && override.name ? { holidayName: override.name } : {}) };
    }
    if (chineseDaysCovers(year)) {
      const detail = chineseDays.getDayDetail(date);
      const holidayName = detail.work ? undefined : holidayNameOf(detail.name);
      return { workday: detail.work, source: 'chinese-days', ...(holidayName ? { holidayName } : {}) };
    }
    const workday = weekdayOf(date) <= 5;
    return { workday, source: this.overrideYears.has(year) ? 'weekday' : 'weekday-guess' };
  }

  /** The first working day from `date` on: `date` itself when `includeSelf` and it is one, else a later day. */
  nextWorkday(date: IsoDate, options: { includeSelf?: boolean } = {}): WorkdayAnswer {
    const gaps = new Set<number>();
    let day = options.includeSelf ? date : addDays(date, 1);
    for (let i = 0; i < MAX_SCAN_DAYS; i++, day = addDays(day, 1)) {
      const kind = this.dayKind(day);
      if (kind.source === 'weekday-guess') gaps.add(mustParse(day).year);
      if (kind.workday) return { date: day, gaps: [...gaps].sort((a, b) => a - b) };
    }
    throw new Error(`no working day within ${MAX_SCAN_DAYS} days after ${date}`);
  }

  /** The first working day of a month (1-12). */
  firstWorkdayOfMonth(year: number, month: number): WorkdayAnswer {
    if (!Number.isInteger(month) || month < 1 || month > 12) throw new RangeError(`month ${month} is not 1-12`);
    return this.nextWorkday(isoDate(year, month, 1), { includeSelf: true });
  }

  /** The first working day of a quarter (1-4). */
  firstWorkdayOfQuarter(year: number, quarter: number): WorkdayAnswer {
    if (!Number.isInteger(quarter) || quarter < 1 || quarter > 4) throw new RangeError(`quarter ${quarter} is not 1-4`);
    return this.firstWorkdayOfMonth(year, quarter * 3 - 2);
  }
}
