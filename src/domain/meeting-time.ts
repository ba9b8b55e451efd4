import * as chrono from 'chrono-node';
import { quote } from './markdown.ts';
import { fromLocal, toLocal } from './time.ts';

// Meeting times as secretaries type them: `12月5日 14:30`, `2026-12-05 14:30`, `明天下午3点`,
// `下周三 15:00`, `周五上午9点半`, read in the org's time zone. chrono-node's zh parser does the
// reading; what counts as complete (a day and an hour, the whole text understood) is decided here.

export type TimeResult = { ok: true; at: number } | { ok: false; reason: string };

/** A meeting to come (安排, 改期), or one already held (补录). */
export type Direction = 'ahead' | 'past';

export const TIME_EXAMPLES = '例如 12月5日 14:30、2026-12-05 14:30、明天下午3点、下周三 15:00';
const PAST_EXAMPLES = '例如 11月20日 15:00、上周三下午3点、昨天上午9点';

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
 * morning is said or the time is written 24-hour style; 7–11 the morning, 12 noon.
 */
function meetingHour(hour: number, meridiemSaid: boolean, text: string): number {
  if (meridiemSaid || hour < 1 || hour > 6 || MORNING.test(text) || LEADING_ZERO.test(text)) return hour;
  return hour + 12;
}

// A weekday, with the week it falls in: 本周/这周 this week, 下周 the next, 下下周 the one after,
// 上周 the last (Monday to Sunday); none: the coming one (the last one, for a meeting already held).
const WEEKDAY = /^(本|这|下下|下|上)?(?:周|星期|礼拜)([一二三四五六日天])/u;
const WEEKS: Record<string, number> = { 本: 0, 这: 0, 下: 1, 下下: 2, 上: -1 };
const DAY_NUMBER: Record<string, number> = { 一: 1, 二: 2, 三: 3, 四: 4, 五: 5, 六: 6, 日: 7, 天: 7 };

/**
 * The weekday a text starts with, written out as the date it names (`2026年12月11日…`), which
 * chrono reads without guessing the week; `bare`: said without its week, so a time on the wrong side
 * of now today means the same day a week on (or back, for a meeting already held).
 */
function weekdayAsDate(
  input: string,
  today: { year: number; month: number; day: number },
  direction: Direction,
): { text: string; bare: boolean } | null {
  const m = WEEKDAY.exec(input);
  if (!m) return null;
  const todayUtc = Date.UTC(today.year, today.month - 1, today.day);
  const weekday = new Date(todayUtc).getUTCDay() || 7;
  const wanted = DAY_NUMBER[m[2]!]!;
  const bareWeeks = direction === 'ahead' ? (wanted < weekday ? 1 : 0) : wanted > weekday ? -1 : 0;
  const weeks = m[1] === undefined ? bareWeeks : WEEKS[m[1]]!;
  const date = new Date(todayUtc + (wanted - weekday + 7 * weeks) * 86_400_000);
  const written = `${date.getUTCFullYear()}年${date.getUTCMonth() + 1}月${date.getUTCDate()}日`;
  return { text: written + input.slice(m[0].length), bare: m[1] === undefined };
}

// 晚上12点 (夜里, 半夜, 深夜) is the midnight that ends the day, not noon.
const MIDNIGHT = /(晚上|夜里|夜间|半夜|深夜)\s*(12|十二)\s*[点:：时]/u;

/** A month-day without a year this far on the wrong side of now is next year's (last year's, for a meeting held), not a mistake. */
const PAST_HORIZON_MS = 183 * 86_400_000;

/** Further ahead than this is a typo (a wrong year), not a meeting anyone schedules. */
const FUTURE_HORIZON_MS = 366 * 86_400_000;

export function parseMeetingTime(text: string, now: number, tz: string, direction: Direction = 'ahead'): TimeResult {
  const l = toLocal(now, tz);
  const said = normalise(text);
  const examples = direction === 'ahead' ? TIME_EXAMPLES : PAST_EXAMPLES;
  if (!said) return { ok: false, reason: `请写明会议时间，${examples}。` };
  const weekday = weekdayAsDate(said, l, direction);
  const input = weekday?.text ?? said;
  // A day and a part of it, but no hour (`2027年1月15日下午`), is missing its hour like `周五下午`.
  if (/(上午|下午|中午|晚上|早上)$/u.test(input) && !/\d[:：点时]|[点时]/u.test(input.replace(/\d+[年月日号]/gu, ''))) {
    return { ok: false, reason: `时间${quote(text)}没有写几点，请加上具体时刻，例如「15:00」。` };
  }
  // chrono reads 今天/明天 on the process's calendar whatever zone it is given, so it is handed the
  // org's wall-clock time as a process-local date and its answer read back as org wall-clock time.
  // Not its forwardDate: that turns a past `11月20日` into next year's and today's `周六` into next week's.
  const reference = new Date(l.year, l.month - 1, l.day, l.hour, l.minute, l.second);
  const [result] = chrono.zh.hans.parse(input, reference);
  const understood = result && result.index === 0 && result.text.replace(/\s/g, '') === input.replace(/\s/g, '');
  if (!result || !understood) return { ok: false, reason: `看不懂时间${quote(text)}，${examples}。` };
  const start = result.start;
  if (!start.isCertain('day') && !start.isCertain('weekday')) {
    return { ok: false, reason: `时间${quote(text)}没有写哪一天，请加上日期，例如「明天下午3点」或「12月5日 15:00」。` };
  }
  if (!start.isCertain('hour')) return { ok: false, reason: `时间${quote(text)}没有写几点，请加上具体时刻，例如「15:00」。` };
  const midnight = MIDNIGHT.test(input) && start.get('hour') === 12 && (start.get('minute') ?? 0) === 0;
  const wall = {
    year: start.get('year')!,
    month: start.get('month')!,
    day: start.get('day')! + (midnight ? 1 : 0),
    hour: midnight ? 0 : meetingHour(start.get('hour')!, start.isCertain('meridiem'), input),
    minute: start.get('minute') ?? 0,
  };
  const yearLeftOut = !start.isCertain('year') && start.isCertain('month');
  if (direction === 'past') {
    // A bare weekday or a month-day still to come means the last one (`周五` on a Monday, `12月20日` in January).
    let held = fromLocal(wall, tz);
    if (held > now && weekday?.bare) held = fromLocal({ ...wall, day: wall.day - 7 }, tz);
    else if (held > now && yearLeftOut && held - now > PAST_HORIZON_MS) held = fromLocal({ ...wall, year: wall.year - 1 }, tz);
    if (held > now) return { ok: false, reason: `时间${quote(text)}还没有到：补录只能记已经召开的会议，将来的会议请用「安排」。` };
    return { ok: true, at: held };
  }
  let at = fromLocal(wall, tz);
  if (at <= now && weekday?.bare) at = fromLocal({ ...wall, day: wall.day + 7 }, tz);
  else if (at <= now && yearLeftOut && now - at > PAST_HORIZON_MS) {
    at = fromLocal({ ...wall, year: wall.year + 1 }, tz);
  }
  if (at <= now) return { ok: false, reason: `时间${quote(text)}已经过去了，请写一个将来的时间。` };
  if (at - now > FUTURE_HORIZON_MS) return { ok: false, reason: `时间${quote(text)}超过一年以后，请写一年以内的时间。` };
  return { ok: true, at };
}
