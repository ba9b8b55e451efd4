import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { loadWorkCalendar } from '../db/calendar.ts';
import { ADMIN_TOKEN, type TestApp, startTestApp } from './helpers/app.ts';
import { DIALECTS } from './helpers/db.ts';

describe.each(DIALECTS)('admin calendar API on %s', (dialect) => {
  let t: TestApp;

  const rows = (date?: string) => {
    let query = t.db.selectFrom('calendar_overrides').selectAll();
    if (date !== undefined) query = query.where('date', '=', date);
    return query.execute();
  };

  const expectBadField = async (res: Response, field: string) => {
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: string; field: string };
    expect(body.field).toBe(field);
    expect(body.error.startsWith(`${field}: `)).toBe(true);
  };

  beforeAll(async () => {
    t = await startTestApp(dialect);
  });

  afterAll(async () => {
    await t?.close();
  });

  it('PUT is idempotent: one row, answered as stored', async () => {
    for (let i = 0; i < 2; i++) {
      const res = await t.admin('PUT', '/admin/calendar/2027-01-01', { kind: 'holiday', name: '元旦' });
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ date: '2027-01-01', kind: 'holiday', name: '元旦', updatedAt: '2026-11-28T10:00:00.000+08:00' });
    }
    expect(await rows('2027-01-01')).toHaveLength(1);

    // A later PUT replaces kind and name (an absent name clears it).
    t.clock.advance(60_000);
    const res = await t.admin('PUT', '/admin/calendar/2027-01-01', { kind: 'workday' });
    expect(await res.json()).toEqual({ date: '2027-01-01', kind: 'workday', name: null, updatedAt: '2026-11-28T10:01:00.000+08:00' });
    const stored = await rows('2027-01-01');
    expect(stored).toHaveLength(1);
    expect(stored[0]).toMatchObject({ kind: 'workday', name: null });
    expect((await t.admin('PUT', '/admin/calendar/2027-01-01', { kind: 'holiday', name: '元旦' })).status).toBe(200);
  });

  it('PUT answers 400 naming date for a date that is not a calendar date', async () => {
    for (const date of ['2027-02-30', 'tomorrow', '2027-2-01', '20270201']) {
      await expectBadField(await t.admin('PUT', `/admin/calendar/${date}`, { kind: 'holiday' }), 'date');
    }
    expect(await rows('2027-02-30')).toEqual([]);
  });

  it('PUT answers 400 naming the field of a bad body', async () => {
    await expectBadField(await t.admin('PUT', '/admin/calendar/2027-02-01', { kind: 'weekend' }), 'kind');
    await expectBadField(await t.admin('PUT', '/admin/calendar/2027-02-01', {}), 'kind');
    await expectBadField(await t.admin('PUT', '/admin/calendar/2027-02-01', { kind: 'holiday', note: 'x' }), 'note');
    await expectBadField(await t.admin('PUT', '/admin/calendar/2027-02-01', { kind: 'holiday', name: 'x'.repeat(101) }), 'name');
    await expectBadField(await t.admin('PUT', '/admin/calendar/2027-02-01', '{"kind": '), 'body');
    expect(await rows('2027-02-01')).toEqual([]);
  });

  it('answers 401 without a token and stores nothing', async () => {
    const res = await t.app.request('/admin/calendar/2027-03-01', {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ kind: 'holiday' }),
    });
    expect(res.status).toBe(401);
    expect(
      (
        await t.app.request('/admin/calendar/2027-03-01', {
          method: 'PUT',
          headers: { authorization: `Bearer ${ADMIN_TOKEN}x` },
          body: '{"kind":"holiday"}',
        })
      ).status,
    ).toBe(401);
    expect((await t.app.request('/admin/calendar?year=2027')).status).toBe(401);
    expect(await rows('2027-03-01')).toEqual([]);
  });

  it('GET lists a year’s overrides and whether the year is covered', async () => {
    expect((await t.admin('PUT', '/admin/calendar/2027-02-20', { kind: 'workday', name: '春节调休' })).status).toBe(200);
    expect((await t.admin('PUT', '/admin/calendar/2028-01-01', { kind: 'holiday', name: '元旦' })).status).toBe(200);

    const y2027 = await t.admin('GET', '/admin/calendar?year=2027');
    expect(y2027.status).toBe(200);
    const body = (await y2027.json()) as { year: number; covered: boolean; coveredBy: string | null; overrides: { date: string }[] };
    expect(body).toMatchObject({ year: 2027, covered: true, coveredBy: 'overrides' });
    expect(body.overrides.map((o) => o.date)).toEqual(['2027-01-01', '2027-02-20']);
    expect(body.overrides[1]).toEqual({
      date: '2027-02-20',
      kind: 'workday',
      name: '春节调休',
      updatedAt: '2026-11-28T10:01:00.000+08:00',
    });

    expect(await (await t.admin('GET', '/admin/calendar?year=2026')).json()).toEqual({
      year: 2026,
      covered: true,
      coveredBy: 'chinese-days',
      overrides: [],
    });
    expect(await (await t.admin('GET', '/admin/calendar?year=2029')).json()).toEqual({
      year: 2029,
      covered: false,
      coveredBy: null,
      overrides: [],
    });
    await expectBadField(await t.admin('GET', '/admin/calendar?year=next'), 'year');
    await expectBadField(await t.admin('GET', '/admin/calendar'), 'year');

    // The stored overrides are what the schedules' calendar is built from.
    const calendar = await loadWorkCalendar(t.db);
    expect(calendar.dayKind('2027-02-20')).toEqual({ workday: true, source: 'override' });
    expect(calendar.yearsWithoutData(2026, 2029)).toEqual([2029]);
  });
});
