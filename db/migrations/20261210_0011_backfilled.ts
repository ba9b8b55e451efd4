import type { Kysely } from 'kysely';

// 补录: a meeting held without the bot, entered afterwards by the secretary (who and when are its
// created_by and created_at). It counts as held from the moment it is entered, and every record,
// file and count that shows it says so.

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('meetings')
    .addColumn('backfilled', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
}
