import { type Term, rosterTerms } from '../src/domain/meetings.ts';
import type { MemberFacts, MemberState } from '../src/domain/policy.ts';
import { ACCOUNT_PLATFORMS } from '../src/domain/records.ts';
import type { AccountPlatform, Db, Member, MemberAccounts, MemberMoveTable, MemberRow } from './schema.ts';
import { rosterWritten } from './roster-versions.ts';
import { upsert } from './upsert.ts';

/** What a PUT writes: whether and when a member left is written by leaveMember alone. */
export type MemberInput = Omit<Member, 'created_at' | 'updated_at' | 'status' | 'left_at' | 'left_reason' | 'org_admin'> &
  Partial<Pick<Member, 'org_admin'>>;

/** A member's row as written: her flags 0/1, active; her accounts apart. */
function activeRow({ accounts: _, probationary, org_admin, ...fields }: MemberInput, now: number) {
  return {
    ...fields,
    probationary: probationary ? 1 : 0,
    org_admin: org_admin ? 1 : 0,
    status: 'active' as const,
    left_at: null,
    left_reason: null,
    created_at: now,
    updated_at: now,
  };
}

/** Her accounts as rows of member_accounts, on the platforms given (all of them when none are). */
const accountRows = (member: Pick<MemberInput, 'org_id' | 'id' | 'accounts'>, platforms: readonly AccountPlatform[] = ACCOUNT_PLATFORMS) =>
  platforms.flatMap((platform) => {
    const user_id = member.accounts[platform];
    return user_id ? [{ org_id: member.org_id, member_id: member.id, platform, user_id }] : [];
  });

/**
 * Writes a member and her accounts in one transaction (the caller's, if she gives one). `stored`,
 * her accounts as read before (`{}` for a new member), limits the account writes to those that
 * change; without it every account of hers is written again.
 */
export async function putMember(db: Db, member: MemberInput, now: number, stored?: MemberAccounts): Promise<void> {
  if (!db.isTransaction) return db.transaction().execute((trx) => putMember(trx, member, now, stored));
  await rosterWritten(db, member.org_id);
  const { accounts } = member;
  await upsert(
    db,
    'members',
    activeRow(member, now),
    ['org_id', 'id'],
    ['branch_id', 'name', 'role', 'party_group', 'probationary', 'mobile', 'org_admin', 'updated_at'],
  );
  const changed = ACCOUNT_PLATFORMS.filter((p) => !stored || stored[p] !== accounts[p]);
  if (changed.length === 0) return;
  // Deleted before they are inserted: an account moved to another platform key never meets its old row.
  if (!stored || changed.some((p) => stored[p] !== undefined))
    await db
      .deleteFrom('member_accounts')
      .where('org_id', '=', member.org_id)
      .where('member_id', '=', member.id)
      .where('platform', 'in', changed)
      .execute();
  const rows = accountRows(member, changed);
  if (rows.length > 0) await db.insertInto('member_accounts').values(rows).execute();
}

/** Rows a statement inserts at most: SQLite takes 32,766 values in one, a member row holds 15. */
const INSERT_ROWS = 500;

/**
 * Inserts new members (none of whom exists yet) and their accounts, a few hundred rows to a
 * statement, in the caller's transaction: for many members at once, where putMember would take a
 * round trip each.
 */
export async function insertMembers(db: Db, orgId: string, members: readonly MemberInput[], now: number): Promise<void> {
  if (members.length === 0) return;
  await rosterWritten(db, orgId);
  const rows = members.map((m) => activeRow(m, now));
  const accounts = members.flatMap((m) => accountRows(m));
  for (let i = 0; i < rows.length; i += INSERT_ROWS)
    await db
      .insertInto('members')
      .values(rows.slice(i, i + INSERT_ROWS))
      .execute();
  for (let i = 0; i < accounts.length; i += INSERT_ROWS)
    await db
      .insertInto('member_accounts')
      .values(accounts.slice(i, i + INSERT_ROWS))
      .execute();
}

/**
 * A member's account on each platform as the admin API, the CSV and the trail name it: where those
 * names meet the platforms, next to the columns they are stored in.
 */
export const ACCOUNT_FIELDS = { wecom: 'wecomUserId', dingtalk: 'dingtalkUserId' } as const satisfies Record<AccountPlatform, string>;

/** Who a member is, as the policy decides on her. */
export const memberFacts = (m: Member): MemberFacts => ({
  orgId: m.org_id,
  id: m.id,
  branchId: m.branch_id,
  role: m.role,
  orgAdmin: m.org_admin,
});

/** What the policy reads of a member. */
export const memberState = (m: Member): MemberState => ({
  branchId: m.branch_id,
  role: m.role,
  orgAdmin: m.org_admin,
  name: m.name,
  group: m.party_group,
  probationary: m.probationary,
  mobile: m.mobile,
  accounts: m.accounts,
});

/** The user ids of a member's accounts, as the reads below select them. */
interface AccountIds {
  dingtalk: string | null;
  wecom: string | null;
}

/** A member's accounts from her row's joined user ids. */
export function accountsOf(r: AccountIds): MemberAccounts {
  const accounts: MemberAccounts = {};
  if (r.dingtalk !== null) accounts.dingtalk = r.dingtalk;
  if (r.wecom !== null) accounts.wecom = r.wecom;
  return accounts;
}

/** The member of a row read with her accounts: built here once, so that no other layer reads 0/1 flags or a column per platform. */
function toMember(r: MemberRow & AccountIds): Member {
  return {
    org_id: r.org_id,
    id: r.id,
    branch_id: r.branch_id,
    name: r.name,
    role: r.role,
    party_group: r.party_group,
    probationary: Number(r.probationary) === 1,
    mobile: r.mobile,
    accounts: accountsOf(r),
    status: r.status,
    left_at: r.left_at,
    left_reason: r.left_reason,
    org_admin: Number(r.org_admin) === 1,
    created_at: r.created_at,
    updated_at: r.updated_at,
  };
}

/**
 * Members (`m`) with the user ids of their accounts, in one statement: a LEFT JOIN a platform on
 * the accounts' primary key. Correlated subqueries a member made a 签到 burst 20% slower.
 */
export function membersWithAccounts(db: Db) {
  return db
    .selectFrom('members as m')
    .leftJoin('member_accounts as d', (j) =>
      j.onRef('d.org_id', '=', 'm.org_id').onRef('d.member_id', '=', 'm.id').on('d.platform', '=', 'dingtalk'),
    )
    .leftJoin('member_accounts as w', (j) =>
      j.onRef('w.org_id', '=', 'm.org_id').onRef('w.member_id', '=', 'm.id').on('w.platform', '=', 'wecom'),
    )
    .select(['d.user_id as dingtalk', 'w.user_id as wecom']);
}

const membersQuery = (db: Db) => membersWithAccounts(db).selectAll('m');

const readMembers = async (query: ReturnType<typeof membersQuery>): Promise<Member[]> => (await query.execute()).map(toMember);

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
export type RosterMember = Member & { terms?: Term[] };

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
 * those who moved away. Members who never moved, nearly all, are kept as read (the one `Member` built
 * from each row): at the start of a 签到 burst copying 20,000 members again cost more than reading them.
 */
export async function listBranchRosters(db: Db, orgId: string, branchIds: readonly string[]): Promise<Map<string, RosterMember[]>> {
  const branches = [...branchIds];
  const ofBranches = db.selectFrom('members').where('org_id', '=', orgId).where('branch_id', 'in', branches);
  const members = await readMembers(membersQuery(db).where('m.org_id', '=', orgId).where('m.branch_id', 'in', branches));
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
  if (away.length > 0) members.push(...(await readMembers(membersQuery(db).where('m.org_id', '=', orgId).where('m.id', 'in', away))));

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

export async function getMember(db: Db, orgId: string, id: string): Promise<Member | undefined> {
  return (await readMembers(membersQuery(db).where('m.org_id', '=', orgId).where('m.id', '=', id)))[0];
}

/**
 * The members whose id, or user id on a platform, is one of `values` (senders looked up
 * together): by platform, from the accounts' unique key to the members and their accounts, in one
 * statement (`IN (subquery)` of the members' ids cost a 签到 burst more).
 */
export async function findMembersBy(db: Db, orgId: string, by: AccountPlatform | 'id', values: readonly string[]): Promise<Member[]> {
  if (values.length === 0) return [];
  if (by === 'id')
    return readMembers(
      membersQuery(db)
        .where('m.org_id', '=', orgId)
        .where('m.id', 'in', [...values]),
    );
  const rows = await db
    .selectFrom('member_accounts as a')
    .innerJoin('members as m', (j) => j.onRef('m.org_id', '=', 'a.org_id').onRef('m.id', '=', 'a.member_id'))
    .leftJoin('member_accounts as d', (j) =>
      j.onRef('d.org_id', '=', 'm.org_id').onRef('d.member_id', '=', 'm.id').on('d.platform', '=', 'dingtalk'),
    )
    .leftJoin('member_accounts as w', (j) =>
      j.onRef('w.org_id', '=', 'm.org_id').onRef('w.member_id', '=', 'm.id').on('w.platform', '=', 'wecom'),
    )
    .selectAll('m')
    .select(['d.user_id as dingtalk', 'w.user_id as wecom'])
    .where('a.org_id', '=', orgId)
    .where('a.platform', '=', by)
    .where('a.user_id', 'in', [...values])
    .execute();
  return rows.map(toMember);
}

/** The member holding this user id on a platform, if any. */
export async function findMemberByAccount(db: Db, orgId: string, platform: AccountPlatform, userId: string): Promise<Member | undefined> {
  return (await findMembersBy(db, orgId, platform, [userId]))[0];
}

/** The branch's members now: not those who left (listBranchRoster for who belonged to it when). */
export async function listBranchMembers(db: Db, orgId: string, branchId: string): Promise<Member[]> {
  return readMembers(
    membersQuery(db).where('m.org_id', '=', orgId).where('m.branch_id', '=', branchId).where('m.status', '=', 'active').orderBy('m.id'),
  );
}

/** The org's members with these ids (any branch), by id. */
export async function listMembersByIds(db: Db, orgId: string, ids: readonly string[]): Promise<Member[]> {
  if (!ids.length) return [];
  return readMembers(
    membersQuery(db)
      .where('m.org_id', '=', orgId)
      .where('m.id', 'in', [...ids])
      .orderBy('m.id'),
  );
}

/** Every member with this id, one per org that has one (the console's --as). */
export async function membersWithId(db: Db, id: string): Promise<Member[]> {
  return readMembers(membersQuery(db).where('m.id', '=', id).orderBy('m.org_id'));
}

/** The org's members by id after `after`, of one branch if given (a page of the admin API's list). */
export async function listMembersPage(
  db: Db,
  orgId: string,
  filter: { branchId?: string; status?: Member['status'] },
  after: string,
  limit: number,
): Promise<Member[]> {
  let query = membersQuery(db).where('m.org_id', '=', orgId).where('m.id', '>', after);
  if (filter.branchId !== undefined) query = query.where('m.branch_id', '=', filter.branchId);
  if (filter.status !== undefined) query = query.where('m.status', '=', filter.status);
  return readMembers(query.orderBy('m.id').limit(limit));
}

/** The current members of some of an org's branches. */
export async function listMembersOfBranches(db: Db, orgId: string, branchIds: readonly string[]): Promise<Member[]> {
  if (branchIds.length === 0) return [];
  return readMembers(
    membersQuery(db)
      .where('m.org_id', '=', orgId)
      .where('m.branch_id', 'in', [...branchIds])
      .where('m.status', '=', 'active'),
  );
}

/** The org's admins (机关党委 staff) still on the roll. */
export async function listOrgAdmins(db: Db, orgId: string): Promise<Member[]> {
  return readMembers(
    membersQuery(db).where('m.org_id', '=', orgId).where('m.org_admin', '=', 1).where('m.status', '=', 'active').orderBy('m.id'),
  );
}

/** Every member of the org, those who left included, with her accounts. */
export async function listOrgMembers(db: Db, orgId: string): Promise<Member[]> {
  return readMembers(membersQuery(db).where('m.org_id', '=', orgId));
}
