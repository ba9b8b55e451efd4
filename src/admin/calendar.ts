import { Hono } from 'hono';
import type { Kysely } from 'kysely';
import type { ServiceDeps } from './deps.ts';
import { WorkCalendar, chineseDaysCovers, parseIsoDate } from '../domain/calendar.ts';
import { isoWithOffset } from '../domain/time.ts';
import type { CalendarOverrideTable, Database } from '../../db/schema.ts';
import { getCalendarOverride, listCalendarOverrides, putCalendarOverride } from '../../db/calendar.ts';
import { type Acting, apiActing, audit, authorise } from './acting.ts';
import { badField, handle, readJson } from './http.ts';
import { overrideSchema } from './schemas.ts';

const DATE_REASON = 'expects a calendar date YYYY-MM-DD';

// The calendar is national, not per org: times are shown in the deployment's default zone.
const overrideJson = (o: CalendarOverrideTable, tz: string) => ({
  date: o.date,
  kind: o.kind,
  name: o.name,
  updatedAt: isoWithOffset(o.updated_at, tz),
});

/**
 * Overrides the working-day calendar for one date, for every org: IT's to change (the policy), and
 * on the trail with no org, so that every org's trail shows it.
 */
export async function putOverride(
  db: Kysely<Database>,
  acting: Acting,
  row: Pick<CalendarOverrideTable, 'date' | 'kind' | 'name'>,
  now: number,
): Promise<void> {
  authorise(acting, 'calendar.write', { kind: 'deployment', onlyOrg: null });
  await db.transaction().execute(async (trx) => {
    await putCalendarOverride(trx, row, now);
    await audit(trx, acting, {
      at: now,
      orgId: null,
      action: 'calendar.write',
      object: `calendar:${row.date}`,
      detail: { kind: row.kind, name: row.name },
    });
  });
}

/**
 * `PUT /admin/calendar/:date` — overrides the working-day calendar for one date,
 * which fills the years `chinese-days` has no data for — and `GET /admin/calendar?year=` listing a
 * year's overrides and whether the year has data at all.
 */
export function calendarRoutes(deps: Pick<ServiceDeps, 'db' | 'clock' | 'config'>): Hono {
  const { db, clock } = deps;
  const tz = deps.config.TZ_DEFAULT;
  const app = new Hono();

  app.put(
    '/calendar/:date',
    handle(async (c) => {
      const date = c.req.param('date') ?? '';
      if (!parseIsoDate(date)) throw badField('date', DATE_REASON);
      const body = await readJson(c, overrideSchema);
      await putOverride(db, apiActing(c, deps.config), { date, kind: body.kind, name: body.name }, clock.now());
      return c.json(overrideJson((await getCalendarOverride(db, date))!, tz));
    }),
  );

  app.get(
    '/calendar',
    handle(async (c) => {
      const text = c.req.query('year') ?? '';
      if (!/^\d{4}$/.test(text) || Number(text) < 1000) throw badField('year', 'expects a year such as 2027');
      const year = Number(text);
      const overrides = await listCalendarOverrides(db, { year });
      // Coverage of one year depends on that year's overrides only.
      const covered = new WorkCalendar(overrides).isCovered(year);
      return c.json({
        year,
        covered,
        coveredBy: chineseDaysCovers(year) ? 'chinese-days' : covered ? 'overrides' : null,
        overrides: overrides.map((o) => overrideJson(o, tz)),
      });
    }),
  );

  return app;
}
