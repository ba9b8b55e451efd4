import { describe, expect, it } from 'vitest';
import { fromLocal, isoWithOffset, parseInstant, quarterKey, quarterOfKey, toLocal } from '../src/domain/time.ts';
import { linkTokenHash, newId, newLinkToken } from '../src/core/ids.ts';

describe('time zones', () => {
  it('formats an instant with the zone offset', () => {
    expect(isoWithOffset(Date.UTC(2026, 10, 28, 2, 0, 0, 5), 'Asia/Shanghai')).toBe('2026-11-28T10:00:00.005+08:00');
    expect(isoWithOffset(Date.UTC(2026, 6, 1, 12), 'America/New_York')).toBe('2026-07-01T08:00:00.000-04:00');
    expect(isoWithOffset(Date.UTC(2026, 0, 1), 'UTC')).toBe('2026-01-01T00:00:00.000+00:00');
  });

  it('reads wall-clock times in the zone', () => {
    expect(fromLocal({ year: 2026, month: 12, day: 5, hour: 14, minute: 30 }, 'Asia/Shanghai')).toBe(Date.UTC(2026, 11, 5, 6, 30));
    expect(toLocal(Date.UTC(2026, 11, 5, 6, 30), 'Asia/Shanghai')).toMatchObject({ year: 2026, month: 12, day: 5, hour: 14, weekday: 6 });
    // Across a DST change: 2026-03-08 02:30 does not exist in New York; it moves forward.
    expect(isoWithOffset(fromLocal({ year: 2026, month: 3, day: 8, hour: 12 }, 'America/New_York'), 'America/New_York')).toBe(
      '2026-03-08T12:00:00.000-04:00',
    );
  });

  it.each([
    ['1795843840000', 1795843840000],
    ['2026-11-28T10:00:00+08:00', Date.UTC(2026, 10, 28, 2)],
    ['2026-11-28T02:00:00Z', Date.UTC(2026, 10, 28, 2)],
    ['2026-11-28', Date.UTC(2026, 10, 27, 16)],
    ['2026-11-28 10:00', Date.UTC(2026, 10, 28, 2)],
    ['yesterday', null],
    ['2026-13-01', null],
  ])('parseInstant(%j)', (text, expected) => {
    expect(parseInstant(text, 'Asia/Shanghai')).toBe(expected);
  });
});

describe('newId', () => {
  it('sorts by time and does not repeat', () => {
    const ids = Array.from({ length: 1000 }, (_, i) => newId(1_795_843_840_000 + i));
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(Array.from({ length: 1000 }, () => newId(1)))).toHaveProperty('size', 1000);
    expect(ids[0]).toHaveLength(21);
  });
});

describe('quarter keys', () => {
  const TZ = 'Asia/Shanghai';
  it('names the quarter around a moment in the zone, and reads a key back to its range and name', () => {
    // 2026-12-31 17:00 UTC is already 2027-01-01 01:00 in Shanghai.
    expect(quarterKey(Date.UTC(2026, 11, 31, 17), TZ)).toBe('2027-Q1');
    expect(quarterKey(Date.UTC(2026, 11, 31, 15), TZ)).toBe('2026-Q4');
    expect(quarterOfKey('2026-Q4', TZ)).toEqual({
      from: fromLocal({ year: 2026, month: 10, day: 1 }, TZ),
      to: fromLocal({ year: 2027, month: 1, day: 1 }, TZ),
      label: '2026年第四季度',
    });
    expect(quarterOfKey(' 2027-Q1 ', TZ)?.label).toBe('2027年第一季度');
    for (const bad of ['2026-Q5', '2026Q4', '26-Q1', '']) expect(quarterOfKey(bad, TZ)).toBeNull();
  });
});

describe('link tokens', () => {
  it('are long, URL-safe, different each time, and stored only as their SHA-256', () => {
    const a = newLinkToken();
    const b = newLinkToken();
    expect(a.token).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(a.token).not.toBe(b.token);
    expect(a.hash).toBe(linkTokenHash(a.token));
    expect(a.hash).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe('toLocal against Intl', () => {
  // The quarter-hour cache of offsets must agree with Intl itself, in zones with DST,
  // half-hour DST (Lord Howe) and 45-minute offsets, across two years of instants.
  const formats = new Map<string, Intl.DateTimeFormat>();
  const format = (tz: string) =>
    formats.get(tz) ??
    formats
      .set(
        tz,
        new Intl.DateTimeFormat('en-US', {
          timeZone: tz,
          hourCycle: 'h23',
          year: 'numeric',
          month: 'numeric',
          day: 'numeric',
          hour: 'numeric',
          minute: 'numeric',
          second: 'numeric',
          weekday: 'short',
        }),
      )
      .get(tz)!;
  const reference = (ms: number, tz: string) => {
    const parts = Object.fromEntries(
      format(tz)
        .formatToParts(new Date(ms))
        .map((p) => [p.type, p.value]),
    );
    const weekday = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'].indexOf(parts.weekday!) + 1;
    return {
      year: +parts.year!,
      month: +parts.month!,
      day: +parts.day!,
      hour: +parts.hour!,
      minute: +parts.minute!,
      second: +parts.second!,
      weekday,
    };
  };
  it.each(['Asia/Shanghai', 'America/New_York', 'Australia/Lord_Howe', 'Asia/Kathmandu', 'Pacific/Chatham'])('%s', (tz) => {
    const mismatches: number[] = [];
    const check = (ms: number) => {
      if (JSON.stringify(toLocal(ms, tz)) !== JSON.stringify(reference(ms, tz))) mismatches.push(ms);
    };
    for (let ms = Date.UTC(2025, 0, 1); ms < Date.UTC(2027, 0, 1); ms += 61 * 60_000 + 17_000) check(ms);
    // Every second around the changes of 2026 (found as the hours where the offset moves).
    const offset = (ms: number) => {
      const l = reference(ms, tz);
      return Date.UTC(l.year, l.month - 1, l.day, l.hour, l.minute, l.second) - ms;
    };
    for (let hour = Date.UTC(2026, 0, 1); hour < Date.UTC(2027, 0, 1); hour += 3_600_000) {
      if (offset(hour) === offset(hour + 3_600_000)) continue;
      for (let ms = hour - 60_000; ms < hour + 3_600_000 + 60_000; ms += 1_000) check(ms);
    }
    expect(mismatches).toEqual([]);
  });
});
