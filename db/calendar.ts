import { WorkCalendar } from '../src/domain/calendar.ts';
import type { CalendarOverrideTable, Db } from './schema.ts';
import { upsert } from './upsert.ts';

export type CalendarOverrideRow = Omit<CalendarOverrideTable, 'updated_at'>;

/** Insert or replace the override of one date (`PUT /admin/calendar/:date`). */
export async function putCalendarOverride(db: Db, row: CalendarOverrideRow, now: number): Promise<void> {
  await upsert(
    db,
    'calendar_overrides',
    { date: row.date, kind: row.kind, name: row.name, updated_at: now },
    ['date'],
    ['kind', 'name', 'updated_at'],
  );
}

export async function getCalendarOverride(db: Db, date: string): Promise<CalendarOverrideTable | undefined> {
  return db.selectFrom('calendar_overrides').selectAll().where('date', '=', date).executeTakeFirst();
}

/** The overrides by date; only those of `year` when given. */
export async function listCalendarOverrides(db: Db, options: { year?: number } = {}): Promise<CalendarOverrideTable[]> {
  let query = db.selectFrom('calendar_overrides').selectAll().orderBy('date');
  if (options.year !== undefined) {
    // Dates are 'YYYY-MM-DD' text, so one year is a range of strings.
    query = query.where('date', '>=', `${options.year}-01-01`).where('date', '<=', `${options.year}-12-31`);
  }
  return query.execute();
}

/** The working-day calendar with every override: load it when a schedule is computed. */
export async function loadWorkCalendar(db: Db): Promise<WorkCalendar> {
  return new WorkCalendar(await listCalendarOverrides(db));
}
