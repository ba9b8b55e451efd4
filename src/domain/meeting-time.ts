import * as chrono from 'chrono-node';
import { quote } from './markdown.ts';
import { fromLocal, toLocal } from './time.ts';

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

// Said of the morning: a bare 1–6 with one of these stays before noon.
const MORNING = /上午|早上|早晨|清晨|凌晨|早/u;
// `03:30` with its zero is a 24-hour time, meant as written.
const LEADING_ZERO = /(^|\D)0\d[:：点]/u;

/**
 * Meetings are held in working hours: a bare hour 1–6 (`明天3点`) means the afternoon, unless the
 * morning is said or the time is written 24-hour style; 7–11 the morning, 12 noon (SPEC §9.2).
 */
function meetingHour(hour: number, meridiemSaid: boolean, text: string): number {
  if (meridiemSaid || hour < 1 || hour > 6 || MORNING.test(text) || LEADING_ZERO.test(text)) return hour;
  return hour + 12;
}

/** A month-day without a year this far in the past is a mistake, not next year's date. */
const PAST_HORIZON_MS = 183 * 86_400_000;

/** Further ahead than this is a typo (a wrong year), not a meeting anyone schedules. */
const FUTURE_HORIZON_MS = 366 * 86_400_000;

export function parseMeetingTime(text: string, now: number, tz: string): TimeResult {
  // `本周五` / `这周五` mean this week's Friday, even if it has passed; a bare `周五` means the next one.
  const thisWeek = /^\s*(本|这)周/.test(text);
  const input = normalise(text).replace(/^(本|这)周/, '周');
  if (!input) return { ok: false, reason: `请写明会议时间，${TIME_EXAMPLES}。` };
  // chrono reads 今天/明天 on the process's calendar whatever zone it is given, so it is handed the
  // org's wall-clock time as a process-local date and its answer read back as org wall-clock time.
  // Not its forwardDate: that turns a past `11月20日` into next year's and today's `周六` into next week's.
  const l = toLocal(now, tz);
  const reference = new Date(l.year, l.month - 1, l.day, l.hour, l.minute, l.second);
  const [result] = chrono.zh.hans.parse(input, reference);
  const understood = result && result.index === 0 && result.text.replace(/\s/g, '') === input.replace(/\s/g, '');
  if (!result || !understood) return { ok: false, reason: `看不懂时间${quote(text)}，${TIME_EXAMPLES}。` };
  const start = result.start;
  if (!start.isCertain('day') && !start.isCertain('weekday')) {
    return { ok: false, reason: `时间${quote(text)}没有写哪一天，请加上日期，例如「明天下午3点」或「12月5日 15:00」。` };
  }
  if (!start.isCertain('hour')) return { ok: false, reason: `时间${quote(text)}没有写几点，请加上具体时刻，例如「15:00」。` };
  const wall = {
    year: start.get('year')!,
    month: start.get('month')!,
    day: start.get('day')!,
    hour: meetingHour(start.get('hour')!, start.isCertain('meridiem'), input),
    minute: start.get('minute') ?? 0,
  };
  let at = fromLocal(wall, tz);
  if (at <= now && !start.isCertain('year')) {
    if (start.isCertain('month') && now - at > PAST_HORIZON_MS) at = fromLocal({ ...wall, year: wall.year + 1 }, tz);
    else if (!start.isCertain('day') && !thisWeek) at = fromLocal({ ...wall, day: wall.day + 7 }, tz);
  }
  if (at <= now) return { ok: false, reason: `时间${quote(text)}已经过去了，请写一个将来的时间。` };
  if (at - now > FUTURE_HORIZON_MS) return { ok: false, reason: `时间${quote(text)}超过一年以后，请写一年以内的时间。` };
  return { ok: true, at };
}
