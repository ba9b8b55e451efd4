import type { Db, OneTimeLinkTable } from './schema.ts';

// One-time links (migration 0006): written with the command that promised them, used once.

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
