import { type Context, Hono } from 'hono';
import { listOrgBranches } from '../../../db/branches.ts';
import { getMember, listBranchRoster, memberFacts } from '../../../db/members.ts';
import type { BranchTable, Member, OrgTable } from '../../../db/schema.ts';
import { byRole } from '../../domain/meetings.ts';
import { type Actor, decide, memberOptions } from '../../domain/policy.ts';
import { type Acting, Refused, auditRefused, authorise } from '../acting.ts';
import type { ServiceDeps } from '../deps.ts';
import { inChinese } from '../chinese.ts';
import { Problem } from '../http.ts';
import { importMembers, planImport } from '../members-import.ts';
import { markLeft, memberBody, saveMember } from '../members.ts';
import { ACCOUNT_FIELDS } from '../schemas.ts';
import { fieldError, importForm, leaveForm, memberEditForm } from './forms/members.ts';
import type { Notice } from './layout.ts';
import { branchFrame, branchOfPath, branchPath, formExpired, notFound } from './nav.ts';
import { refusalText } from './refusals.ts';
import { type ConsoleEnv, actingOf, checkedForm } from './session.ts';
import { type ImportModel, editModel, editView, importView, rosterModel, rosterView } from './views/members.ts';

// The branch's members: the roster (who has left included), a member's edit form, leave, and the
// CSV import — checked and shown row by row first, written only when confirmed. The policy decides
// what each viewer may change, and the forms offer only that; views/members.ts shows it.

type Deps = Pick<ServiceDeps, 'db' | 'clock' | 'config'>;

/** A console import: what a secretary's spreadsheet holds, and what a preview can show and carry back. */
const IMPORT_MAX_ROWS = 5_000;
const IMPORT_MAX_BYTES = 1024 * 1024;

/** What the viewer may change of `member`, as the policy reads it. */
const editable = (actor: Actor, member: Member) => memberOptions(actor, memberFacts(member), member.status === 'left');

export function memberPages(deps: Deps): Hono<ConsoleEnv> {
  const { db, clock } = deps;
  const app = new Hono<ConsoleEnv>();
  const base = '/orgs/:org/branches/:branch/members';

  async function rosterPage(
    c: Context<ConsoleEnv>,
    org: OrgTable,
    branch: BranchTable,
    notice: Notice | null,
    status: 200 | 400 | 403 = 200,
  ) {
    const viewer = c.get('viewer');
    const members = (await listBranchRoster(db, org.id, branch.id)).filter((m) => m.branch_id === branch.id).sort(byRole);
    const newcomer = { orgId: org.id, id: '', branchId: branch.id, role: 'member' as const, orgAdmin: false };
    const model = rosterModel({
      frame: branchFrame(viewer, { org, branch }, 'members'),
      notice,
      path: `${branchPath(org.id, branch.id)}/members`,
      tz: org.timezone,
      members,
      editable: new Set(members.filter((m) => editable(viewer.actor, m).edit).map((m) => m.id)),
      setsAccounts: decide(viewer.actor, 'member.accounts', { kind: 'member', member: newcomer }).ok,
      maxRows: IMPORT_MAX_ROWS,
    });
    return c.html(rosterView(model), status);
  }

  app.get(base, async (c) => {
    const found = await branchOfPath(c, deps);
    if (!found) return notFound(c);
    const saved = c.req.query('saved');
    return rosterPage(c, found.org, found.branch, saved ? { kind: 'ok', text: `已保存：${saved}` } : null);
  });

  /** The path's member of the path's branch, when the viewer may change her at all (a member who moved away is no longer the branch's). */
  async function memberOfPath(c: Context<ConsoleEnv>) {
    const found = await branchOfPath(c, deps);
    const member = found && (await getMember(db, found.org.id, c.req.param('member') ?? ''));
    if (!found || !member || member.branch_id !== found.branch.id) return null;
    return editable(c.get('viewer').actor, member).edit ? { ...found, member } : null;
  }

  /**
   * A write to the path's member: her page and branch when the viewer may change her at all; else
   * a 404 as for one who does not exist, the attempt on the trail when she does.
   */
  async function memberToWrite(c: Context<ConsoleEnv>) {
    const found = await memberOfPath(c);
    if (found) return found;
    const branch = await branchOfPath(c, deps);
    const member = branch && (await getMember(db, branch.org.id, c.req.param('member') ?? ''));
    const decision = member && decide(c.get('viewer').actor, 'member.edit', { kind: 'member', member: memberFacts(member) });
    if (!branch || !member || member.branch_id !== branch.branch.id || !decision || decision.ok) return notFound(c);
    const err = new Refused('member.edit', decision.why);
    return refused(c, actingOf(c, deps), branch.org.id, `member:${member.id}`, err, async () => notFound(c));
  }

  async function editPage(
    c: Context<ConsoleEnv>,
    found: { org: OrgTable; branch: BranchTable; member: Member },
    error: string | null,
    status: 200 | 400 | 403 = error ? 400 : 200,
  ) {
    const { org, branch, member } = found;
    const viewer = c.get('viewer');
    const may = editable(viewer.actor, member);
    const model = editModel({
      frame: branchFrame(viewer, found, 'members'),
      error,
      path: `${branchPath(org.id, branch.id)}/members/${encodeURIComponent(member.id)}`,
      tz: org.timezone,
      member,
      may,
      accountFields: ACCOUNT_FIELDS,
      branches: may.move ? await listOrgBranches(db, org.id) : [],
    });
    return c.html(editView(model), status);
  }

  /** A refusal of the policy, written to the trail, and the page that says so (404 for what is out of reach). */
  async function refused(
    c: Context<ConsoleEnv>,
    acting: Acting,
    orgId: string,
    object: string,
    err: Refused,
    show: (text: string) => Promise<Response>,
  ) {
    await auditRefused(db, acting, err, { at: clock.now(), orgId, object, detail: { why: err.why } });
    return err.why === 'scope' ? notFound(c) : show(refusalText(err.action, err.why));
  }

  // Before the member routes, whose `:member` would take `import` for an id.
  app.post(`${base}/import`, async (c) => {
    const found = await branchOfPath(c, deps);
    if (!found) return notFound(c);
    const form = await checkedForm(c, deps);
    if (!form) return formExpired(c);
    const { org, branch } = found;
    const acting = actingOf(c, deps);
    const say = (text: string, status: 400 | 403 = 400) => rosterPage(c, org, branch, { kind: 'error', text }, status);
    try {
      authorise(acting, 'members.import', { kind: 'branch', orgId: org.id, branchId: branch.id });
    } catch (err) {
      if (!(err instanceof Refused)) throw err;
      return refused(c, acting, org.id, `branch:${branch.id}`, err, (text) => say(text, 403));
    }
    const { csv, confirm } = await importForm(form);
    if (!csv) return say('请选择要导入的 CSV 文件。');
    if (csv.length > IMPORT_MAX_BYTES) return say('文件未导入：名单文件请小于 1 MB，可分批导入。');
    const opts = { branchOnly: branch.id, maxRows: IMPORT_MAX_ROWS };
    let outcome: ImportModel['outcome'];
    try {
      outcome = confirm
        ? { kind: 'done', result: await importMembers(db, acting, org.id, csv, clock.now(), opts) }
        : { kind: 'plan', plan: await planImport(db, acting, org.id, csv, opts), csvBase64: csv.toString('base64') };
    } catch (err) {
      if (!(err instanceof Problem) || err.status !== 400) throw err;
      return say(`文件未导入：${inChinese(err.field ?? 'body', err.reason ?? err.message)}`);
    }
    const frame = branchFrame(c.get('viewer'), found, 'members');
    return c.html(importView({ frame, path: `${branchPath(org.id, branch.id)}/members`, outcome }));
  });

  app.get(`${base}/:member`, async (c) => {
    const found = await memberOfPath(c);
    return found ? editPage(c, found, null) : notFound(c);
  });

  app.post(`${base}/:member`, async (c) => {
    const found = await memberToWrite(c);
    if (found instanceof Response) return found;
    const form = await checkedForm(c, deps);
    if (!form) return formExpired(c);
    const body = memberEditForm(form, memberBody(found.member));
    if (!body.ok) return editPage(c, found, body.error);
    const acting = actingOf(c, deps);
    try {
      await saveMember(db, acting, found.org.id, found.member.id, body.value, clock.now());
    } catch (err) {
      if (err instanceof Refused)
        return refused(c, acting, found.org.id, `member:${found.member.id}`, err, (text) => editPage(c, found, text, 403));
      if (!(err instanceof Problem) || err.status !== 400) throw err;
      return editPage(c, found, fieldError(err.field ?? 'row', err.reason ?? err.message));
    }
    return c.redirect(`${branchPath(found.org.id, found.branch.id)}/members?saved=${encodeURIComponent(body.value.name)}`, 303);
  });

  app.post(`${base}/:member/leave`, async (c) => {
    const found = await memberToWrite(c);
    if (found instanceof Response) return found;
    const form = await checkedForm(c, deps);
    if (!form) return formExpired(c);
    const now = clock.now();
    const left = leaveForm(form, found.org.timezone, now);
    if (!left.ok) return editPage(c, found, left.error);
    const acting = actingOf(c, deps);
    try {
      await markLeft(db, acting, found.org.id, found.member.id, left.value.at, left.value.reason, now);
    } catch (err) {
      if (!(err instanceof Refused)) throw err;
      return refused(c, acting, found.org.id, `member:${found.member.id}`, err, (text) => editPage(c, found, text, 403));
    }
    return c.redirect(`${branchPath(found.org.id, found.branch.id)}/members?saved=${encodeURIComponent(found.member.name)}`, 303);
  });

  return app;
}
