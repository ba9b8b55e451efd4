import type { Db, DigestTable } from './schema.ts';

/** Claims a branch's digest of a week; false when it was claimed before (at most one push per week). */
export async function claimDigest(db: Db, digest: DigestTable): Promise<boolean> {
  const result = await db.insertInto('digests').values(digest).ignore().executeTakeFirst();
  return Number(result.numInsertedOrUpdatedRows ?? 0) > 0;
}

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
