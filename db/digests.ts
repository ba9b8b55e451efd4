import type { Db, DigestTable } from './schema.ts';

/** A branch's digests as they were pushed, the latest week first. */
export async function listBranchDigests(db: Db, orgId: string, branchId: string, limit: number): Promise<DigestTable[]> {
  return db
    .selectFrom('digests')
    .selectAll()
    .where('org_id', '=', orgId)
    .where('branch_id', '=', branchId)
    .orderBy('week', 'desc')
    .limit(limit)
    .execute();
}

/** Of `branchIds`, those whose digest of `week` is claimed already. */
export async function claimedBranches(db: Db, orgId: string, week: string, branchIds: readonly string[]): Promise<Set<string>> {
  if (branchIds.length === 0) return new Set();
  const rows = await db
    .selectFrom('digests')
    .select('branch_id')
    .where('org_id', '=', orgId)
    .where('week', '=', week)
    .where('branch_id', 'in', [...branchIds])
    .execute();
  return new Set(rows.map((r) => r.branch_id));
}

/**
 * Claims many branches' digests in one statement. A row claimed meanwhile by another run makes it
 * fail (a duplicate key), and with it the caller's transaction: nothing is claimed twice.
 */
export async function insertDigests(db: Db, digests: DigestTable[]): Promise<void> {
  if (digests.length) await db.insertInto('digests').values(digests).execute();
}
