import { describe, expect, it } from 'vitest';
import { fromLocal, isoWithOffset, parseInstant, toLocal } from '../src/domain/time.ts';
import { newId } from '../src/core/ids.ts';

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
