import { type IsoDate, localDate, parseIsoDate } from './calendar.ts';

// ISO 8601 weeks (Monday–Sunday; week 1 holds the year's first Thursday), as `YYYY-Www`: the key
// of a weekly digest, taken in the org's time zone.

const pad = (n: number) => String(n).padStart(2, '0');

/** The ISO week of a calendar date: `2026-W53` for 2027-01-01 (a Friday). */
export function isoWeekOfDate(date: IsoDate): string {
  const d = parseIsoDate(date);
  if (!d) throw new RangeError(`not a calendar date: ${JSON.stringify(date)}`);
  const day = new Date(Date.UTC(d.year, d.month - 1, d.day));
  const weekday = day.getUTCDay() || 7;
  // The Thursday of the same week decides the year; its day of year decides the week.
  const thursday = new Date(day.getTime() + (4 - weekday) * 86_400_000);
  const year = thursday.getUTCFullYear();
  const week = Math.floor((thursday.getTime() - Date.UTC(year, 0, 1)) / (7 * 86_400_000)) + 1;
  return `${year}-W${pad(week)}`;
}

/** The ISO week, `YYYY-Www`, of the instant `ms` in the zone `tz`. */
export function isoWeek(ms: number, tz: string): string {
  return isoWeekOfDate(localDate(ms, tz));
}

const ISO_WEEK = /^(\d{4})-W(\d{2})$/;

/** The Monday and Sunday of an ISO week `YYYY-Www`; null when it is not one (2025-W53 is not). */
export function isoWeekRange(week: string): { monday: IsoDate; sunday: IsoDate } | null {
  const m = ISO_WEEK.exec(week);
  if (!m) return null;
  const [year, n] = [Number(m[1]), Number(m[2])];
  // January 4th is always in week 1.
  const jan4 = Date.UTC(year, 0, 4);
  const monday = new Date(jan4 - ((new Date(jan4).getUTCDay() || 7) - 1) * 86_400_000 + (n - 1) * 7 * 86_400_000);
  const sunday = new Date(monday.getTime() + 6 * 86_400_000);
  const iso = (t: Date) => `${t.getUTCFullYear()}-${pad(t.getUTCMonth() + 1)}-${pad(t.getUTCDate())}`;
  if (n < 1 || isoWeekOfDate(iso(monday)) !== week) return null;
  return { monday: iso(monday), sunday: iso(sunday) };
}
