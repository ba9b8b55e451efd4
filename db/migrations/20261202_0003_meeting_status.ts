import { type Kysely, sql } from 'kysely';

// Meeting statuses (scheduled, held, not_held, cancelled): a meeting cancelled after its start was never `cancelled` but
// `not_held`, with the reason the secretary gave (held / not_held are otherwise read from what the
// meeting holds: who was present and its 纪要).

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('meetings').addColumn('status_note', 'varchar(200)').execute();
  await sql`update meetings set status = 'not_held' where status = 'cancelled' and updated_at >= starts_at`.execute(db);
}
