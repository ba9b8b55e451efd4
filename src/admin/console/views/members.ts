import { html } from 'hono/html';
import type { AccountPlatform, Member } from '../../../../db/schema.ts';
import type { MemberOptions } from '../../../domain/policy.ts';
import { fileDateTime } from '../../../domain/time.ts';
import { FIELD_LABELS } from '../../chinese.ts';
import type { ImportError, ImportPlan, ImportResult } from '../../members-import.ts';
import { type BranchFrame, type Html, type Notice, branchPage, notice, page } from '../layout.ts';

// The branch's members: the roster (who has left included), a member's edit form with only the
// parts the viewer may change, and the CSV import's preview and result.

export const ROLE_LABELS: Record<Member['role'], string> = { secretary: '书记', committee: '委员', member: '党员' };

const CHANGE_LABELS: Record<ImportPlan['rows'][number]['change'], string> = { create: '新增', update: '修改', same: '不变' };

export interface RosterModel {
  frame: BranchFrame;
  notice: Notice | null;
  rows: {
    name: string;
    orgAdmin: boolean;
    role: string;
    group: string;
    probationary: boolean;
    dingtalk: string;
    wecom: string;
    status: string;
    /** Her edit page, when the viewer may change her. */
    editHref: string | null;
  }[];
  path: string;
  /** Whether the import's columns include platform accounts (the viewer may set them). */
  setsAccounts: boolean;
  maxRows: number;
}

export function rosterModel(input: {
  frame: BranchFrame;
  notice: Notice | null;
  path: string;
  tz: string;
  members: Member[];
  /** The members the viewer may change. */
  editable: ReadonlySet<string>;
  setsAccounts: boolean;
  maxRows: number;
}): RosterModel {
  const { path, tz } = input;
  return {
    frame: input.frame,
    notice: input.notice,
    path,
    setsAccounts: input.setsAccounts,
    maxRows: input.maxRows,
    rows: input.members.map((m) => ({
      name: m.name,
      orgAdmin: m.org_admin,
      role: ROLE_LABELS[m.role],
      group: m.party_group ?? '',
      probationary: m.probationary,
      dingtalk: m.accounts.dingtalk ?? '',
      wecom: m.accounts.wecom ?? '',
      status: m.status === 'left' ? `已离开${m.left_at ? `（${fileDateTime(Number(m.left_at), tz).split(' ')[0]}）` : ''}` : '在册',
      editHref: input.editable.has(m.id) ? `${path}/${encodeURIComponent(m.id)}` : null,
    })),
  };
}

export function rosterView(m: RosterModel): Html {
  return branchPage(
    m.frame,
    '党员',
    html`${notice(m.notice)}
      <div class="card">
        <div class="table-wrap"><table>
          <tr><th>姓名</th><th>角色</th><th>党小组</th><th>预备党员</th><th>钉钉账号</th><th>企业微信账号</th><th>状态</th><th></th></tr>
          ${m.rows.map(
            (r) => html`<tr>
              <td>${r.name}${r.orgAdmin ? html` <span class="tag">机关党委</span>` : ''}</td>
              <td>${r.role}</td>
              <td>${r.group}</td>
              <td>${r.probationary ? '是' : ''}</td>
              <td>${r.dingtalk}</td>
              <td>${r.wecom}</td>
              <td>${r.status}</td>
              <td>${r.editHref ? html`<a href="${r.editHref}">修改</a>` : ''}</td>
            </tr>`,
          )}
        </table></div>
      </div>
      <div class="card">
        <h2>导入名单（CSV）</h2>
        <p class="muted">
          表头：编号（可不填）、姓名、支部、角色、党小组、预备党员、手机号${m.setsAccounts ? '、企业微信账号、钉钉账号' : ''}。没有的列保持原样。Excel 另存为 CSV（UTF-8 或 GB18030 均可），最多 ${m.maxRows} 行、1 MB。导入前先列出每一行，确认后才写入。
        </p>
        <form method="post" action="${m.path}/import" enctype="multipart/form-data">
          <input type="hidden" name="_csrf" value="${m.frame.viewer.csrf}" />
          <input type="file" name="file" accept=".csv,text/csv" required />
          <button class="primary" type="submit">检查</button>
        </form>
      </div>`,
  );
}

export interface EditModel {
  frame: BranchFrame;
  error: string | null;
  path: string;
  member: Pick<
    Member,
    'name' | 'role' | 'party_group' | 'mobile' | 'accounts' | 'branch_id' | 'status' | 'left_reason' | 'probationary'
  > & {
    orgAdmin: boolean;
  };
  may: MemberOptions;
  /** The form's field of each account, as the API names it. */
  accountFields: Record<AccountPlatform, string>;
  /** The org's branches, offered when she may be moved. */
  branches: { id: string; name: string }[];
  /** When she left, as the org reads the time; null while she is on the roster. */
  leftAt: string | null;
}

export function editModel(input: {
  frame: BranchFrame;
  error: string | null;
  path: string;
  tz: string;
  member: Member;
  may: MemberOptions;
  accountFields: Record<AccountPlatform, string>;
  branches: { id: string; name: string }[];
}): EditModel {
  const { member } = input;
  return {
    frame: input.frame,
    error: input.error,
    path: input.path,
    member: { ...member, orgAdmin: member.org_admin },
    may: input.may,
    accountFields: input.accountFields,
    branches: input.branches,
    leftAt: member.status === 'left' ? fileDateTime(Number(member.left_at), input.tz) : null,
  };
}

export function editView(m: EditModel): Html {
  const { member, may, path } = m;
  const { accounts } = member;
  const field = (name: string, label: string, value: string | null | undefined) =>
    html`<div><label for="${name}">${label}</label><input id="${name}" name="${name}" type="text" value="${value ?? ''}" /></div>`;
  const shown = (label: string, value: string | null | undefined, note: string) =>
    html`<div><label>${label}</label><p class="value">${value || '—'} <span class="muted">${note}</span></p></div>`;
  return page({
    title: `修改 ${member.name}`,
    viewer: m.frame.viewer,
    tabs: m.frame.tabs,
    body: html`<div class="crumbs">${m.frame.branchName} · 党员</div>
      <h1>${member.name}</h1>
      ${m.error ? html`<div class="error">${m.error}</div>` : ''}
      <div class="card">
        <form method="post" action="${path}">
          <input type="hidden" name="_csrf" value="${m.frame.viewer.csrf}" />
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
                ? html`${field(m.accountFields.dingtalk, '钉钉账号', accounts.dingtalk)} ${field(m.accountFields.wecom, '企业微信账号', accounts.wecom)}`
                : html`${shown('钉钉账号', accounts.dingtalk, '（由机关党委管理员设置）')}
                  ${shown('企业微信账号', accounts.wecom, '（由机关党委管理员设置）')}`
            }
            ${
              may.move
                ? html`<div>
                    <label for="branch">所在支部（转出请选其他支部）</label>
                    <select id="branch" name="branch">
                      ${m.branches.map((b) => html`<option value="${b.id}" ${b.id === member.branch_id ? 'selected' : ''}>${b.name}</option>`)}
                    </select>
                  </div>`
                : ''
            }
            <div>
              <label><input type="checkbox" name="probationary" value="1" ${member.probationary ? 'checked' : ''} /> 预备党员</label>
            </div>
            ${
              may.orgAdmin
                ? html`<div>
                    <input type="hidden" name="orgAdminShown" value="1" />
                    <label><input type="checkbox" name="orgAdmin" value="1" ${member.orgAdmin ? 'checked' : ''} /> 机关党委管理员</label>
                  </div>`
                : ''
            }
          </div>
          <button class="primary" type="submit">保存</button>
        </form>
      </div>
      ${
        m.leftAt !== null
          ? html`<div class="card"><p class="muted">已于 ${m.leftAt} 离开${member.left_reason ? `（${member.left_reason}）` : ''}，历史记录保留。</p></div>`
          : may.leave
            ? html`<div class="card">
                <h2>离开本单位</h2>
                <p class="muted">调离、退休等：之后的会议不再要求其参加，以前的记录都保留。</p>
                <form method="post" action="${path}/leave">
                  <input type="hidden" name="_csrf" value="${m.frame.viewer.csrf}" />
                  <div class="form-grid">
                    <div><label for="at">离开日期（不填为今天）</label><input id="at" name="at" type="date" /></div>
                    <div><label for="reason">原因</label><input id="reason" name="reason" type="text" placeholder="如：调离、退休" /></div>
                  </div>
                  <button class="plain" type="submit">登记离开</button>
                </form>
              </div>`
            : ''
      }`,
  });
}

export interface ImportModel {
  frame: BranchFrame;
  /** The roster's page. */
  path: string;
  /** What was imported, once confirmed; else the plan shown for confirming, with the CSV it carries back. */
  outcome: { kind: 'done'; result: ImportResult } | { kind: 'plan'; plan: ImportPlan; csvBase64: string };
}

const errorLine = (e: ImportError) => `第 ${e.row} 行${e.name ? `（${e.name}）` : ''} · ${FIELD_LABELS[e.field] ?? e.field}：${e.message}`;

export function importView(m: ImportModel): Html {
  const { path, outcome } = m;
  const errors = (list: ImportError[]) =>
    list.length
      ? html`<h2>有问题的行（不会导入）</h2>
          <ul class="import-errors">
            ${list.map((e) => html`<li>${errorLine(e)}</li>`)}
          </ul>`
      : '';
  let body: Html;
  if (outcome.kind === 'done') {
    const { result } = outcome;
    body = html`<div class="ok">已导入 ${result.imported} 人${result.failed ? `，${result.failed} 行未导入` : ''}。</div>
      ${errors(result.errors)}
      <p><a href="${path}">返回党员名单</a></p>`;
  } else {
    const { plan } = outcome;
    body = html`<p>共 ${plan.total} 行：<strong>${plan.rows.length} 行可以导入</strong>${plan.errors.length ? `，${plan.errors.length} 行有问题` : ''}。还没有写入任何内容。</p>
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
        <input type="hidden" name="_csrf" value="${m.frame.viewer.csrf}" />
        <input type="hidden" name="confirm" value="1" />
        <input type="hidden" name="csv" value="${outcome.csvBase64}" />
        <button class="primary" type="submit" ${plan.rows.length ? '' : 'disabled'}>确认导入 ${plan.rows.length} 人</button>
        <a class="button" href="${path}">取消</a>
      </form>`;
  }
  return page({
    title: '导入名单',
    viewer: m.frame.viewer,
    tabs: m.frame.tabs,
    body: html`<div class="crumbs">${m.frame.branchName} · 党员</div>
      <h1>导入名单</h1>
      <div class="card">${body}</div>`,
  });
}
