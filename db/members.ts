import type { Db, MemberTable } from './schema.ts';
import { upsert } from './upsert.ts';

export type MemberInput = Omit<MemberTable, 'created_at' | 'updated_at'>;

export async function putMember(db: Db, member: MemberInput, now: number): Promise<void> {
  await upsert(
    db,
    'members',
    { ...member, created_at: now, updated_at: now },
    ['org_id', 'id'],
    ['branch_id', 'name', 'role', 'party_group', 'probationary', 'mobile', 'wecom_user_id', 'dingtalk_user_id', 'updated_at'],
  );
}

export async function getMember(db: Db, orgId: string, id: string): Promise<MemberTable | undefined> {
  return db.selectFrom('members').selectAll().where('org_id', '=', orgId).where('id', '=', id).executeTakeFirst();
}

export type PlatformUserColumn = 'wecom_user_id' | 'dingtalk_user_id';

export async function findMemberByPlatformUser(
  db: Db,
  orgId: string,
  column: PlatformUserColumn,
  userId: string,
): Promise<MemberTable | undefined> {
  return db.selectFrom('members').selectAll().where('org_id', '=', orgId).where(column, '=', userId).executeTakeFirst();
}

export async function listBranchMembers(db: Db, orgId: string, branchId: string): Promise<MemberTable[]> {
  return db.selectFrom('members').selectAll().where('org_id', '=', orgId).where('branch_id', '=', branchId).orderBy('id').execute();
}

/** The org's members with these ids (any branch), by id. */
export async function listMembersByIds(db: Db, orgId: string, ids: readonly string[]): Promise<MemberTable[]> {
  if (!ids.length) return [];
  return db
    .selectFrom('members')
    .selectAll()
    .where('org_id', '=', orgId)
    .where('id', 'in', [...ids])
    .orderBy('id')
    .execute();
}

/** Every member with this id, one per org that has one (the console's --as). */
export async function membersWithId(db: Db, id: string): Promise<MemberTable[]> {
  return db.selectFrom('members').selectAll().where('id', '=', id).orderBy('org_id').execute();
}

/** The org's members by id after `after`, of one branch if given (a page of the admin API's list). */
export async function listMembersPage(
  db: Db,
  orgId: string,
  filter: { branchId?: string },
  after: string,
  limit: number,
): Promise<MemberTable[]> {
  let query = db.selectFrom('members').selectAll().where('org_id', '=', orgId).where('id', '>', after);
  if (filter.branchId !== undefined) query = query.where('branch_id', '=', filter.branchId);
  return query.orderBy('id').limit(limit).execute();
}
