import type { MemberTable } from './records.ts';

// Who sees what in the console (SPEC §9.4): IT (ADMIN_TOKEN) everything; an org admin (机关党委
// staff) every branch of their org; a secretary their own branch; anyone else nothing. Read from
// the member as they are now, at every request.

type Signer = Pick<MemberTable, 'org_id' | 'branch_id' | 'role' | 'org_admin' | 'status'>;

export type Scope = { kind: 'all' } | { kind: 'org'; orgId: string } | { kind: 'branch'; orgId: string; branchId: string };

/** Whether a member may sign in at all: a secretary or an org admin still on the roll. */
export const canSignIn = (m: Signer): boolean => m.status !== 'left' && (m.role === 'secretary' || Number(m.org_admin) === 1);

/** What a signed-in viewer may see; null for a member who may no longer sign in. */
export function scopeOf(viewer: { kind: 'it' } | { kind: 'member'; member: Signer }): Scope | null {
  if (viewer.kind === 'it') return { kind: 'all' };
  const m = viewer.member;
  if (!canSignIn(m)) return null;
  return Number(m.org_admin) === 1 ? { kind: 'org', orgId: m.org_id } : { kind: 'branch', orgId: m.org_id, branchId: m.branch_id };
}

export const seesOrg = (scope: Scope, orgId: string): boolean => scope.kind === 'all' || scope.orgId === orgId;

export const seesBranch = (scope: Scope, orgId: string, branchId: string): boolean =>
  seesOrg(scope, orgId) && (scope.kind !== 'branch' || scope.branchId === branchId);
