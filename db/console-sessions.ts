import { spendMemberLinks } from './links.ts';
import type { ConsoleSessionTable, Db } from './schema.ts';

// Console sessions: created at sign-in, read at every request, ended at sign-out, when idle too
// long, or when the member's standing changes.

export async function createSession(db: Db, session: Omit<ConsoleSessionTable, 'ended_at'>): Promise<void> {
  await db
    .insertInto('console_sessions')
    .values({ ...session, ended_at: null })
    .execute();
}

/** The session stored under `id` while it has neither expired, nor ended, nor been idle since `idleSince`. */
export async function getLiveSession(db: Db, id: string, now: number, idleSince: number): Promise<ConsoleSessionTable | undefined> {
  return db
    .selectFrom('console_sessions')
    .selectAll()
    .where('id', '=', id)
    .where('ended_at', 'is', null)
    .where('expires_at', '>', now)
    .where('last_seen_at', '>', idleSince)
    .executeTakeFirst();
}

/** Notes the session's latest request. */
export async function touchSession(db: Db, id: string, now: number): Promise<void> {
  await db.updateTable('console_sessions').set({ last_seen_at: now }).where('id', '=', id).execute();
}

export async function endSession(db: Db, id: string, now: number): Promise<void> {
  await db.updateTable('console_sessions').set({ ended_at: now }).where('id', '=', id).where('ended_at', 'is', null).execute();
}

/** Ends every session of a member; a later sign-in reads her as she is then. */
export async function endMemberSessions(db: Db, orgId: string, memberId: string, now: number): Promise<void> {
  await db
    .updateTable('console_sessions')
    .set({ ended_at: now })
    .where('org_id', '=', orgId)
    .where('member_id', '=', memberId)
    .where('ended_at', 'is', null)
    .execute();
}

/** Ends a member's sessions and spends the sign-in links she has not used yet. */
export async function endSignIns(db: Db, orgId: string, memberId: string, now: number): Promise<void> {
  await endMemberSessions(db, orgId, memberId, now);
  await spendMemberLinks(db, orgId, memberId, now);
}
