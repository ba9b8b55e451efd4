import type { AuditEntry } from '../src/domain/audit.ts';
import { systemClock } from '../src/core/clock.ts';
import { drawRandom } from '../src/core/random.ts';
import type { AuditLogTable, Db } from './schema.ts';

// The trail of who did what: appended in the caller's transaction, read by org in pages, never
// updated; only purged past its retention.

let sequence = 0;

/**
 * An entry's id, which pages follow: the time it is written (not the change's `at`, which a long
 * import fixes at its start: a reader paging meanwhile must not have passed its later entries), a
 * count that orders one process's entries of the same millisecond, and random characters apart
 * from other processes'.
 */
function auditId(): string {
  sequence = (sequence + 1) % 36 ** 4;
  return systemClock.now().toString(36).padStart(9, '0') + sequence.toString(36).padStart(4, '0') + drawRandom(6).toString('hex');
}

const row = (entry: AuditEntry): AuditLogTable => ({
  id: auditId(),
  at: entry.at,
  org_id: entry.orgId,
  actor_kind: entry.actor.kind,
  actor_id: entry.actor.kind === 'member' ? entry.actor.id : null,
  actor_name: entry.actor.name.slice(0, 100),
  action: entry.action,
  object: entry.object?.slice(0, 200) ?? null,
  detail: entry.detail && Object.keys(entry.detail).length ? JSON.stringify(entry.detail) : null,
  address: entry.address?.slice(0, 64) ?? null,
  result: entry.result,
});

/** Entries a statement appends at most (a row holds 11 values; SQLite takes 32,766 in one). */
const AUDIT_ROWS = 500;

/** Appends entries, a few hundred to a statement, in `db`'s transaction when it is one. */
export async function writeAudit(db: Db, ...entries: AuditEntry[]): Promise<void> {
  for (let i = 0; i < entries.length; i += AUDIT_ROWS)
    await db
      .insertInto('audit_log')
      .values(entries.slice(i, i + AUDIT_ROWS).map(row))
      .execute();
}

export interface AuditFilter {
  from?: number;
  to?: number;
  /** A member's id, `it`, or `system` (the directory sync). */
  actor?: string;
  action?: string;
}

/** An org's entries (with those of what every org shares) after the id `after`, oldest first. */
export async function listAudit(db: Db, orgId: string, filter: AuditFilter, after: string, limit: number): Promise<AuditLogTable[]> {
  let query = db
    .selectFrom('audit_log')
    .selectAll()
    .where((eb) => eb.or([eb('org_id', '=', orgId), eb('org_id', 'is', null)]))
    .where('id', '>', after);
  if (filter.from !== undefined) query = query.where('at', '>=', filter.from);
  if (filter.to !== undefined) query = query.where('at', '<', filter.to);
  if (filter.actor === 'it' || filter.actor === 'system') query = query.where('actor_kind', '=', filter.actor);
  else if (filter.actor !== undefined) query = query.where('actor_kind', '=', 'member').where('actor_id', '=', filter.actor);
  if (filter.action !== undefined) query = query.where('action', '=', filter.action);
  return query.orderBy('id').limit(limit).execute();
}

/** The members the directory sync created or renamed in the org in (`from`, `to`], in the order written. */
export async function listDirectorySyncChanges(
  db: Db,
  orgId: string,
  from: number,
  to: number,
): Promise<Pick<AuditLogTable, 'action' | 'object' | 'detail'>[]> {
  return db
    .selectFrom('audit_log')
    .select(['action', 'object', 'detail'])
    .where('org_id', '=', orgId)
    .where('actor_kind', '=', 'system')
    .where('action', 'in', ['member.create', 'member.edit'])
    .where('at', '>', from)
    .where('at', '<=', to)
    .orderBy('id')
    .execute();
}
