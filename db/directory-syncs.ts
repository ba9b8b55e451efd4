import { sql } from 'kysely';
import type { Db, DirectorySyncTable } from './schema.ts';
import { isMysqlDb, upsert } from './upsert.ts';

// The directory sync's state per org. A platform's change event is counted here before the
// platform is answered, so that an acknowledged event is never lost: the queue's job is only a copy,
// added again from these rows whenever it is missing. A sync notes the count before it reads the
// directory and marks that many served when it is done; an event counted meanwhile stays wanted.

/** Counts a change event of the org's directory. */
export async function requestDirectorySync(db: Db, orgId: string, now: number): Promise<void> {
  const row = { org_id: orgId, wanted: 1, served: 0, wanted_at: now, noticed_until: null, noticed: null, updated_at: now };
  const insert = db.insertInto('directory_syncs').values(row);
  if (isMysqlDb(db)) {
    await insert
      .onDuplicateKeyUpdate({ wanted: sql`wanted + 1`, wanted_at: sql`values(wanted_at)`, updated_at: sql`values(updated_at)` })
      .execute();
  } else {
    await insert
      .onConflict((oc) =>
        oc.column('org_id').doUpdateSet({
          wanted: sql`directory_syncs.wanted + 1`,
          wanted_at: sql.ref('excluded.wanted_at'),
          updated_at: sql.ref('excluded.updated_at'),
        }),
      )
      .execute();
  }
}

/** The orgs with change events no sync has served yet, oldest event first. */
export async function pendingDirectorySyncs(db: Db): Promise<Pick<DirectorySyncTable, 'org_id' | 'served' | 'wanted_at'>[]> {
  return db
    .selectFrom('directory_syncs')
    .select(['org_id', 'served', 'wanted_at'])
    .whereRef('wanted', '>', 'served')
    .orderBy('wanted_at')
    .execute();
}

/** The org's row, if any event or sync has written one. */
export async function getDirectorySync(db: Db, orgId: string): Promise<DirectorySyncTable | undefined> {
  return db.selectFrom('directory_syncs').selectAll().where('org_id', '=', orgId).executeTakeFirst();
}

/** Marks the events counted up to `wanted` as served (never fewer than a sync before it served). */
export async function serveDirectorySync(db: Db, orgId: string, wanted: number, now: number): Promise<void> {
  await db
    .updateTable('directory_syncs')
    .set({ served: wanted, updated_at: now })
    .where('org_id', '=', orgId)
    .where('served', '<', wanted)
    .execute();
}

/** Notes what the secretaries were told (`noticed`, JSON) of the span up to `until`. */
export async function putDirectoryNotice(db: Db, orgId: string, until: number, noticed: string, now: number): Promise<void> {
  const row = { org_id: orgId, wanted: 0, served: 0, wanted_at: null, noticed_until: until, noticed, updated_at: now };
  await upsert(db, 'directory_syncs', row, ['org_id'], ['noticed_until', 'noticed', 'updated_at']);
}
