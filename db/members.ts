import { type Term, rosterTerms } from '../src/domain/meetings.ts';
import { type MemberFacts, type MemberState, isOrgAdmin } from '../src/domain/policy.ts';
import type { Db, MemberMoveTable, MemberTable } from './schema.ts';
import { rosterWritten } from './roster-versions.ts';
import { upsert } from './upsert.ts';

/** What a PUT writes: whether and when a member left is written by leaveMember alone. */
export type MemberInput = Omit<MemberTable, 'created_at' | 'updated_at' | 'status' | 'left_at' | 'left_reason' | 'org_admin'> &
  Partial<Pick<MemberTable, 'org_admin'>>;

export async function putMember(db: Db, member: MemberInput, now: number): Promise<void> {
  await rosterWritten(db, member.org_id);
  const row = { ...member, org_admin: member.org_admin ?? 0, status: 'active' as const, left_at: null, left_reason: null };
  await upsert(
    db,
    'members',
    { ...row, created_at: now, updated_at: now },
    ['org_id', 'id'],
    ['branch_id', 'name', 'role', 'party_group', 'probationary', 'mobile', 'wecom_user_id', 'dingtalk_user_id', 'org_admin', 'updated_at'],
  );
}

/** Who a member is, as the policy decides on her. */
export const memberFacts = (m: MemberTable): MemberFacts => ({
  orgId: m.org_id,
  id: m.id,
  branchId: m.branch_id,
  role: m.role,
  orgAdmin: isOrgAdmin(m),
});

/** What the policy reads of a member's row. */
export const memberState = (m: MemberTable): MemberState => ({
  branchId: m.branch_id,
  role: m.role,
  orgAdmin: isOrgAdmin(m),
  name: m.name,
  group: m.party_group,
  probationary: Number(m.probationary) === 1,
  mobile: m.mobile,
  wecomUserId: m.wecom_user_id,
  dingtalkUserId: m.dingtalk_user_id,
});

/** Records that a member left: their rows stay; later meetings do not expect them. */
export async function leaveMember(db: Db, orgId: string, id: string, at: number, reason: string | null, now: number): Promise<void> {
  await rosterWritten(db, orgId);
  await db
    .updateTable('members')
    .set({ status: 'left', left_at: at, left_reason: reason, updated_at: now })
    .where('org_id', '=', orgId)
    .where('id', '=', id)
    .execute();
}

export async function insertMove(db: Db, move: MemberMoveTable): Promise<void> {
  await rosterWritten(db, move.org_id);
  await db.insertInto('member_moves').values(move).execute();
}

/**
 * A member of a branch's roster over time: with the spans they belonged to it if they ever moved;
 * one who never did is their row itself, and always belonged.
 */
export type RosterMember = MemberTable & { terms?: Term[] };

/**
 * A branch's roster over time: its members now and those who moved away from it, each with the
 * spans they belonged to it (from their moves), by id. Who was expected at a meeting is read from
 * it, so a move or a departure never rewrites the past.
 */
export async function listBranchRoster(db: Db, orgId: string, branchId: string): Promise<RosterMember[]> {
  return (await listBranchRosters(db, orgId, [branchId])).get(branchId)!;
}

type Move = Pick<MemberMoveTable, 'at' | 'from_branch' | 'to_branch'>;

/**
 * The rosters of several branches (listBranchRoster), read together: the branches' members, then
 * the moves of those of them who moved and of everyone who moved away from one of them (a UNION of
 * two index lookups, as one OR made MariaDB read all of the org's moves), then, if any, the rows of
 * those who moved away. Members who never moved, nearly all, are kept as read: at the start of a
 * 签到 burst copying 20,000 rows cost more than reading them.
 */
export async function listBranchRosters(db: Db, orgId: string, branchIds: readonly string[]): Promise<Map<string, RosterMember[]>> {
  const branches = [...branchIds];
  const ofBranches = db.selectFrom('members').where('org_id', '=', orgId).where('branch_id', 'in', branches);
  const members = await ofBranches.selectAll().execute();
  const movesHere = db.selectFrom('member_moves').select(['member_id', 'at', 'from_branch', 'to_branch']).where('org_id', '=', orgId);
  const leavers = db.selectFrom('member_moves').select('member_id').where('org_id', '=', orgId).where('from_branch', 'in', branches);
  const moveRows = await movesHere
    .where('member_id', 'in', ofBranches.select('id'))
    .union(movesHere.where('member_id', 'in', leavers))
    .execute();
  const moves = new Map<string, Move[]>();
  for (const { member_id, ...move } of moveRows) {
    const own = moves.get(member_id);
    if (own) own.push(move);
    else moves.set(member_id, [move]);
  }
  const here = new Set(members.map((m) => m.id));
  const away = [...moves.keys()].filter((id) => !here.has(id));
  if (away.length > 0)
    members.push(...(await db.selectFrom('members').selectAll().where('org_id', '=', orgId).where('id', 'in', away).execute()));

  const rosters = new Map(branches.map((b) => [b, [] as RosterMember[]]));
  for (const member of members) {
    const own = moves.get(member.id)?.sort((a, b) => a.at - b.at);
    if (!own) {
      rosters.get(member.branch_id)!.push(member);
      continue;
    }
    // A member is on the roster of the branch they are in and of every branch they moved away from.
    for (const branchId of new Set([member.branch_id, ...own.map((m) => m.from_branch)])) {
      rosters.get(branchId)?.push({ ...member, terms: rosterTerms(branchId, member, own) });
    }
  }
  // Sorted here, not by ORDER BY id, which makes SQLite walk the org's primary key instead of the branch index.
  for (const roster of rosters.values()) roster.sort(byId);
  return rosters;
}

const byId = (a: { id: string }, b: { id: string }) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

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

/** The members whose id, or id on a platform, is one of `values` (senders looked up together). */
export async function findMembersBy(
  db: Db,
  orgId: string,
  column: PlatformUserColumn | 'id',
  values: readonly string[],
): Promise<MemberTable[]> {
  if (values.length === 0) return [];
  return db
    .selectFrom('members')
    .selectAll()
    .where('org_id', '=', orgId)
    .where(column, 'in', [...values])
    .execute();
}

/** The branch's members now: not those who left (listBranchRoster for who belonged to it when). */
export async function listBranchMembers(db: Db, orgId: string, branchId: string): Promise<MemberTable[]> {
  return db
    .selectFrom('members')
    .selectAll()
    .where('org_id', '=', orgId)
    .where('branch_id', '=', branchId)
    .where('status', '=', 'active')
    .orderBy('id')
    .execute();
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
  filter: { branchId?: string; status?: MemberTable['status'] },
  after: string,
  limit: number,
): Promise<MemberTable[]> {
  let query = db.selectFrom('members').selectAll().where('org_id', '=', orgId).where('id', '>', after);
  if (filter.branchId !== undefined) query = query.where('branch_id', '=', filter.branchId);
  if (filter.status !== undefined) query = query.where('status', '=', filter.status);
  return query.orderBy('id').limit(limit).execute();
}

/** The current members of some of an org's branches. */
export async function listMembersOfBranches(db: Db, orgId: string, branchIds: readonly string[]): Promise<MemberTable[]> {
  if (branchIds.length === 0) return [];
  return db
    .selectFrom('members')
    .selectAll()
    .where('org_id', '=', orgId)
    .where('branch_id', 'in', [...branchIds])
    .where('status', '=', 'active')
    .execute();
}

/** The org's admins (机关党委 staff) still on the roll. */
export async function listOrgAdmins(db: Db, orgId: string): Promise<MemberTable[]> {
  return db
    .selectFrom('members')
    .selectAll()
    .where('org_id', '=', orgId)
    .where('org_admin', '=', 1)
    .where('status', '=', 'active')
    .orderBy('id')
    .execute();
}
