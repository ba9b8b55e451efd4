import { type Context, Hono } from 'hono';
import { html } from 'hono/html';
import { listOrgBranches } from '../../../db/branches.ts';
import { getMember, listBranchRoster, memberFacts } from '../../../db/members.ts';
import type { BranchTable, MemberTable, OrgTable } from '../../../db/schema.ts';
import { parseIsoDate } from '../../domain/calendar.ts';
import { byRole } from '../../domain/meetings.ts';
import { type Action, type Actor, decide, isOrgAdmin } from '../../domain/policy.ts';
import { fileDateTime, fromLocal } from '../../domain/time.ts';
import { type Acting, Refused, audit, authorise } from '../acting.ts';
import type { ServiceDeps } from '../deps.ts';
import { FIELD_LABELS, inChinese } from '../chinese.ts';
import { Problem, firstIssue } from '../http.ts';
import { type ImportError, type ImportPlan, type ImportResult, importMembers, planImport } from '../members-import.ts';
import { markLeft, memberBody, saveMember } from '../members.ts';
import { memberSchema } from '../schemas.ts';
import { type Html, page } from './layout.ts';
import { branchOfPath, branchPage, branchPath, branchTabs, formExpired, notFound } from './nav.ts';
import { refusalText } from './refusals.ts';
import { type ConsoleEnv, actingOf, checkedForm } from './session.ts';

// The branch's members: the roster (who has left included), a member's edit form, leave, and the
// CSV import — checked and shown row by row first, written only when confirmed. The policy decides
// what each viewer may change, and the forms offer only that.

type Deps = Pick<ServiceDeps, 'db' | 'clock' | 'config'>;

const ROLE_LABELS: Record<MemberTable['role'], string> = { secretary: '书记', committee: '委员', member: '党员' };

/** A console import: what a secretary's spreadsheet holds, and what a preview can show and carry back. */
const IMPORT_MAX_ROWS = 5_000;
const IMPORT_MAX_BYTES = 1024 * 1024;

const errorLine = (e: ImportError) => `第 ${e.row} 行${e.name ? `（${e.name}）` : ''} · ${FIELD_LABELS[e.field] ?? e.field}：${e.message}`;

const CHANGE_LABELS: Record<ImportPlan['rows'][number]['change'], string> = { create: '新增', update: '修改', same: '不变' };

/** What the viewer may change of `member`: each part of the form is offered only where the policy allows it. */
function editable(actor: Actor, member: MemberTable) {
  const target = { kind: 'member' as const, member: memberFacts(member) };
  const may = (action: Action) => decide(actor, action, target).ok;
  const roles: MemberTable['role'][] = may('member.appoint')
    ? ['secretary', 'committee', 'member']
    : may('member.role') && member.role !== 'secretary'
      ? ['committee', 'member']
      : [];
  return {
    edit: may('member.edit'),
    roles,
    accounts: may('member.accounts'),
    move: may('member.move'),
    orgAdmin: may('member.orgAdmin'),
    leave: member.status !== 'left' && may('member.leave'),
  };
}

export function memberPages(deps: Deps): Hono<ConsoleEnv> {
  const { db, clock } = deps;
  const app = new Hono<ConsoleEnv>();
  const base = '/orgs/:org/branches/:branch/members';

  async function rosterPage(
    c: Context<ConsoleEnv>,
    org: OrgTable,
    branch: BranchTable,
    notice: Html | null,
    status: 200 | 400 | 403 = 200,
  ) {
    const viewer = c.get('viewer');
    const members = (await listBranchRoster(db, org.id, branch.id)).filter((m) => m.branch_id === branch.id).sort(byRole);
    const path = `${branchPath(org.id, branch.id)}/members`;
    const newcomer = { orgId: org.id, id: '', branchId: branch.id, role: 'member' as const, orgAdmin: false };
    const setsAccounts = decide(viewer.actor, 'member.accounts', { kind: 'member', member: newcomer }).ok;
    return branchPage(
      c,
      { org, branch },
      'members',
      '党员',
      html`${notice}
          <div class="card">
            <div class="table-wrap"><table>
              <tr><th>姓名</th><th>角色</th><th>党小组</th><th>预备党员</th><th>钉钉账号</th><th>企业微信账号</th><th>状态</th><th></th></tr>
              ${members.map(
                (m) => html`<tr>
                  <td>${m.name}${isOrgAdmin(m) ? html` <span class="tag">机关党委</span>` : ''}</td>
                  <td>${ROLE_LABELS[m.role]}</td>
                  <td>${m.party_group ?? ''}</td>
                  <td>${Number(m.probationary) === 1 ? '是' : ''}</td>
                  <td>${m.dingtalk_user_id ?? ''}</td>
                  <td>${m.wecom_user_id ?? ''}</td>
                  <td>${m.status === 'left' ? `已离开${m.left_at ? `（${fileDateTime(Number(m.left_at), org.timezone).split(' ')[0]}）` : ''}` : '在册'}</td>
                  <td>${editable(viewer.actor, m).edit ? html`<a href="${path}/${encodeURIComponent(m.id)}">修改</a>` : ''}</td>
                </tr>`,
              )}
            </table></div>
          </div>
          <div class="card">
            <h2>导入名单（CSV）</h2>
            <p class="muted">
              表头：编号（可不填）、姓名、支部、角色、党小组、预备党员、手机号${setsAccounts ? '、企业微信账号、钉钉账号' : ''}。没有的列保持原样。Excel 另存为 CSV（UTF-8 或 GB18030 均可），最多 ${IMPORT_MAX_ROWS} 行、1 MB。导入前先列出每一行，确认后才写入。
            </p>
            <form method="post" action="${path}/import" enctype="multipart/form-data">
              <input type="hidden" name="_csrf" value="${viewer.csrf}" />
              <input type="file" name="file" accept=".csv,text/csv" required />
              <button class="primary" type="submit">检查</button>
            </form>
          </div>`,
      { status },
    );
  }

  app.get(base, async (c) => {
    const found = await branchOfPath(c, deps);
    if (!found) return notFound(c);
    const saved = c.req.query('saved');
    return rosterPage(c, found.org, found.branch, saved ? html`<div class="ok">已保存：${saved}</div>` : null);
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
    found: { org: OrgTable; branch: BranchTable; member: MemberTable },
    error: string | null,
    status: 200 | 400 | 403 = error ? 400 : 200,
  ) {
    const { org, branch, member } = found;
    const viewer = c.get('viewer');
    const may = editable(viewer.actor, member);
    const branches = may.move ? await listOrgBranches(db, org.id) : [];
    const path = `${branchPath(org.id, branch.id)}/members/${encodeURIComponent(member.id)}`;
    const field = (name: string, label: string, value: string | null) =>
      html`<div><label for="${name}">${label}</label><input id="${name}" name="${name}" type="text" value="${value ?? ''}" /></div>`;
    const shown = (label: string, value: string | null, note: string) =>
      html`<div><label>${label}</label><p class="value">${value || '—'} <span class="muted">${note}</span></p></div>`;
    return c.html(
      page({
        title: `修改 ${member.name}`,
        viewer,
        tabs: branchTabs(viewer, org, branch, 'members'),
        body: html`<div class="crumbs">${branch.name} · 党员</div>
          <h1>${member.name}</h1>
          ${error ? html`<div class="error">${error}</div>` : ''}
          <div class="card">
            <form method="post" action="${path}">
              <input type="hidden" name="_csrf" value="${viewer.csrf}" />
              <div class="form-grid">
                ${field('name', '姓名', member.name)}
                ${
                  may.roles.length
                    ? html`<div>
                        <label for="role">角色</label>
                        <select id="role" name="role">
                          ${may.roles.map((r) => html`<option value="${r}" ${r === member.role ? 'selected' : ''}>${ROLE_LABELS[r]}</option>`)}
                        </select>
                      </div>`
                    : shown('角色', ROLE_LABELS[member.role], member.role === 'secretary' ? '（任免书记由机关党委管理员办理）' : '')
                }
                ${field('group', '党小组', member.party_group)}
                ${field('mobile', '手机号', member.mobile)}
                ${
                  may.accounts
                    ? html`${field('dingtalkUserId', '钉钉账号', member.dingtalk_user_id)} ${field('wecomUserId', '企业微信账号', member.wecom_user_id)}`
                    : html`${shown('钉钉账号', member.dingtalk_user_id, '（由机关党委管理员设置）')}
                      ${shown('企业微信账号', member.wecom_user_id, '（由机关党委管理员设置）')}`
                }
                ${
                  may.move
                    ? html`<div>
                        <label for="branch">所在支部（转出请选其他支部）</label>
                        <select id="branch" name="branch">
                          ${branches.map((b) => html`<option value="${b.id}" ${b.id === member.branch_id ? 'selected' : ''}>${b.name}</option>`)}
                        </select>
                      </div>`
                    : ''
                }
                <div>
                  <label><input type="checkbox" name="probationary" value="1" ${Number(member.probationary) === 1 ? 'checked' : ''} /> 预备党员</label>
                </div>
                ${
                  may.orgAdmin
                    ? html`<div>
                        <input type="hidden" name="orgAdminShown" value="1" />
                        <label><input type="checkbox" name="orgAdmin" value="1" ${isOrgAdmin(member) ? 'checked' : ''} /> 机关党委管理员</label>
                      </div>`
                    : ''
                }
              </div>
              <button class="primary" type="submit">保存</button>
            </form>
          </div>
          ${
            member.status === 'left'
              ? html`<div class="card"><p class="muted">已于 ${fileDateTime(Number(member.left_at), org.timezone)} 离开${member.left_reason ? `（${member.left_reason}）` : ''}，历史记录保留。</p></div>`
              : may.leave
                ? html`<div class="card">
                    <h2>离开本单位</h2>
                    <p class="muted">调离、退休等：之后的会议不再要求其参加，以前的记录都保留。</p>
                    <form method="post" action="${path}/leave">
                      <input type="hidden" name="_csrf" value="${viewer.csrf}" />
                      <div class="form-grid">
                        <div><label for="at">离开日期（不填为今天）</label><input id="at" name="at" type="date" /></div>
                        <div><label for="reason">原因</label><input id="reason" name="reason" type="text" placeholder="如：调离、退休" /></div>
                      </div>
                      <button class="plain" type="submit">登记离开</button>
                    </form>
                  </div>`
                : ''
          }`,
      }),
      status,
    );
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
    await db
      .transaction()
      .execute((trx) =>
        audit(trx, acting, { at: clock.now(), orgId, action: err.action, object, detail: { why: err.why }, result: 'refused' }),
      );
    return err.why === 'scope' ? notFound(c) : show(refusalText(err.action, err.why));
  }

  /** The CSV of the upload (first step) or of the confirm form, which carries it back base64-encoded. */
  async function csvOf(form: Record<string, string | File>): Promise<Buffer | null> {
    if (form.file instanceof File && form.file.size > 0) return Buffer.from(await form.file.arrayBuffer());
    return typeof form.csv === 'string' && form.csv ? Buffer.from(form.csv, 'base64') : null;
  }

  // Before the member routes, whose `:member` would take `import` for an id.
  app.post(`${base}/import`, async (c) => {
    const found = await branchOfPath(c, deps);
    if (!found) return notFound(c);
    const form = await checkedForm(c, deps);
    if (!form) return formExpired(c);
    const { org, branch } = found;
    const acting = actingOf(c, deps);
    const say = (text: string, status: 400 | 403 = 400) => rosterPage(c, org, branch, html`<div class="error">${text}</div>`, status);
    try {
      authorise(acting, 'members.import', { kind: 'branch', orgId: org.id, branchId: branch.id });
    } catch (err) {
      if (!(err instanceof Refused)) throw err;
      return refused(c, acting, org.id, `branch:${branch.id}`, err, (text) => say(text, 403));
    }
    const csv = await csvOf(form);
    if (!csv) return say('请选择要导入的 CSV 文件。');
    if (csv.length > IMPORT_MAX_BYTES) return say('文件未导入：名单文件请小于 1 MB，可分批导入。');
    const confirm = form.confirm === '1';
    const opts = { branchOnly: branch.id, maxRows: IMPORT_MAX_ROWS };
    let plan: ImportPlan | null = null;
    let result: ImportResult | null = null;
    try {
      if (confirm) result = await importMembers(db, acting, org.id, csv, clock.now(), opts);
      else plan = await planImport(db, acting, org.id, csv, opts);
    } catch (err) {
      if (!(err instanceof Problem) || err.status !== 400) throw err;
      return say(`文件未导入：${inChinese(err.field ?? 'body', err.reason ?? err.message)}`);
    }
    const viewer = c.get('viewer');
    const path = `${branchPath(org.id, branch.id)}/members`;
    const errors = (list: ImportError[]) =>
      list.length
        ? html`<h2>有问题的行（不会导入）</h2>
            <ul class="import-errors">
              ${list.map((e) => html`<li>${errorLine(e)}</li>`)}
            </ul>`
        : '';
    const body = result
      ? html`<div class="ok">已导入 ${result.imported} 人${result.failed ? `，${result.failed} 行未导入` : ''}。</div>
          ${errors(result.errors)}
          <p><a href="${path}">返回党员名单</a></p>`
      : plan
        ? html`<p>共 ${plan.total} 行：<strong>${plan.rows.length} 行可以导入</strong>${plan.errors.length ? `，${plan.errors.length} 行有问题` : ''}。还没有写入任何内容。</p>
            ${
              plan.rows.length
                ? html`<h2>将导入的行</h2>
                    <div class="scroll">
                      <table class="import-rows">
                        <tr><th>行</th><th>姓名</th><th>编号</th><th>角色</th><th>党小组</th><th>变化</th></tr>
                        ${plan.rows.map(
                          (r) =>
                            html`<tr><td>${r.row}</td><td>${r.name}</td><td>${r.id}</td><td>${ROLE_LABELS[r.body.role]}</td><td>${r.body.group ?? ''}</td><td>${CHANGE_LABELS[r.change]}</td></tr>`,
                        )}
                      </table>
                    </div>`
                : ''
            }
            ${errors(plan.errors)}
            <form method="post" action="${path}/import">
              <input type="hidden" name="_csrf" value="${viewer.csrf}" />
              <input type="hidden" name="confirm" value="1" />
              <input type="hidden" name="csv" value="${csv.toString('base64')}" />
              <button class="primary" type="submit" ${plan.rows.length ? '' : 'disabled'}>确认导入 ${plan.rows.length} 人</button>
              <a class="button" href="${path}">取消</a>
            </form>`
        : '';
    return c.html(
      page({
        title: '导入名单',
        viewer,
        tabs: branchTabs(viewer, org, branch, 'members'),
        body: html`<div class="crumbs">${branch.name} · 党员</div>
          <h1>导入名单</h1>
          <div class="card">${body}</div>`,
      }),
    );
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
    // What the form does not send keeps its stored value; what it sends is the policy's to judge.
    const stored = memberBody(found.member);
    const sent = (name: string) => (typeof form[name] === 'string' ? (form[name] as string).trim() : undefined);
    const optional = (name: string, kept: string | null) => {
      const value = sent(name);
      return value === undefined ? kept : value || null;
    };
    const parsed = memberSchema.safeParse({
      name: sent('name') ?? stored.name,
      branch: sent('branch') ?? stored.branch,
      role: sent('role') ?? stored.role,
      group: optional('group', stored.group),
      probationary: form.probationary === '1',
      mobile: optional('mobile', stored.mobile),
      wecomUserId: optional('wecomUserId', stored.wecomUserId),
      dingtalkUserId: optional('dingtalkUserId', stored.dingtalkUserId),
      orgAdmin: form.orgAdminShown === '1' ? form.orgAdmin === '1' : stored.orgAdmin,
    });
    const say = (field: string, reason: string) => `${FIELD_LABELS[field] ?? field}：${inChinese(field, reason)}`;
    if (!parsed.success) {
      const { field, reason } = firstIssue(parsed.error);
      return editPage(c, found, say(field, reason));
    }
    const acting = actingOf(c, deps);
    try {
      await saveMember(db, acting, found.org.id, found.member.id, parsed.data, clock.now());
    } catch (err) {
      if (err instanceof Refused)
        return refused(c, acting, found.org.id, `member:${found.member.id}`, err, (text) => editPage(c, found, text, 403));
      if (!(err instanceof Problem) || err.status !== 400) throw err;
      return editPage(c, found, say(err.field ?? 'row', err.reason ?? err.message));
    }
    return c.redirect(`${branchPath(found.org.id, found.branch.id)}/members?saved=${encodeURIComponent(parsed.data.name)}`, 303);
  });

  app.post(`${base}/:member/leave`, async (c) => {
    const found = await memberToWrite(c);
    if (found instanceof Response) return found;
    const form = await checkedForm(c, deps);
    if (!form) return formExpired(c);
    const now = clock.now();
    const day = typeof form.at === 'string' ? form.at.trim() : '';
    // The form's date field sends YYYY-MM-DD; a request made by hand is checked all the same.
    const date = day ? parseIsoDate(day) : null;
    if (day && !date) return editPage(c, found, '离开日期：请选择日期，或写成 2026-12-01 这样的日期。');
    const at = date ? fromLocal(date, found.org.timezone) : now;
    const reason = typeof form.reason === 'string' && form.reason.trim() ? form.reason.trim().slice(0, 200) : null;
    const acting = actingOf(c, deps);
    try {
      await markLeft(db, acting, found.org.id, found.member.id, at, reason, now);
    } catch (err) {
      if (!(err instanceof Refused)) throw err;
      return refused(c, acting, found.org.id, `member:${found.member.id}`, err, (text) => editPage(c, found, text, 403));
    }
    return c.redirect(`${branchPath(found.org.id, found.branch.id)}/members?saved=${encodeURIComponent(found.member.name)}`, 303);
  });

  return app;
}
