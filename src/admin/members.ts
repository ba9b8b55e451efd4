import type { Kysely, Transaction } from 'kysely';
import type { Database, MemberTable } from '../../db/schema.ts';
import { getBranch } from '../../db/branches.ts';
import { type PlatformUserColumn, findMemberByPlatformUser, getMember, insertMove, putMember } from '../../db/members.ts';
import { getOrgForUpdate } from '../../db/orgs.ts';
import { isoWithOffset } from '../domain/time.ts';
import { Problem, badField } from './http.ts';
import type { MemberBody } from './schemas.ts';

const PLATFORM_IDS: [keyof MemberBody & string, PlatformUserColumn][] = [
  ['wecomUserId', 'wecom_user_id'],
  ['dingtalkUserId', 'dingtalk_user_id'],
];

/**
 * Creates or replaces a member after checking its branch and that its platform ids are not
 * another member's. Throws a Problem naming the field; 404 when the org does not exist.
 */
export async function saveMember(db: Kysely<Database>, orgId: string, id: string, body: MemberBody, now: number): Promise<void> {
  await db.transaction().execute(async (trx) => {
    if (!(await getOrgForUpdate(trx, orgId))) throw new Problem(404, `unknown org ${orgId}`);
    await saveMemberIn(trx, orgId, id, body, now);
  });
}

/**
 * saveMember's checks and write in a transaction that already holds the org (getOrgForUpdate): a
 * refused member throws a 400 Problem before anything is written.
 */
export async function saveMemberIn(trx: Transaction<Database>, orgId: string, id: string, body: MemberBody, now: number): Promise<void> {
  if (!(await getBranch(trx, orgId, body.branch))) throw badField('branch', `no branch ${body.branch} in this org`);
  for (const [field, column] of PLATFORM_IDS) {
    const userId = body[field];
    if (typeof userId !== 'string') continue;
    const holder = await findMemberByPlatformUser(trx, orgId, column, userId);
    if (holder && holder.id !== id) throw badField(field, `already used by member ${holder.id}`);
  }
  // A move to another branch is kept: the old branch's past meetings still expected the member.
  const before = await getMember(trx, orgId, id);
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
      probationary: body.probationary ? 1 : 0,
      mobile: body.mobile,
      wecom_user_id: body.wecomUserId,
      dingtalk_user_id: body.dingtalkUserId,
      org_admin: body.orgAdmin ? 1 : 0,
    },
    now,
  );
}

export function memberJson(m: MemberTable, tz: string) {
  return {
    id: m.id,
    name: m.name,
    branch: m.branch_id,
    role: m.role,
    group: m.party_group,
    probationary: Number(m.probationary) === 1,
    mobile: m.mobile,
    wecomUserId: m.wecom_user_id,
    dingtalkUserId: m.dingtalk_user_id,
    orgAdmin: Number(m.org_admin) === 1,
    status: m.status,
    leftAt: m.left_at === null ? null : isoWithOffset(Number(m.left_at), tz),
    leftReason: m.left_reason,
    createdAt: isoWithOffset(Number(m.created_at), tz),
    updatedAt: isoWithOffset(Number(m.updated_at), tz),
  };
}

export async function readMember(db: Kysely<Database>, orgId: string, id: string): Promise<MemberTable> {
  const member = await getMember(db, orgId, id);
  if (!member) throw new Error(`member ${orgId}/${id} vanished after its write`);
  return member;
}
