import { type Context, Hono } from 'hono';
import { listOrgDepartments } from '../../../db/branch-departments.ts';
import { listOrgBranches } from '../../../db/branches.ts';
import { getOrg } from '../../../db/orgs.ts';
import type { BranchTable, OrgTable } from '../../../db/schema.ts';
import type { DepartmentMapping, DirectoryPreview } from '../../domain/directory.ts';
import { decide } from '../../domain/policy.ts';
import { TOP_DEPARTMENT } from '../../platforms/directory.ts';
import { consoleFacts } from '../../platforms/index.ts';
import { type Acting, Refused, auditRefused } from '../acting.ts';
import type { ServiceDeps } from '../deps.ts';
import {
  type ApplyResult,
  applyShownDirectory,
  departmentChoices,
  directoryChannels,
  previewDirectory,
  setBranchDepartments,
} from '../directory.ts';
import { Problem } from '../http.ts';
import { applyForm, departmentForm } from './forms/directory.ts';
import type { Notice } from './layout.ts';
import { branchFrame, branchOfPath, branchPath, formExpired, notFound, orgFrame, orgPath } from './nav.ts';
import { refusalText } from './refusals.ts';
import { type ConsoleEnv, actingOf, checkedForm } from './session.ts';
import { departmentsModel, departmentsView, directoryModel, directoryView } from './views/directory.ts';

// The roster from the platforms' directories, for org admins and IT: the 通讯录同步 page previews
// what following the directories would change and applies exactly that preview, through the same
// code as the admin API; a branch's 通讯录部门 page sets the departments it maps, picked from the
// platform's tree read live (or typed when it cannot be read), saved through the admin API's check.

type Deps = Pick<ServiceDeps, 'db' | 'clock' | 'config' | 'redis' | 'logger'>;

/** A branch maps at most this many departments (as the admin API takes). */
const MAX_DEPARTMENTS = 100;

/** What a failure of the directory's routes says: its reason in Chinese (the admin API's words, without a field's name). */
const problemText = (err: Problem) => err.reason ?? err.message;

type ProblemStatus = 400 | 403 | 404 | 409 | 502;
const statusOf = (err: Problem): ProblemStatus =>
  err.status === 409 || err.status === 502 || err.status === 403 || err.status === 404 ? err.status : 400;

const applied = (r: ApplyResult) => {
  const { newMembers, renamed, moved, gone } = r.applied;
  const { conflicts, returning } = r.notApplied;
  const left = [conflicts ? `冲突 ${conflicts} 人` : '', returning ? `重新出现 ${returning} 人` : ''].filter(Boolean);
  return `已按通讯录更新名单：新成员 ${newMembers} 人，改名 ${renamed} 人，调整支部 ${moved} 人，标记离开 ${gone} 人。${
    left.length ? `${left.join('、')}未处理，请核实后在党员页调整。` : ''
  }`;
};

export function directoryPages(deps: Deps): Hono<ConsoleEnv> {
  const { db, clock } = deps;
  const app = new Hono<ConsoleEnv>();

  /** The path's org, when the viewer may preview its directory. */
  async function orgOf(c: Context<ConsoleEnv>): Promise<OrgTable | null> {
    const orgId = c.req.param('org') ?? '';
    if (!decide(c.get('viewer').actor, 'directory.preview', { kind: 'org', orgId }).ok) return null;
    return (await getOrg(db, orgId)) ?? null;
  }

  /** A refusal of the policy, on the trail, answered as for what the viewer may not see. */
  async function refused(c: Context<ConsoleEnv>, acting: Acting, orgId: string, object: string, err: Refused) {
    await auditRefused(db, acting, err, { at: clock.now(), orgId, object, detail: { why: err.why } });
    return notFound(c);
  }

  async function directoryPage(
    c: Context<ConsoleEnv>,
    org: OrgTable,
    notice: Notice | null,
    preview: DirectoryPreview | null,
    status: 200 | ProblemStatus = 200,
  ) {
    const viewer = c.get('viewer');
    const [branches, mappings, channels] = await Promise.all([
      listOrgBranches(db, org.id),
      listOrgDepartments(db, org.id),
      directoryChannels(deps, org.id),
    ]);
    const model = directoryModel({
      frame: await orgFrame(viewer, org, 'directory', deps),
      notice,
      path: `${orgPath(org.id)}/directory`,
      branches,
      branchHref: (id) => `${branchPath(org.id, id)}/departments`,
      mappings,
      hasDirectory: channels.length > 0,
      preview,
      applies: decide(viewer.actor, 'directory.apply', { kind: 'org', orgId: org.id }).ok,
    });
    return c.html(directoryView(model), status);
  }

  app.get('/orgs/:org/directory', async (c) => {
    const org = await orgOf(c);
    return org ? directoryPage(c, org, null, null) : notFound(c);
  });

  // A read, though it calls the platforms (counted in their quotas): nothing is written.
  app.get('/orgs/:org/directory/preview', async (c) => {
    const org = await orgOf(c);
    if (!org) return notFound(c);
    let preview: DirectoryPreview;
    try {
      preview = await previewDirectory(deps, actingOf(c, deps), org.id);
    } catch (err) {
      if (!(err instanceof Problem)) throw err;
      return directoryPage(c, org, { kind: 'error', text: `未能预览：${problemText(err)}` }, null, statusOf(err));
    }
    return directoryPage(c, org, null, preview);
  });

  app.post('/orgs/:org/directory/apply', async (c) => {
    const orgId = c.req.param('org');
    const acting = actingOf(c, deps);
    const decision = decide(acting.actor, 'directory.apply', { kind: 'org', orgId });
    const org = decision.ok || decision.why !== 'scope' ? await getOrg(db, orgId) : undefined;
    if (!org) return notFound(c);
    if (!decision.ok) return refused(c, acting, org.id, `org:${org.id}`, new Refused('directory.apply', decision.why));
    const form = await checkedForm(c, deps);
    if (!form) return formExpired(c);
    const asked = applyForm(form);
    if (!asked) return directoryPage(c, org, { kind: 'error', text: '没有要确认的预览：请先预览。' }, null, 400);
    try {
      const result = await applyShownDirectory(deps, acting, org.id, asked.basis, asked.confirmEmpty);
      return directoryPage(c, org, { kind: 'ok', text: applied(result) }, null);
    } catch (err) {
      if (err instanceof Refused) {
        await auditRefused(db, acting, err, { at: clock.now(), orgId: org.id, object: `org:${org.id}`, detail: { why: err.why } });
        return directoryPage(c, org, { kind: 'error', text: `名单未作改动：${refusalText(err.action, err.why)}` }, null, 403);
      }
      if (!(err instanceof Problem)) throw err;
      const text =
        err.field === 'confirmEmpty'
          ? '有对应部门在通讯录中没有人员：请重新预览，核实后勾选确认再更新。'
          : `${problemText(err)}${err.status === 409 ? '' : '名单未作改动。'}`;
      return directoryPage(c, org, { kind: 'error', text }, null, statusOf(err));
    }
  });

  const base = '/orgs/:org/branches/:branch/departments';

  /** The path's branch, when the viewer may set its departments. */
  async function branchToSet(c: Context<ConsoleEnv>) {
    const found = await branchOfPath(c, deps);
    if (!found) return null;
    const decision = decide(c.get('viewer').actor, 'branch.write', { kind: 'branch', orgId: found.org.id, branchId: found.branch.id });
    return { ...found, decision };
  }

  async function departmentsPage(
    c: Context<ConsoleEnv>,
    found: { org: OrgTable; branch: BranchTable },
    notice: Notice | null,
    status: 200 | ProblemStatus = 200,
    browsing: { channel: string; under: string } | null = null,
  ) {
    const { org, branch } = found;
    const [mappings, branches, channels] = await Promise.all([
      listOrgDepartments(db, org.id),
      listOrgBranches(db, org.id),
      directoryChannels(deps, org.id),
    ]);
    // Each channel's tree a level at a time: the one asked for under the department asked, the others from the top.
    const read = await Promise.all(
      channels.map(async (ch) => {
        const under = browsing?.channel === ch.id ? browsing.under : null;
        return {
          id: ch.id,
          label: consoleFacts(ch).label,
          under,
          read: await departmentChoices(deps, ch, under ?? TOP_DEPARTMENT),
        };
      }),
    );
    const model = departmentsModel({
      frame: branchFrame(c.get('viewer'), found, 'departments'),
      notice,
      path: `${branchPath(org.id, branch.id)}/departments`,
      branchId: branch.id,
      mappings,
      branches,
      channels: read,
    });
    return c.html(departmentsView(model), status);
  }

  app.get(base, async (c) => {
    const found = await branchToSet(c);
    if (!found?.decision.ok) return notFound(c);
    const channel = c.req.query('channel');
    const under = c.req.query('under');
    const browsing = channel && under && /^\d{1,19}$/.test(under) ? { channel, under } : null;
    return departmentsPage(c, found, null, 200, browsing);
  });

  /** Saves the branch's departments as `edit` makes them from those it has, and shows the page with what became of it. */
  async function saveDepartments(
    c: Context<ConsoleEnv>,
    edit: (
      mapped: Omit<DepartmentMapping, 'branch'>[],
      department: { channel: string; departmentId: string; includeSub: boolean },
    ) =>
      | {
          list: Omit<DepartmentMapping, 'branch'>[];
          done: string;
        }
      | { error: string },
  ) {
    const found = await branchToSet(c);
    if (!found) return notFound(c);
    const { org, branch, decision } = found;
    const acting = actingOf(c, deps);
    if (!decision.ok) return refused(c, acting, org.id, `branch:${branch.id}`, new Refused('branch.write', decision.why));
    const form = await checkedForm(c, deps);
    if (!form) return formExpired(c);
    const department = departmentForm(form);
    if (!department.ok) return departmentsPage(c, found, { kind: 'error', text: department.error }, 400);
    const mapped = (await listOrgDepartments(db, org.id))
      .filter((m) => m.branch === branch.id)
      .map(({ channel, departmentId, includeSub }) => ({ channel, departmentId, includeSub }));
    const change = edit(mapped, department.value);
    if ('error' in change) return departmentsPage(c, found, { kind: 'error', text: change.error }, 400);
    try {
      await setBranchDepartments(deps, acting, org.id, branch.id, change.list);
    } catch (err) {
      if (err instanceof Refused) return refused(c, acting, org.id, `branch:${branch.id}`, err);
      if (!(err instanceof Problem)) throw err;
      return departmentsPage(c, found, { kind: 'error', text: `未保存：${problemText(err)}` }, statusOf(err));
    }
    return departmentsPage(c, found, { kind: 'ok', text: change.done });
  }

  const named = (d: { channel: string; departmentId: string }) => `渠道 ${d.channel} 的部门 ${d.departmentId}`;

  app.post(`${base}/add`, (c) =>
    saveDepartments(c, (mapped, d) => {
      const i = mapped.findIndex((m) => m.channel === d.channel && m.departmentId === d.departmentId);
      if (i < 0 && mapped.length >= MAX_DEPARTMENTS) return { error: `一个支部最多对应 ${MAX_DEPARTMENTS} 个部门。` };
      const list = i < 0 ? [...mapped, d] : mapped.map((m, j) => (j === i ? d : m));
      return { list, done: `已保存：${named(d)}${d.includeSub ? '（含下级部门）' : '（仅本部门）'}。` };
    }),
  );

  app.post(`${base}/remove`, (c) =>
    saveDepartments(c, (mapped, d) => {
      const list = mapped.filter((m) => !(m.channel === d.channel && m.departmentId === d.departmentId));
      if (list.length === mapped.length) return { error: `${named(d)}不是本支部对应的部门。` };
      return { list, done: `已移除：${named(d)}。` };
    }),
  );

  return app;
}
