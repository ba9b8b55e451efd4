// Time-zone arithmetic on epoch ms with Intl only: the runtime's own tz database, no library needed
// for offsets; Chinese natural-language times are parsed elsewhere.

export interface LocalTime {
  year: number;
  month: number; // 1-12
  day: number;
  hour: number;
  minute: number;
  second: number;
  weekday: number; // 1 = Monday … 7 = Sunday
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(tz: string): Intl.DateTimeFormat {
  let f = formatters.get(tz);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: tz,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(tz, f);
  }
  return f;
}

export function toLocal(ms: number, tz: string): LocalTime {
  const d = new Date(ms + offsetMinutes(ms, tz) * 60_000);
  return {
    year: d.getUTCFullYear(),
    month: d.getUTCMonth() + 1,
    day: d.getUTCDate(),
    hour: d.getUTCHours(),
    minute: d.getUTCMinutes(),
    second: d.getUTCSeconds(),
    weekday: d.getUTCDay() || 7,
  };
}

const QUARTER_HOUR = 900_000;
/** Offsets by zone and quarter hour of UTC, as Intl is slow (a weekly digest of 1,000 branches asked it half a million times). */
const offsets = new Map<string, number>();

/**
 * The zone's offset from UTC at `ms`, in minutes (Asia/Shanghai: +480). Zones change their offset on
 * a quarter hour of UTC (since the 1970s; local mean times before then are read to the minute), so
 * one answer of Intl serves the whole quarter hour.
 */
export function offsetMinutes(ms: number, tz: string): number {
  const start = Math.floor(ms / QUARTER_HOUR) * QUARTER_HOUR;
  const key = `${tz}\n${start}`;
  let offset = offsets.get(key);
  if (offset === undefined) {
    const parts: Record<string, string> = {};
    for (const p of formatter(tz).formatToParts(new Date(start))) parts[p.type] = p.value;
    const asUtc = Date.UTC(
      Number(parts.year),
      Number(parts.month) - 1,
      Number(parts.day),
      Number(parts.hour),
      Number(parts.minute),
      Number(parts.second),
    );
    offset = Math.round((asUtc - start) / 60_000);
    if (offsets.size >= 100_000) offsets.clear();
    offsets.set(key, offset);
  }
  return offset;
}

/** Epoch ms of a wall-clock time in `tz` (a time skipped by DST moves forward by the gap). */
export function fromLocal(
  t: { year: number; month: number; day: number; hour?: number; minute?: number; second?: number },
  tz: string,
): number {
  const guess = Date.UTC(t.year, t.month - 1, t.day, t.hour ?? 0, t.minute ?? 0, t.second ?? 0);
  const first = guess - offsetMinutes(guess, tz) * 60_000;
  return guess - offsetMinutes(first, tz) * 60_000;
}

const pad = (n: number, width = 2) => String(Math.abs(n)).padStart(width, '0');

/** `2026-11-28T13:25:00.000+08:00`: ISO 8601 in the zone, with its offset. */
export function isoWithOffset(ms: number, tz: string): string {
  const l = toLocal(ms, tz);
  const off = offsetMinutes(ms, tz);
  const sign = off < 0 ? '-' : '+';
  const millis = ((ms % 1000) + 1000) % 1000;
  return (
    `${l.year}-${pad(l.month)}-${pad(l.day)}T${pad(l.hour)}:${pad(l.minute)}:${pad(l.second)}.${pad(millis, 3)}` +
    `${sign}${pad(Math.trunc(off / 60))}:${pad(off % 60)}`
  );
}

const ISO_LOCAL = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?)?$/;

/**
 * An instant from epoch ms or ISO 8601; an ISO time without an offset is read in `tz`.
 * Null when it is neither.
 */
export function parseInstant(text: string, tz: string): number | null {
  const s = text.trim();
  if (/^-?\d+$/.test(s)) return Number(s);
  const local = ISO_LOCAL.exec(s);
  if (local) {
    const [, y, mo, d, h, mi, se] = local.map((v) => (v === undefined ? undefined : Number(v)));
    if (mo! < 1 || mo! > 12 || d! < 1 || d! > 31 || (h ?? 0) > 23 || (mi ?? 0) > 59 || (se ?? 0) > 59) return null;
    return fromLocal({ year: y!, month: mo!, day: d!, hour: h, minute: mi, second: se }, tz);
  }
  if (!/^\d{4}-\d{2}-\d{2}T.*(Z|[+-]\d{2}:?\d{2})$/i.test(s)) return null;
  const ms = Date.parse(s);
  return Number.isNaN(ms) ? null : ms;
}

const WEEKDAY_NAMES = ['', '一', '二', '三', '四', '五', '六', '日'];

/** `12月5日（周六）14:30`, in the zone; the year only when it is not the year of `now`. */
export function formatLocal(ms: number, tz: string, now?: number): string {
  const l = toLocal(ms, tz);
  const year = now !== undefined && toLocal(now, tz).year !== l.year ? `${l.year}年` : '';
  return `${year}${l.month}月${l.day}日（周${WEEKDAY_NAMES[l.weekday]}）${pad(l.hour)}:${pad(l.minute)}`;
}

/** `2026年12月1日 14:30`: how a filed record (会议记录, 台账) writes a time. */
export function fileDateTime(ms: number, tz: string): string {
  const l = toLocal(ms, tz);
  return `${l.year}年${l.month}月${l.day}日 ${pad(l.hour)}:${pad(l.minute)}`;
}

/** `14:30` when `ms` falls on the same local day as `ref` (whose date is already said), else as formatLocal. */
export function formatNear(ms: number, ref: number, tz: string, now?: number): string {
  const [a, b] = [toLocal(ms, tz), toLocal(ref, tz)];
  if (a.year === b.year && a.month === b.month && a.day === b.day) return `${pad(a.hour)}:${pad(a.minute)}`;
  return formatLocal(ms, tz, now);
}

const QUARTER_NAMES = ['一', '二', '三', '四'];

/** `2026年第四季度`, for the quarter holding `month` (1–12). */
export const quarterName = (year: number, month: number) => `${year}年第${QUARTER_NAMES[Math.floor((month - 1) / 3)]}季度`;

export type CalendarPeriod = 'month' | 'quarter' | 'year';

/** [start, end) in epoch ms of the month, quarter or year around `ms` in the zone. */
export function periodRange(period: CalendarPeriod, ms: number, tz: string): { from: number; to: number } {
  const { year, month } = toLocal(ms, tz);
  const first = period === 'month' ? month : period === 'quarter' ? month - ((month - 1) % 3) : 1;
  const span = period === 'month' ? 1 : period === 'quarter' ? 3 : 12;
  const end = first + span;
  return {
    from: fromLocal({ year, month: first, day: 1 }, tz),
    to: end > 12 ? fromLocal({ year: year + 1, month: end - 12, day: 1 }, tz) : fromLocal({ year, month: end, day: 1 }, tz),
  };
}

/** `2026-Q4`: the quarter around `ms` in the zone, as the ledger's `?quarter=` and an export name it. */
export function quarterKey(ms: number, tz: string): string {
  const { year, month } = toLocal(ms, tz);
  return `${year}-Q${Math.floor((month - 1) / 3) + 1}`;
}

const QUARTER_KEY = /^(\d{4})-Q([1-4])$/;

/** The quarter a key such as `2026-Q4` names, with its name (`2026年第四季度`); null when it names none. */
export function quarterOfKey(key: string, tz: string): { from: number; to: number; label: string } | null {
  const m = QUARTER_KEY.exec(key.trim());
  if (!m) return null;
  const [year, month] = [Number(m[1]), (Number(m[2]) - 1) * 3 + 1];
  return { ...periodRange('quarter', fromLocal({ year, month, day: 1 }, tz), tz), label: quarterName(year, month) };
}
