import { addDays, localDateTime } from '../calendar.ts';
import { isoWeekRange } from '../iso-week.ts';
import type { DigestWindow } from './types.ts';

/** The time span of an ISO week in the org's zone, as of `now` (the figures of a running week are "so far"). */
export function digestWindow(week: string, tz: string, now: number): DigestWindow | null {
  const range = isoWeekRange(week);
  if (!range) return null;
  const from = localDateTime(range.monday, tz);
  const to = localDateTime(addDays(range.monday, 7), tz);
  return { week, from, to, previousFrom: localDateTime(addDays(range.monday, -7), tz), asOf: Math.min(to - 1, now), tz };
}
