import { type Term, rosterTerms } from '../src/domain/meetings.ts';
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

/** Records that a member left (SPEC §9.3): their rows stay; later meetings do not expect them. */
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

/** A member of a branch's roster over time, with the spans they belonged to it. */
export type RosterMember = MemberTable & { terms: Term[] };

/**
 * A branch's roster over time: its members now and those who moved away from it, each with the
 * spans they belonged to it (from their moves), by id. Who was expected at a meeting is read from
 * it, so a move or a departure never rewrites the past.
 */
export async function listBranchRoster(db: Db, orgId: string, branchId: string): Promise<RosterMember[]> {
  return (await listBranchRosters(db, orgId, [branchId])).get(branchId)!;
}

/** The rosters of several branches (listBranchRoster), read together: the same two statements. */
export async function listBranchRosters(db: Db, orgId: string, branchIds: readonly string[]): Promise<Map<string, RosterMember[]>> {
  const branches = [...branchIds];
  // Each member comes with their moves, a row a move (one row with none). Two statements, not one:
  // for `branch_id IN (…) OR id IN (…)` MariaDB reads the whole org's members, and for a UNION
  // SQLite walks the org's primary key instead of the branch index. Sorted here, not by ORDER BY id,
  // which also makes SQLite walk the primary key.
  const withMoves = () =>
    db
      .selectFrom('members')
      .leftJoin('member_moves as move', (join) =>
        join.onRef('move.org_id', '=', 'members.org_id').onRef('move.member_id', '=', 'members.id'),
      )
      .selectAll('members')
      .select(['move.at as move_at', 'move.from_branch as move_from', 'move.to_branch as move_to'])
      .where('members.org_id', '=', orgId);
  const movedAway = db.selectFrom('member_moves').select('member_id').where('org_id', '=', orgId).where('from_branch', 'in', branches);
  const rows = [
    ...(await withMoves().where('members.branch_id', 'in', branches).execute()),
    ...(await withMoves().where('members.branch_id', 'not in', branches).where('members.id', 'in', movedAway).execute()),
  ];
  const byId = new Map<string, { member: MemberTable; moves: Pick<MemberMoveTable, 'at' | 'from_branch' | 'to_branch'>[] }>();
  for (const { move_at, move_from, move_to, ...member } of rows) {
    const entry = byId.get(member.id) ?? { member, moves: [] };
    byId.set(member.id, entry);
    if (move_at !== null) entry.moves.push({ at: move_at, from_branch: move_from!, to_branch: move_to! });
  }
  const rosters = new Map(branches.map((b) => [b, [] as RosterMember[]]));
  const members = [...byId.values()].sort((a, b) => (a.member.id < b.member.id ? -1 : a.member.id > b.member.id ? 1 : 0));
  for (const { member, moves } of members) {
    moves.sort((a, b) => a.at - b.at);
    // A member is on the roster of the branch they are in and of every branch they moved away from.
    for (const branchId of new Set([member.branch_id, ...moves.map((m) => m.from_branch)])) {
      rosters.get(branchId)?.push({ ...member, terms: rosterTerms(branchId, member, moves) });
    }
  }
  return rosters;
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
