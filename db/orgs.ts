import type { Db, OrgTable } from './schema.ts';
import { rosterWritten } from './roster-versions.ts';
import { isMysqlDb, upsert } from './upsert.ts';

export async function putOrg(db: Db, org: Omit<OrgTable, 'created_at' | 'updated_at'>, now: number): Promise<void> {
  await rosterWritten(db, org.id);
  await upsert(db, 'orgs', { ...org, created_at: now, updated_at: now }, ['id'], ['name', 'timezone', 'digest_cron', 'updated_at']);
}

export async function getOrg(db: Db, id: string): Promise<OrgTable | undefined> {
  return db.selectFrom('orgs').selectAll().where('id', '=', id).executeTakeFirst();
}

/**
 * The org, read inside a transaction so that admin writes to one org run one at a time: on MySQL a
 * row lock (SQLite transactions are serial already). It keeps the "platform id used by another
 * member" check and the write together, which matters because MySQL's ON DUPLICATE KEY UPDATE would
 * otherwise update the other member's row instead of failing on the unique index.
 */
export async function getOrgForUpdate(db: Db, id: string): Promise<OrgTable | undefined> {
  const query = db.selectFrom('orgs').selectAll().where('id', '=', id);
  return (isMysqlDb(db) ? query.forUpdate() : query).executeTakeFirst();
}

/** Every org with what its schedules need, by id. */
export async function listOrgSchedules(db: Db): Promise<Pick<OrgTable, 'id' | 'timezone' | 'digest_cron'>[]> {
  return db.selectFrom('orgs').select(['id', 'timezone', 'digest_cron']).orderBy('id').execute();
}

/** Orgs by id after `after` (a page of the admin API's list). */
export async function listOrgsPage(db: Db, after: string, limit: number): Promise<OrgTable[]> {
  return db.selectFrom('orgs').selectAll().where('id', '>', after).orderBy('id').limit(limit).execute();
}
