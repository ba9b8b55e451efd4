import type { BranchChatTable, BranchTable, Db } from './schema.ts';
import { isMysqlDb, upsert } from './upsert.ts';

export type BranchChat = Pick<BranchChatTable, 'channel_id' | 'chat_id' | 'webhook' | 'secret'>;

/** Creates or renames a branch and makes `chats` its exact set of bound group chats. */
export async function putBranch(db: Db, orgId: string, id: string, name: string, chats: BranchChat[], now: number): Promise<void> {
  await upsert(db, 'branches', { org_id: orgId, id, name, created_at: now, updated_at: now }, ['org_id', 'id'], ['name', 'updated_at']);
  await db.deleteFrom('branch_chats').where('org_id', '=', orgId).where('branch_id', '=', id).execute();
  for (const chat of chats) {
    // A chat belongs to one branch: binding it here moves it from any other.
    await upsert(
      db,
      'branch_chats',
      { ...chat, org_id: orgId, branch_id: id, created_at: now },
      ['channel_id', 'chat_id'],
      ['org_id', 'branch_id', 'webhook', 'secret'],
    );
  }
}

export async function getBranch(db: Db, orgId: string, id: string): Promise<BranchTable | undefined> {
  return db.selectFrom('branches').selectAll().where('org_id', '=', orgId).where('id', '=', id).executeTakeFirst();
}

/**
 * The branch, read so that writes of new meetings to it run one at a time: on MySQL a row lock until
 * the transaction ends (SQLite transactions are serial already). What is read after it must be read
 * with a lock too (`findMeetingAt`): a plain read on MySQL sees the transaction's first snapshot,
 * taken before the lock was granted.
 */
export async function lockBranch(db: Db, orgId: string, id: string): Promise<void> {
  const query = db.selectFrom('branches').select('id').where('org_id', '=', orgId).where('id', '=', id);
  await (isMysqlDb(db) ? query.forUpdate() : query).executeTakeFirst();
}

/** The branch's bound group chats, oldest binding first. */
export async function listBranchChats(db: Db, orgId: string, branchId: string): Promise<BranchChatTable[]> {
  return listChatsOfBranches(db, orgId, [branchId]);
}

/** The org's branches by id. */
export async function listOrgBranches(db: Db, orgId: string): Promise<Pick<BranchTable, 'id' | 'name'>[]> {
  return db.selectFrom('branches').select(['id', 'name']).where('org_id', '=', orgId).orderBy('id').execute();
}

/** A bound group chat (its branch and push credentials), if bound. */
export async function getBranchChat(db: Db, channelId: string, chatId: string): Promise<BranchChatTable | undefined> {
  return db.selectFrom('branch_chats').selectAll().where('channel_id', '=', channelId).where('chat_id', '=', chatId).executeTakeFirst();
}

export async function findBranchByName(db: Db, orgId: string, name: string): Promise<BranchTable | undefined> {
  return db.selectFrom('branches').selectAll().where('org_id', '=', orgId).where('name', '=', name).executeTakeFirst();
}

/** Binds a group chat to a branch (绑定), keeping any push webhook the admin set for it. */
export async function bindChat(
  db: Db,
  chat: Pick<BranchChatTable, 'channel_id' | 'chat_id' | 'org_id' | 'branch_id'>,
  now: number,
): Promise<void> {
  await upsert(
    db,
    'branch_chats',
    { ...chat, webhook: null, secret: null, created_at: now },
    ['channel_id', 'chat_id'],
    ['org_id', 'branch_id'],
  );
}

/** Every bound chat of an org, oldest binding first (the weekly digest's fallback targets). */
export async function listOrgChats(db: Db, orgId: string): Promise<BranchChatTable[]> {
  return db
    .selectFrom('branch_chats')
    .selectAll()
    .where('org_id', '=', orgId)
    .orderBy('created_at')
    .orderBy('channel_id')
    .orderBy('chat_id')
    .execute();
}

/** The org's branches by id after `after` (a page of the admin API's list). */
export async function listBranchesPage(db: Db, orgId: string, after: string, limit: number): Promise<BranchTable[]> {
  return db.selectFrom('branches').selectAll().where('org_id', '=', orgId).where('id', '>', after).orderBy('id').limit(limit).execute();
}

/** The bound chats of some of an org's branches, in binding order. */
export async function listChatsOfBranches(db: Db, orgId: string, branchIds: readonly string[]): Promise<BranchChatTable[]> {
  if (branchIds.length === 0) return [];
  return db
    .selectFrom('branch_chats')
    .selectAll()
    .where('org_id', '=', orgId)
    .where('branch_id', 'in', branchIds)
    .orderBy('created_at')
    .orderBy('channel_id')
    .orderBy('chat_id')
    .execute();
}

/** The org's branches in name order, a page after (name, id) (the org overview streams them). */
export async function listBranchesByName(
  db: Db,
  orgId: string,
  after: { name: string; id: string } | null,
  limit: number,
): Promise<BranchTable[]> {
  let query = db.selectFrom('branches').selectAll().where('org_id', '=', orgId);
  if (after)
    query = query.where((eb) => eb.or([eb('name', '>', after.name), eb.and([eb('name', '=', after.name), eb('id', '>', after.id)])]));
  return query.orderBy('name').orderBy('id').limit(limit).execute();
}
