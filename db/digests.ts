import type { Db, DigestTable } from './schema.ts';

/** Claims a branch's digest of a week; false when it was claimed before (at most one push per week). */
export async function claimDigest(db: Db, digest: DigestTable): Promise<boolean> {
  const result = await db.insertInto('digests').values(digest).ignore().executeTakeFirst();
  return Number(result.numInsertedOrUpdatedRows ?? 0) > 0;
}
