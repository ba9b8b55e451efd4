import type { Context } from 'hono';
import { getBranch } from '../../../db/branches.ts';
import { getOrg, listOrgsPage } from '../../../db/orgs.ts';
import type { BranchTable, OrgTable } from '../../../db/schema.ts';
import { CONSOLE_PATH } from '../../chat/context.ts';
import { type Action, decide, deploymentOf } from '../../domain/policy.ts';
import type { ServiceDeps } from '../deps.ts';
import { type BranchFrame, type OrgFrame, type Tab, formExpiredPage, notFoundPage } from './layout.ts';
import type { ConsoleEnv, Viewer } from './session.ts';

// Where a console page is: the paths of orgs and branches, the place the path names when the
// viewer may see it (else the same 404 as for a place that does not exist), the tabs, and the
// frame each page's view model starts from.

type Deps = Pick<ServiceDeps, 'db'>;

export const orgPath = (orgId: string) => `${CONSOLE_PATH}/orgs/${encodeURIComponent(orgId)}`;
export const branchPath = (orgId: string, branchId: string) => `${orgPath(orgId)}/branches/${encodeURIComponent(branchId)}`;

/** What a viewer gets for a place they may not see: the same as for one that does not exist. */
export const notFound = (c: Context<ConsoleEnv>) => c.html(notFoundPage(c.get('viewer')), 404);

/** A write whose CSRF token or Origin does not hold: nothing was written. */
export const formExpired = (c: Context<ConsoleEnv>) => c.html(formExpiredPage(c.get('viewer')), 403);

/** The org and branch of the path when the viewer may see them. */
export async function branchOfPath(c: Context<ConsoleEnv>, deps: Deps): Promise<{ org: OrgTable; branch: BranchTable } | null> {
  const [orgId, branchId] = [c.req.param('org') ?? '', c.req.param('branch') ?? ''];
  if (!decide(c.get('viewer').actor, 'branch.read', { kind: 'branch', orgId, branchId }).ok) return null;
  const org = await getOrg(deps.db, orgId);
  const branch = org && (await getBranch(deps.db, org.id, branchId));
  return org && branch ? { org, branch } : null;
}

const BRANCH_TABS = [
  ['overview', '支部概况', ''],
  ['meetings', '会议', '/meetings'],
  ['members', '党员', '/members'],
  ['reports', '四服务汇报', '/reports'],
  ['digest', '五同周报', '/digest'],
  ['exports', '导出', '/exports'],
] as const;

export type BranchTab = (typeof BRANCH_TABS)[number][0] | 'departments';

/** The tabs of a branch's pages; the org's list first for those who see more than one branch; its directory departments for those who set them. */
export function branchTabs(viewer: Viewer, org: OrgTable, branch: BranchTable, on: BranchTab): Tab[] {
  const tabs: Tab[] = viewer.scope.kind === 'branch' ? [] : [{ label: '各支部', href: orgPath(org.id) }];
  const path = branchPath(org.id, branch.id);
  for (const [key, label, suffix] of BRANCH_TABS) tabs.push({ label, href: `${path}${suffix}`, on: key === on });
  if (decide(viewer.actor, 'branch.write', { kind: 'branch', orgId: org.id, branchId: branch.id }).ok)
    tabs.push({ label: '通讯录部门', href: `${path}/departments`, on: on === 'departments' });
  return tabs;
}

export const QUEUES_PATH = `${CONSOLE_PATH}/queues`;

/** Whether the viewer may read (or change) the queue dashboard, which holds every org's jobs. */
export async function mayQueues(
  viewer: Viewer,
  action: Extract<Action, 'queues.read' | 'queues.write'>,
  deps: Pick<ServiceDeps, 'db'>,
): Promise<boolean> {
  if (viewer.actor.kind === 'it') return true;
  const orgs = await listOrgsPage(deps.db, '', 2);
  return decide(viewer.actor, action, deploymentOf(orgs.map((o) => o.id))).ok;
}

/** Whether the viewer may see the org's own pages (an org admin of it, or IT). */
export const seesOrg = (viewer: Viewer, orgId: string): boolean => decide(viewer.actor, 'org.read', { kind: 'org', orgId }).ok;

export async function orgTabs(viewer: Viewer, org: OrgTable, on: string, deps: Pick<ServiceDeps, 'db'>): Promise<Tab[]> {
  const tabs: Tab[] = [
    { label: '各支部', href: orgPath(org.id), on: on === 'branches' },
    { label: '渠道', href: `${orgPath(org.id)}/channels`, on: on === 'channels' },
    { label: '节假日', href: `${orgPath(org.id)}/calendar`, on: on === 'calendar' },
  ];
  if (decide(viewer.actor, 'directory.preview', { kind: 'org', orgId: org.id }).ok)
    tabs.push({ label: '通讯录同步', href: `${orgPath(org.id)}/directory`, on: on === 'directory' });
  if (decide(viewer.actor, 'audit.read', { kind: 'org', orgId: org.id }).ok)
    tabs.push({ label: '操作记录', href: `${orgPath(org.id)}/audit`, on: on === 'audit' });
  if (await mayQueues(viewer, 'queues.read', deps)) tabs.push({ label: '队列', href: QUEUES_PATH });
  return tabs;
}

type Found = { org: OrgTable; branch: BranchTable };

/** A branch page's handler, run only when the viewer may see the path's branch (else 404). */
export const onBranch =
  (deps: Deps, fn: (c: Context<ConsoleEnv>, found: Found) => Promise<Response>) =>
  async (c: Context<ConsoleEnv>): Promise<Response> => {
    const found = await branchOfPath(c, deps);
    return found ? fn(c, found) : notFound(c);
  };

/** The frame of a branch's page, with `on` the tab shown. */
export const branchFrame = (viewer: Viewer, { org, branch }: Found, on: BranchTab): BranchFrame => ({
  viewer: { name: viewer.name, csrf: viewer.csrf },
  orgName: org.name,
  branchName: branch.name,
  tabs: branchTabs(viewer, org, branch, on),
});

/** The frame of an org's page, with `on` the tab shown. */
export const orgFrame = async (viewer: Viewer, org: OrgTable, on: string, deps: Deps): Promise<OrgFrame> => ({
  viewer: { name: viewer.name, csrf: viewer.csrf },
  orgName: org.name,
  tabs: await orgTabs(viewer, org, on, deps),
});
