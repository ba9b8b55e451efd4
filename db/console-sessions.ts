import type { ConsoleSessionTable, Db } from './schema.ts';

// Console sessions (migration 0007): created at sign-in, read at every request, ended at sign-out.

export async function createSession(db: Db, session: Omit<ConsoleSessionTable, 'ended_at'>): Promise<void> {
  await db
    .insertInto('console_sessions')
    .values({ ...session, ended_at: null })
    .execute();
}

/** The session stored under `id` while it has neither expired nor ended. */
export async function getLiveSession(db: Db, id: string, now: number): Promise<ConsoleSessionTable | undefined> {
  return db
    .selectFrom('console_sessions')
    .selectAll()
    .where('id', '=', id)
    .where('ended_at', 'is', null)
    .where('expires_at', '>', now)
    .executeTakeFirst();
}

export async function endSession(db: Db, id: string, now: number): Promise<void> {
  await db.updateTable('console_sessions').set({ ended_at: now }).where('id', '=', id).where('ended_at', 'is', null).execute();
}
