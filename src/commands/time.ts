import * as chrono from 'chrono-node';
import { fromLocal, offsetMinutes, toLocal } from '../time.ts';

// Meeting times as secretaries type them: `12月5日 14:30`, `2026-12-05 14:30`, `明天下午3点`,
// `下周三 15:00`, `周五上午9点半`, read in the org's time zone. chrono-node's zh parser does the
// reading; what counts as complete (a day and an hour, the whole text understood) is decided here.

export type TimeResult = { ok: true; at: number } | { ok: false; reason: string };

export const TIME_EXAMPLES = '例如 12月5日 14:30、2026-12-05 14:30、明天下午3点、下周三 15:00';

function normalise(text: string): string {
  return (
    text
      .normalize('NFKC')
      .trim()
      // `12/5 14:30` (month/day), which chrono's zh parser does not read.
      .replace(/^(\d{1,2})\/(\d{1,2})(?!\d)/, '$1月$2日')
      .replace(/\s+/g, ' ')
  );
}

/** A month-day without a year this far in the past is a mistake, not next year's date. */
const PAST_HORIZON_MS = 183 * 86_400_000;

function shift(ms: number, tz: string, by: { years?: number; days?: number }): number {
  const l = toLocal(ms, tz);
  return fromLocal({ year: l.year + (by.years ?? 0), month: l.month, day: l.day + (by.days ?? 0), hour: l.hour, minute: l.minute, second: l.second }, tz);
}

export function parseMeetingTime(text: string, now: number, tz: string): TimeResult {
  // `本周五` / `这周五` mean this week's Friday, even if it has passed; a bare `周五` means the next one.
  const thisWeek = /^\s*(本|这)周/.test(text);
  const input = normalise(text).replace(/^(本|这)周/, '周');
  if (!input) return { ok: false, reason: `请写明会议时间，${TIME_EXAMPLES}。` };
  // Not chrono's forwardDate: it turns a past `11月20日` into next year's and today's `周六` into next week's.
  const [result] = chrono.zh.hans.parse(input, { instant: new Date(now), timezone: offsetMinutes(now, tz) });
  const understood = result && result.index === 0 && result.text.replace(/\s/g, '') === input.replace(/\s/g, '');
  if (!result || !understood) return { ok: false, reason: `看不懂时间「${text.trim()}」，${TIME_EXAMPLES}。` };
  const start = result.start;
  if (!start.isCertain('day') && !start.isCertain('weekday')) {
    return { ok: false, reason: `时间「${text.trim()}」没有写哪一天，请加上日期，例如「明天下午3点」或「12月5日 15:00」。` };
  }
  if (!start.isCertain('hour')) return { ok: false, reason: `时间「${text.trim()}」没有写几点，请加上具体时刻，例如「15:00」。` };
  let at = start.date().getTime();
  if (at <= now && !start.isCertain('year')) {
    if (start.isCertain('month') && now - at > PAST_HORIZON_MS) at = shift(at, tz, { years: 1 });
    else if (!start.isCertain('day') && !thisWeek) at = shift(at, tz, { days: 7 });
  }
  if (at <= now) return { ok: false, reason: `时间「${text.trim()}」已经过去了，请写一个将来的时间。` };
  return { ok: true, at };
}
