import type { Kysely, Transaction } from 'kysely';
import type { Database, Member } from '../../db/schema.ts';
import { getBranch } from '../../db/branches.ts';
import { endSignIns } from '../../db/console-sessions.ts';
import { findMemberByAccount, getMember, insertMove, leaveMember, memberFacts, memberState, putMember } from '../../db/members.ts';
import { getOrgForUpdate } from '../../db/orgs.ts';
import { memberChanges } from '../domain/audit.ts';
import { type Action, type MemberState, endsSessions, mayChangeMember, memberChangeActions } from '../domain/policy.ts';
import { isoWithOffset } from '../domain/time.ts';
import { type Acting, Refused, audit, authorise } from './acting.ts';
import { Problem, badField } from './http.ts';
import { ACCOUNT_FIELDS, ACCOUNT_ORDER, type MemberBody, accountFields } from './schemas.ts';

// Every write of a member, from the admin API, the console's form and the CSV import alike: the
// policy decides on the change it amounts to, the trail records it in the same transaction, and a
// change of what she may do or of who she is in chat ends her console sessions.

/** The fields each action of a change is about, for its entry in the trail; a new member's entry has them all. */
const ACTION_FIELDS: Partial<Record<Action, (keyof MemberState)[]>> = {
  'member.edit': ['name', 'group', 'probationary', 'mobile'],
  'member.role': ['role'],
  'member.appoint': ['role'],
  'member.move': ['branchId'],
  'member.accounts': ['accounts'],
  'member.orgAdmin': ['orgAdmin'],
};

export const bodyState = (b: MemberBody): MemberState => ({
  branchId: b.branch,
  role: b.role,
  orgAdmin: b.orgAdmin,
  name: b.name,
  group: b.group,
  probationary: b.probationary,
  mobile: b.mobile,
  accounts: b.accounts,
});

/** A member's record as a body: what a form or an import row leaves out keeps its stored value. */
export const memberBody = (m: Member): MemberBody => ({
  name: m.name,
  branch: m.branch_id,
  role: m.role,
  group: m.party_group,
  probationary: m.probationary,
  mobile: m.mobile,
  accounts: m.accounts,
  orgAdmin: m.org_admin,
});

/**
 * Creates or replaces a member after checking its branch and that its platform ids are not
 * another member's. Throws a Problem naming the field (Refused for what the policy does not allow);
 * 404 when the org does not exist.
 */
export async function saveMember(
  db: Kysely<Database>,
  acting: Acting,
  orgId: string,
  id: string,
  body: MemberBody,
  now: number,
): Promise<void> {
  await db.transaction().execute(async (trx) => {
    if (!(await getOrgForUpdate(trx, orgId))) throw new Problem(404, `unknown org ${orgId}`);
    await saveMemberIn(trx, acting, orgId, id, body, now);
  });
}

/**
 * saveMember's checks and write in a transaction that already holds the org (getOrgForUpdate): a
 * refused member throws before anything is written. False when the write would change nothing.
 */
export async function saveMemberIn(
  trx: Transaction<Database>,
  acting: Acting,
  orgId: string,
  id: string,
  body: MemberBody,
  now: number,
): Promise<boolean> {
  const before = await getMember(trx, orgId, id);
  const was = before && memberState(before);
  const after = bodyState(body);
  const refused = mayChangeMember(acting.actor, orgId, id, was, after);
  if (refused) throw new Refused(refused.action, refused.why);
  const actions = memberChangeActions(was, after);
  if (actions.length === 0) return false;
  if (!(await getBranch(trx, orgId, body.branch))) throw badField('branch', `no branch ${body.branch} in this org`);
  for (const platform of ACCOUNT_ORDER) {
    const userId = body.accounts[platform];
    if (userId === undefined) continue;
    const holder = await findMemberByAccount(trx, orgId, platform, userId);
    if (holder && holder.id !== id) throw badField(ACCOUNT_FIELDS[platform], `already used by member ${holder.id}`);
  }
  // A move to another branch is kept: the old branch's past meetings still expected the member.
  if (before && before.branch_id !== body.branch) {
    await insertMove(trx, { org_id: orgId, member_id: id, at: now, from_branch: before.branch_id, to_branch: body.branch });
  }
  await putMember(
    trx,
    {
      org_id: orgId,
      id,
      branch_id: body.branch,
      name: body.name,
      role: body.role,
      party_group: body.group,
      probationary: body.probationary,
      mobile: body.mobile,
      accounts: body.accounts,
      org_admin: body.orgAdmin,
    },
    now,
    before?.accounts ?? {},
  );
  const left = before?.status === 'left';
  if (was && endsSessions({ ...was, left }, { ...after, left })) await endSignIns(trx, orgId, id, now);
  const changes = memberChanges(was, after, ACCOUNT_FIELDS);
  for (const action of actions) {
    const fields = ACTION_FIELDS[action];
    const detail = fields
      ? Object.fromEntries(Object.entries(changes).filter(([key]) => fields.includes(key as keyof MemberState)))
      : changes;
    await audit(trx, acting, { at: now, orgId, action, object: `member:${id}`, detail });
  }
  return true;
}

/**
 * Records that a member left (from `at`), if the policy lets `acting` do so to her as she stands
 * while the org is held; her sessions end. 404 when she does not exist.
 */
export async function markLeft(
  db: Kysely<Database>,
  acting: Acting,
  orgId: string,
  id: string,
  at: number,
  reason: string | null,
  now: number,
): Promise<void> {
  await db.transaction().execute(async (trx) => {
    if (!(await getOrgForUpdate(trx, orgId))) throw new Problem(404, `unknown org ${orgId}`);
    const member = await getMember(trx, orgId, id);
    if (!member) throw new Problem(404, `unknown member ${id}`);
    authorise(acting, 'member.leave', { kind: 'member', member: memberFacts(member) });
    await leaveMember(trx, orgId, id, at, reason, now);
    await endSignIns(trx, orgId, id, now);
    await audit(trx, acting, { at: now, orgId, action: 'member.leave', object: `member:${id}`, detail: { at, reason } });
  });
}

export function memberJson(m: Member, tz: string) {
  const { accounts, ...body } = memberBody(m);
  return {
    id: m.id,
    ...body,
    ...accountFields(accounts),
    status: m.status,
    leftAt: m.left_at === null ? null : isoWithOffset(Number(m.left_at), tz),
    leftReason: m.left_reason,
    createdAt: isoWithOffset(Number(m.created_at), tz),
    updatedAt: isoWithOffset(Number(m.updated_at), tz),
  };
}

export async function readMember(db: Kysely<Database>, orgId: string, id: string): Promise<Member> {
  const member = await getMember(db, orgId, id);
  if (!member) throw new Error(`member ${orgId}/${id} vanished after its write`);
  return member;
}
