import * as chrono from 'chrono-node';
import { offsetMinutes } from '../time.ts';

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

export function parseMeetingTime(text: string, now: number, tz: string): TimeResult {
  const input = normalise(text);
  if (!input) return { ok: false, reason: `请写明会议时间，${TIME_EXAMPLES}。` };
  const [result] = chrono.zh.hans.parse(input, { instant: new Date(now), timezone: offsetMinutes(now, tz) }, { forwardDate: true });
  const understood = result && result.index === 0 && result.text.replace(/\s/g, '') === input.replace(/\s/g, '');
  if (!result || !understood) return { ok: false, reason: `看不懂时间「${text.trim()}」，${TIME_EXAMPLES}。` };
  const start = result.start;
  if (!start.isCertain('day') && !start.isCertain('weekday')) {
    return { ok: false, reason: `时间「${text.trim()}」没有写哪一天，请加上日期，例如「明天下午3点」或「12月5日 15:00」。` };
  }
  if (!start.isCertain('hour')) return { ok: false, reason: `时间「${text.trim()}」没有写几点，请加上具体时刻，例如「15:00」。` };
  const at = start.date().getTime();
  if (at <= now) return { ok: false, reason: `时间「${text.trim()}」已经过去了，请写一个将来的时间。` };
  return { ok: true, at };
}
