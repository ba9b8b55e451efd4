/** A day in ms: a calendar day's length only in UTC; days in a zone are counted with domain/time.ts. */
export const DAY_MS = 86_400_000;

const UNIT_MS = { s: 1000, m: 60_000, h: 3_600_000, d: DAY_MS } as const;

/** `30m` → 1 800 000; units s, m, h, d; null when malformed. */
export function parseDuration(text: string): number | null {
  const match = /^\s*(\d+(?:\.\d+)?)\s*([smhd])\s*$/.exec(text);
  if (!match) return null;
  const ms = Number(match[1]) * UNIT_MS[match[2] as keyof typeof UNIT_MS];
  return Number.isFinite(ms) && ms > 0 ? Math.round(ms) : null;
}

/** `24h,1h` → [86 400 000, 3 600 000]; null when any item is malformed or the list is empty. */
export function parseDurationList(text: string): number[] | null {
  const items = text.split(',').map(parseDuration);
  if (items.length === 0 || items.some((ms) => ms === null)) return null;
  return items as number[];
}
