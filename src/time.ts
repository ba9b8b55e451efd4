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
      weekday: 'short',
    });
    formatters.set(tz, f);
  }
  return f;
}

const WEEKDAYS: Record<string, number> = { Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6, Sun: 7 };

export function toLocal(ms: number, tz: string): LocalTime {
  const parts: Record<string, string> = {};
  for (const p of formatter(tz).formatToParts(new Date(ms))) parts[p.type] = p.value;
  return {
    year: Number(parts.year),
    month: Number(parts.month),
    day: Number(parts.day),
    hour: Number(parts.hour),
    minute: Number(parts.minute),
    second: Number(parts.second),
    weekday: WEEKDAYS[parts.weekday!]!,
  };
}

/** The zone's offset from UTC at `ms`, in minutes (Asia/Shanghai: +480). */
export function offsetMinutes(ms: number, tz: string): number {
  const l = toLocal(ms, tz);
  const asUtc = Date.UTC(l.year, l.month - 1, l.day, l.hour, l.minute, l.second);
  return Math.round((asUtc - (ms - (ms % 1000 + 1000) % 1000)) / 60_000);
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
