import type { Transaction } from 'kysely';
import { writeAudit } from '../db/audit.ts';
import { endSignIns } from '../db/console-sessions.ts';
import { ACCOUNT_FIELDS, insertMembers, insertMove, leaveMember, memberFacts, memberState, putMember } from '../db/members.ts';
import type { Database, Member } from '../db/schema.ts';
import { type AuditActor, type AuditEntry, memberChanges } from '../src/domain/audit.ts';
import type { DirectoryPreview, RosterEntry } from '../src/domain/directory.ts';
import { type Actor, type ChangeRefused, type MemberState, decide, mayChangeMember } from '../src/domain/policy.ts';
import type { SendContext } from '../src/platforms/adapter.ts';
import { type DeliverDeps, PlatformClients } from '../src/platforms/shared/clients.ts';

// A directory preview's changes written to the roster: an org admin's apply and the directory
// sync's share this path. Each change is first decided by the policy as the change of a member it
// is (the directory gives nobody more than she may do by hand); members and their entries in the
// trail are written in the caller's transaction. Nothing is deleted: who is gone is marked left
// from now on, her records kept. Roles, the org-admin flag, 党小组, 预备党员 and mobile numbers are
// kept as stored.

/** Why a member the directory no longer lists is marked left. */
export const DIRECTORY_LEFT_REASON = '已不在通讯录的对应部门';

/** Who writes a directory's changes: whom the policy decides for, whom the trail names, from where. */
export interface DirectoryWriter {
  actor: Actor;
  who: AuditActor;
  address: string | null;
}

/** What reads the platforms' directories: the service's parts, and a count of calls and clients of its own. */
export function directoryContext(deps: DeliverDeps): SendContext {
  return { deps, clients: new PlatformClients(deps) };
}

/** A member as the preview reads her. */
export const rosterEntry = (m: Member): RosterEntry => ({
  id: m.id,
  branch_id: m.branch_id,
  name: m.name,
  status: m.status,
  accounts: m.accounts,
});

/** A new member as she is created: a 党员 of the branch, with her account and nothing else of tongxin's. */
const newcomer = (n: DirectoryPreview['newMembers'][number]): MemberState => ({
  branchId: n.branch,
  role: 'member',
  orgAdmin: false,
  // Hidden by the platform: her account stands in until a name is set by hand.
  name: n.name ?? n.account.userId,
  group: null,
  probationary: false,
  mobile: null,
  accounts: { [n.account.platform]: n.account.userId },
});

/** The members a preview rewrites, as before and after: one renamed and moved at once is one write. */
function rewrites(
  preview: DirectoryPreview,
  members: ReadonlyMap<string, Member>,
): Map<string, { before: MemberState; after: MemberState }> {
  const changed = new Map<string, { before: MemberState; after: MemberState }>();
  const change = (id: string, edit: Partial<MemberState>) => {
    const stored = members.get(id)!;
    const entry = changed.get(id) ?? { before: memberState(stored), after: memberState(stored) };
    Object.assign(entry.after, edit);
    changed.set(id, entry);
  };
  for (const r of preview.renamed) change(r.member, { name: r.to });
  for (const m of preview.moved) change(m.member, { branchId: m.to });
  return changed;
}

/** The first of a preview's changes the policy refuses `actor`, or null when it allows them all. */
export function directoryRefusal(
  actor: Actor,
  orgId: string,
  preview: DirectoryPreview,
  members: ReadonlyMap<string, Member>,
): ChangeRefused | null {
  for (const n of preview.newMembers) {
    const refused = mayChangeMember(actor, orgId, n.id, undefined, newcomer(n));
    if (refused) return refused;
  }
  for (const [id, { before, after }] of rewrites(preview, members)) {
    const refused = mayChangeMember(actor, orgId, id, before, after);
    if (refused) return refused;
  }
  for (const g of preview.gone) {
    const decision = decide(actor, 'member.leave', { kind: 'member', member: memberFacts(members.get(g.member)!) });
    if (!decision.ok) return { action: 'member.leave', why: decision.why };
  }
  return null;
}

/**
 * Writes a preview's changes, which the policy has allowed `writer` (directoryRefusal), with an entry
 * of the trail for each member changed, marked `source: directory`, in `trx`. `members`: the roster
 * the preview was computed from, by id.
 */
export async function writeDirectoryChanges(
  trx: Transaction<Database>,
  writer: DirectoryWriter,
  orgId: string,
  preview: DirectoryPreview,
  members: ReadonlyMap<string, Member>,
  now: number,
): Promise<void> {
  const source = 'directory';
  const entries: Pick<AuditEntry, 'action' | 'object' | 'detail'>[] = [];
  const created = preview.newMembers.map((n) => {
    const state = newcomer(n);
    entries.push({
      action: 'member.create',
      object: `member:${n.id}`,
      detail: { ...memberChanges(undefined, state, ACCOUNT_FIELDS), source },
    });
    return state;
  });
  const changed = rewrites(preview, members);
  for (const [id, { before, after }] of changed) {
    if (before.name !== after.name)
      entries.push({ action: 'member.edit', object: `member:${id}`, detail: { name: [before.name, after.name], source } });
    if (before.branchId !== after.branchId)
      entries.push({ action: 'member.move', object: `member:${id}`, detail: { branchId: [before.branchId, after.branchId], source } });
  }
  for (const g of preview.gone)
    entries.push({ action: 'member.leave', object: `member:${g.member}`, detail: { at: now, reason: DIRECTORY_LEFT_REASON, source } });

  await insertMembers(
    trx,
    orgId,
    preview.newMembers.map((n, i) => ({
      org_id: orgId,
      id: n.id,
      branch_id: n.branch,
      name: created[i]!.name,
      role: 'member',
      party_group: null,
      probationary: false,
      mobile: null,
      accounts: created[i]!.accounts,
      org_admin: false,
    })),
    now,
  );
  for (const [id, { before, after }] of changed) {
    const stored = members.get(id)!;
    if (before.branchId !== after.branchId) {
      // Kept as a move: the old branch's past meetings still expected her.
      await insertMove(trx, { org_id: orgId, member_id: id, at: now, from_branch: before.branchId, to_branch: after.branchId });
      await endSignIns(trx, orgId, id, now);
    }
    await putMember(
      trx,
      {
        org_id: orgId,
        id,
        branch_id: after.branchId,
        name: after.name,
        role: stored.role,
        party_group: stored.party_group,
        probationary: stored.probationary,
        mobile: stored.mobile,
        accounts: stored.accounts,
        org_admin: stored.org_admin,
      },
      now,
      stored.accounts,
    );
  }
  for (const g of preview.gone) {
    await leaveMember(trx, orgId, g.member, now, DIRECTORY_LEFT_REASON, now);
    await endSignIns(trx, orgId, g.member, now);
  }
  await writeAudit(
    trx,
    ...entries.map((e): AuditEntry => ({ ...e, at: now, orgId, actor: writer.who, address: writer.address, result: 'ok' })),
  );
}
