// A five-field cron check (minute hour day-of-month month day-of-week) at PUT time, so that a typo
// is a 400 for the admin rather than a scheduler failure later. Covers numbers, names, *, ranges,
// lists and steps; the rarer L/W/# forms are refused.

const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const DAYS = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];

const FIELDS: { min: number; max: number; names?: string[]; base?: number }[] = [
  { min: 0, max: 59 },
  { min: 0, max: 23 },
  { min: 1, max: 31 },
  { min: 1, max: 12, names: MONTHS, base: 1 },
  { min: 0, max: 7, names: DAYS, base: 0 },
];

const ITEM = /^(?:(\*)|([0-9A-Za-z]+)(?:-([0-9A-Za-z]+))?)(?:\/(\d+))?$/;

function value(text: string, field: (typeof FIELDS)[number]): number | null {
  if (/^\d+$/.test(text)) {
    const n = Number(text);
    return n >= field.min && n <= field.max ? n : null;
  }
  const i = field.names?.indexOf(text.toUpperCase()) ?? -1;
  return i < 0 ? null : i + field.base!;
}

export function isCron(text: string): boolean {
  const parts = text.trim().split(/\s+/);
  if (parts.length !== FIELDS.length) return false;
  return parts.every((part, i) =>
    part.split(',').every((item) => {
      const m = ITEM.exec(item);
      if (!m) return false;
      const [, star, from, to, step] = m;
      if (step !== undefined && Number(step) < 1) return false;
      if (star) return true;
      const a = value(from!, FIELDS[i]!);
      const b = to === undefined ? a : value(to, FIELDS[i]!);
      return a !== null && b !== null && a <= b;
    }),
  );
}
