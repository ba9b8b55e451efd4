import { type Kysely, sql } from 'kysely';
import type { Database } from './schema.ts';
import { isMysqlDb } from './upsert.ts';

/** Rows per DELETE: a large purge holds its locks one short statement at a time. */
export const PURGE_BATCH = 1000;

/** Deliveries that will not change again; queued and sending ones are never purged. */
const FINISHED = ['sent', 'merged', 'failed'] as const;

async function inBatches(deleteBatch: () => Promise<{ numDeletedRows: bigint }>): Promise<number> {
  let total = 0;
  for (;;) {
    const deleted = Number((await deleteBatch()).numDeletedRows);
    total += deleted;
    if (deleted < PURGE_BATCH) return total;
  }
}

/** Rows of a table keyed by `id` whose `expires_at` is before `before`, in batches. */
function purgeByExpiry(db: Kysely<Database>, table: 'one_time_links' | 'console_sessions', before: number): Promise<number> {
  return inBatches(() => {
    if (isMysqlDb(db)) return db.deleteFrom(table).where('expires_at', '<', before).limit(PURGE_BATCH).executeTakeFirstOrThrow();
    const ids = db.selectFrom(table).select('id').where('expires_at', '<', before).limit(PURGE_BATCH);
    return db.deleteFrom(table).where('id', 'in', ids).executeTakeFirstOrThrow();
  });
}

/**
 * Deletes inbound events received before `before`, finished deliveries last updated before it, and
 * one-time links and console sessions expired before it (epoch ms): `links` counts both. MySQL takes DELETE … LIMIT; SQLite, built without it, deletes the rowids of a limited
 * SELECT (which MySQL refuses: no LIMIT in an IN subquery on the table being deleted from).
 */
export async function purgeExpired(
  db: Kysely<Database>,
  before: number,
): Promise<{ inboundEvents: number; deliveries: number; links: number }> {
  const mysql = isMysqlDb(db);
  const inboundEvents = await inBatches(() => {
    const expired = db.deleteFrom('inbound_events').where('received_at', '<', before);
    if (mysql) return expired.limit(PURGE_BATCH).executeTakeFirstOrThrow();
    const rowids = db.selectFrom('inbound_events').select(sql`rowid`.as('r')).where('received_at', '<', before).limit(PURGE_BATCH);
    return db.deleteFrom('inbound_events').where(sql`rowid`, 'in', rowids).executeTakeFirstOrThrow();
  });
  const deliveries = await inBatches(() => {
    const finished = db.deleteFrom('deliveries').where('state', 'in', FINISHED).where('updated_at', '<', before);
    if (mysql) return finished.limit(PURGE_BATCH).executeTakeFirstOrThrow();
    const ids = db.selectFrom('deliveries').select('id').where('state', 'in', FINISHED).where('updated_at', '<', before).limit(PURGE_BATCH);
    return db.deleteFrom('deliveries').where('id', 'in', ids).executeTakeFirstOrThrow();
  });
  const links = (await purgeByExpiry(db, 'one_time_links', before)) + (await purgeByExpiry(db, 'console_sessions', before));
  return { inboundEvents, deliveries, links };
}

/** Deletes the trail's entries made before `before` (epoch ms), in batches: it is kept apart from, and longer than, the rest. */
export async function purgeAudit(db: Kysely<Database>, before: number): Promise<number> {
  return inBatches(() => {
    if (isMysqlDb(db)) return db.deleteFrom('audit_log').where('at', '<', before).limit(PURGE_BATCH).executeTakeFirstOrThrow();
    const ids = db.selectFrom('audit_log').select('id').where('at', '<', before).limit(PURGE_BATCH);
    return db.deleteFrom('audit_log').where('id', 'in', ids).executeTakeFirstOrThrow();
  });
}
