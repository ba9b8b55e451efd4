import type { Db, OneTimeLinkTable } from './schema.ts';

// One-time links: written as the message that carries them is sent, used once.

export async function createLink(db: Db, link: Omit<OneTimeLinkTable, 'used_at'>): Promise<void> {
  await db
    .insertInto('one_time_links')
    .values({ ...link, used_at: null })
    .execute();
}

/** The link stored under `id` for `purpose`, when it has neither expired nor been used. */
export async function getLiveLink(db: Db, id: string, purpose: OneTimeLinkTable['purpose'], now: number) {
  return db
    .selectFrom('one_time_links')
    .selectAll()
    .where('id', '=', id)
    .where('purpose', '=', purpose)
    .where('used_at', 'is', null)
    .where('expires_at', '>', now)
    .executeTakeFirst();
}

/** Marks a live link used; false when another request used it first (or it expired meanwhile). */
export async function useLink(db: Db, id: string, now: number): Promise<boolean> {
  const result = await db
    .updateTable('one_time_links')
    .set({ used_at: now })
    .where('id', '=', id)
    .where('used_at', 'is', null)
    .where('expires_at', '>', now)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** Spends every live link of a member: one asked for before her standing changed signs nobody in. */
export async function spendMemberLinks(db: Db, orgId: string, memberId: string, now: number): Promise<void> {
  await db
    .updateTable('one_time_links')
    .set({ used_at: now })
    .where('org_id', '=', orgId)
    .where('member_id', '=', memberId)
    .where('used_at', 'is', null)
    .execute();
}
