import { sql } from 'kysely';
import type { Db } from './schema.ts';
import { isMysqlDb } from './upsert.ts';

// Which orgs' settings or members were written, counted twice: in this process, so that its next
// command reads them again, and in the database, raised in the write's own transaction, so that other
// processes see the write when they next check the org's row (each CACHE_TTL, src/chat/roster-cache.ts).
// Ids and counters alone, never the data.

const versions = new Map<string, number>();
/** The orgs each open transaction has raised already: an import of many members raises its org once. */
const raised = new WeakMap<Db, Set<string>>();

/** This process's count of the org's writes. */
export const rosterVersion = (orgId: string): number => versions.get(orgId) ?? 0;

/**
 * Called before a write of the org's settings or members, in its transaction. Before, not after: every
 * writer of an org then takes the counter's row lock first, so two of them wait for each other
 * instead of deadlocking on the members they both write.
 */
export async function rosterWritten(db: Db, orgId: string): Promise<void> {
  versions.set(orgId, rosterVersion(orgId) + 1);
  if (db.isTransaction) {
    const orgs = raised.get(db) ?? new Set<string>();
    if (orgs.has(orgId)) return;
    raised.set(db, orgs.add(orgId));
  }
  const insert = db.insertInto('roster_versions').values({ org_id: orgId, version: 1 });
  const next = { version: sql<number>`version + 1` };
  await (isMysqlDb(db) ? insert.onDuplicateKeyUpdate(next) : insert.onConflict((oc) => oc.column('org_id').doUpdateSet(next))).execute();
}

/** The database's count of the org's writes, from whichever process. */
export async function storedRosterVersion(db: Db, orgId: string): Promise<number> {
  const row = await db.selectFrom('roster_versions').select('version').where('org_id', '=', orgId).executeTakeFirst();
  return row?.version ?? 0;
}
