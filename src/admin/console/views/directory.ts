import { html } from 'hono/html';
import {
  type DepartmentMapping,
  type DepartmentRef,
  type DirectoryAccount,
  type DirectoryPreview,
  changeCount,
} from '../../../domain/directory.ts';
import { ACCOUNT_LABELS } from '../../../domain/targets.ts';
import { type BranchFrame, type Html, type Notice, type OrgFrame, branchPage, notice, page } from '../layout.ts';

// The roster from the platforms' directories, as an org admin sees it: the 通讯录同步 page (which
// departments each branch maps, the preview with its counts and lists, the form that applies
// exactly that preview), and a branch's 通讯录部门 page (its departments, and the platform's tree to
// pick more from, or an id to type when the tree cannot be read).

/** Each kind a preview lists, in the page's order: its name on the page, and what becomes of it. */
export const PREVIEW_KINDS = [
  ['newMembers', '新成员', '确认后加入对应支部，角色为党员。'],
  ['renamed', '改名', '确认后按通讯录更新姓名。'],
  ['moved', '调整支部', '确认后转入新支部，原支部的会议记录保留。'],
  ['gone', '已不在部门', '确认后标记为离开（从今天起），记录保留，不删除。'],
  ['conflicts', '冲突', '同时在两个以上支部对应的部门中：只列出，不处理，请核实后手工调整。'],
  ['nameHidden', '未显示姓名', '平台不提供姓名：已在名单中的保留原姓名，新成员暂以账号代替，可在党员页修改。'],
  ['returning', '重新出现', '已离开的党员又出现在对应部门：只列出，不恢复。'],
  ['emptyDepartments', '空部门', '对应部门在通讯录中没有人员：须勾选确认后才能更新。'],
] as const satisfies readonly (readonly [keyof Omit<DirectoryPreview, 'basis'>, string, string])[];

export type PreviewKind = (typeof PREVIEW_KINDS)[number][0];

/** Rows a list shows at most; the rest are counted (an apply writes all of them all the same). */
export const LISTED_ROWS = 1_000;

/** A cell: text as given, or a note in grey. */
export type Cell = string | { muted: string };

export interface PreviewSection {
  kind: PreviewKind;
  label: string;
  note: string;
  headers: string[];
  rows: Cell[][];
  /** How many more there are than the rows shown. */
  more: number;
}

export interface ShownPreview {
  basis: string;
  /** Every kind, with how many the preview lists. */
  counts: { kind: PreviewKind; label: string; count: number }[];
  /** The kinds that list someone. */
  sections: PreviewSection[];
  /** What an apply would write, in a sentence; null when nothing. */
  summary: string | null;
  /** The empty departments an apply must be confirmed for; empty when none. */
  confirmEmpty: string[];
}

export interface DirectoryModel {
  frame: OrgFrame;
  notice: Notice | null;
  previewPath: string;
  applyPath: string;
  /** Whether any channel of the org reads a directory. */
  hasDirectory: boolean;
  /** Each branch, with the departments it maps and its page to set them. */
  branches: { name: string; href: string; departments: string[] }[];
  preview: ShownPreview | null;
  /** Whether the viewer may apply the preview. */
  applies: boolean;
}

const muted = (text: string): Cell => ({ muted: text });
const accountText = (a: DirectoryAccount) => `${ACCOUNT_LABELS[a.platform]} ${a.userId}`;
const departmentText = (d: DepartmentRef) => `${d.department}（${d.channel}）`;
const mappingText = (m: Pick<DepartmentMapping, 'channel' | 'departmentId' | 'includeSub'>) =>
  `${m.departmentId}（${m.channel}）${m.includeSub ? '含下级' : ''}`;

/** The preview as the page shows it: counts of every kind, the lists with names, accounts and branches by name. */
export function shownPreview(preview: DirectoryPreview, branchName: (id: string) => string): ShownPreview {
  const p = preview;
  const branchesText = (ids: readonly string[]) => ids.map(branchName).join('、');
  const table: Record<PreviewKind, { headers: string[]; rows: Cell[][] }> = {
    newMembers: {
      headers: ['姓名', '账号', '部门（渠道）', '将加入支部'],
      rows: p.newMembers.map((n) => [n.name ?? muted('未显示姓名'), accountText(n.account), departmentText(n), branchName(n.branch)]),
    },
    renamed: {
      headers: ['原姓名', '通讯录中的姓名', '账号'],
      rows: p.renamed.map((r) => [r.from, r.to, accountText(r.account)]),
    },
    moved: {
      headers: ['姓名', '原支部', '新支部', '部门（渠道）'],
      rows: p.moved.map((m) => [m.name, branchName(m.from), branchName(m.to), departmentText(m)]),
    },
    gone: {
      headers: ['姓名', '支部', '账号'],
      rows: p.gone.map((g) => [g.name, branchName(g.branch), accountText(g.account)]),
    },
    conflicts: {
      headers: ['姓名', '账号', '涉及支部', '部门（渠道）'],
      rows: p.conflicts.map((c) => [
        c.name ?? muted('未显示姓名'),
        accountText(c.account),
        branchesText(c.branches),
        c.departments.map(departmentText).join('、'),
      ]),
    },
    nameHidden: {
      headers: ['账号', '名单中的姓名'],
      rows: p.nameHidden.map((h) => [accountText(h.account), h.member === null ? muted('新成员，暂以账号代替') : (h.name ?? '')]),
    },
    returning: {
      headers: ['姓名', '账号', '所在部门对应的支部'],
      rows: p.returning.map((r) => [r.name, accountText(r.account), branchesText(r.branches)]),
    },
    emptyDepartments: {
      headers: ['部门（渠道）', '支部'],
      rows: p.emptyDepartments.map((d) => [departmentText(d), branchName(d.branch)]),
    },
  };
  const counts = PREVIEW_KINDS.map(([kind, label]) => ({ kind, label, count: p[kind].length }));
  const sections = PREVIEW_KINDS.filter(([kind]) => p[kind].length > 0).map(([kind, label, note]) => {
    const { headers, rows } = table[kind];
    return { kind, label, note, headers, rows: rows.slice(0, LISTED_ROWS), more: Math.max(0, rows.length - LISTED_ROWS) };
  });
  const n = (kind: PreviewKind) => p[kind].length;
  const left = [n('conflicts') ? `冲突 ${n('conflicts')} 人` : '', n('returning') ? `重新出现 ${n('returning')} 人` : ''].filter(Boolean);
  const summary =
    changeCount(p) === 0
      ? null
      : `确认后将写入：新成员 ${n('newMembers')} 人，改名 ${n('renamed')} 人，调整支部 ${n('moved')} 人，标记离开 ${n('gone')} 人。${
          left.length ? `${left.join('、')}只列出，不处理。` : ''
        }`;
  return { basis: p.basis, counts, sections, summary, confirmEmpty: p.emptyDepartments.map(departmentText) };
}

export function directoryModel(input: {
  frame: OrgFrame;
  notice: Notice | null;
  path: string;
  branches: { id: string; name: string }[];
  branchHref: (id: string) => string;
  mappings: DepartmentMapping[];
  hasDirectory: boolean;
  preview: DirectoryPreview | null;
  applies: boolean;
}): DirectoryModel {
  const names = new Map(input.branches.map((b) => [b.id, b.name]));
  return {
    frame: input.frame,
    notice: input.notice,
    previewPath: `${input.path}/preview`,
    applyPath: `${input.path}/apply`,
    hasDirectory: input.hasDirectory,
    branches: input.branches.map((b) => ({
      name: b.name,
      href: input.branchHref(b.id),
      departments: input.mappings.filter((m) => m.branch === b.id).map(mappingText),
    })),
    preview: input.preview && shownPreview(input.preview, (id) => names.get(id) ?? id),
    applies: input.applies,
  };
}

const cell = (c: Cell) => (typeof c === 'string' ? c : html`<span class="muted">${c.muted}</span>`);

function previewCards(p: ShownPreview, m: DirectoryModel): Html {
  const csrf = m.frame.viewer.csrf;
  const apply = !m.applies
    ? ''
    : p.summary === null
      ? html`<p>通讯录与名单一致，没有需要更新的内容。</p>`
      : html`<form method="post" action="${m.applyPath}" class="apply">
          <input type="hidden" name="_csrf" value="${csrf}" />
          <input type="hidden" name="basis" value="${p.basis}" />
          ${
            p.confirmEmpty.length
              ? html`<label class="check"><input type="checkbox" name="confirmEmpty" value="1" required />${p.confirmEmpty.join('、')}在通讯录中确无人员，仍按此预览更新</label>`
              : ''
          }
          <button class="primary" type="submit">按此预览更新名单</button>
          <p class="muted">只写入上面列出的变化；预览之后通讯录或名单若有变化，将不予更新，请重新预览。</p>
        </form>`;
  return html`<section class="card">
      <h2>预览</h2>
      <div class="counts">
        ${p.counts.map((c) => html`<div class="count ${c.count ? '' : 'none'}" data-kind="${c.kind}"><strong>${c.count}</strong><span>${c.label}</span></div>`)}
      </div>
      ${p.summary === null ? '' : html`<p class="summary">${p.summary}</p>`}
    </section>
    ${p.sections.map(
      (s) => html`<section class="card" id="${s.kind}">
        <h2>${s.label}（${s.rows.length + s.more}）</h2>
        <p class="muted">${s.note}</p>
        <div class="table-wrap"><table>
          <tr>${s.headers.map((h) => html`<th>${h}</th>`)}</tr>
          ${s.rows.map((r) => html`<tr>${r.map((c) => html`<td>${cell(c)}</td>`)}</tr>`)}
        </table></div>
        ${s.more ? html`<p class="muted">另有 ${s.more} 条未列出。</p>` : ''}
      </section>`,
    )}
    ${apply ? html`<section class="card">${apply}</section>` : ''}`;
}

export function directoryView(m: DirectoryModel): Html {
  const mapped = m.branches.some((b) => b.departments.length > 0);
  return page({
    title: '通讯录同步',
    viewer: m.frame.viewer,
    tabs: m.frame.tabs,
    body: html`<div class="crumbs">${m.frame.orgName}</div>
      <h1>通讯录同步</h1>
      ${notice(m.notice)}
      <div class="card">
        <p class="muted">
          按各支部对应的通讯录部门与名单对照，先预览，确认后才写入。角色、机关党委管理员、党小组、预备党员不从通讯录读取，手机号不读取；不删除任何人，已不在部门的标记为离开，记录保留。
        </p>
        <div class="table-wrap"><table>
          <tr><th>支部</th><th>对应的通讯录部门（渠道）</th></tr>
          ${m.branches.map(
            (b) =>
              html`<tr><td><a href="${b.href}">${b.name}</a></td><td>${b.departments.length ? b.departments.join('、') : html`<span class="muted">未设置</span>`}</td></tr>`,
          )}
        </table></div>
        ${
          !m.hasDirectory
            ? html`<p class="muted">本单位还没有能读取通讯录的渠道：请添加钉钉企业内部应用或企业微信自建应用的渠道。</p>`
            : mapped
              ? html`<p><a class="button" href="${m.previewPath}">读取通讯录并预览</a></p>`
              : html`<p class="muted">还没有支部对应通讯录部门：请点支部名称设置。</p>`
        }
      </div>
      ${m.preview ? previewCards(m.preview, m) : ''}`,
  });
}

/** A department of the tree shown to pick from. */
export interface PickRow {
  id: string;
  name: string | null;
  /** The branch it is mapped to already (this one's name included); null when none. */
  takenBy: string | null;
  ownBranch: boolean;
  /** The page showing the departments under it. */
  browseHref: string;
}

export interface Picker {
  channel: string;
  label: string;
  /** The department whose children are listed; null at the top. */
  under: string | null;
  topHref: string;
  read: { ok: true; rows: PickRow[] } | { ok: false; error: string };
}

export interface DepartmentsModel {
  frame: BranchFrame;
  notice: Notice | null;
  addPath: string;
  removePath: string;
  mapped: { channel: string; departmentId: string; includeSub: boolean }[];
  pickers: Picker[];
}

export function departmentsModel(input: {
  frame: BranchFrame;
  notice: Notice | null;
  path: string;
  branchId: string;
  /** Every mapping of the org: a department taken by another branch is shown so. */
  mappings: DepartmentMapping[];
  branches: { id: string; name: string }[];
  /** The channels that read a directory, each with the department browsed (null: the top) and what was read under it. */
  channels: {
    id: string;
    label: string;
    under: string | null;
    read: { ok: true; departments: { id: string; name: string | null }[] } | { ok: false; error: string };
  }[];
}): DepartmentsModel {
  const { path, branchId } = input;
  const names = new Map(input.branches.map((b) => [b.id, b.name]));
  const owner = new Map(input.mappings.map((m) => [JSON.stringify([m.channel, m.departmentId]), m.branch]));
  const browse = (channel: string, under: string) => `${path}?${new URLSearchParams({ channel, under })}`;
  const row = (channel: string, d: { id: string; name: string | null }): PickRow => {
    const branch = owner.get(JSON.stringify([channel, d.id]));
    return {
      id: d.id,
      name: d.name,
      takenBy: branch === undefined ? null : (names.get(branch) ?? branch),
      ownBranch: branch === branchId,
      browseHref: browse(channel, d.id),
    };
  };
  return {
    frame: input.frame,
    notice: input.notice,
    addPath: `${path}/add`,
    removePath: `${path}/remove`,
    mapped: input.mappings
      .filter((m) => m.branch === branchId)
      .map((m) => ({ channel: m.channel, departmentId: m.departmentId, includeSub: m.includeSub })),
    pickers: input.channels.map((c) => ({
      channel: c.id,
      label: c.label,
      under: c.under,
      topHref: path,
      read: c.read.ok
        ? {
            ok: true,
            // The department browsed may be picked itself, above those under it.
            rows: [...(c.under === null ? [] : [row(c.id, { id: c.under, name: null })]), ...c.read.departments.map((d) => row(c.id, d))],
          }
        : c.read,
    })),
  };
}

const hidden = (name: string, value: string) => html`<input type="hidden" name="${name}" value="${value}" />`;

function typedForm(m: DepartmentsModel, channel: string): Html {
  return html`<form method="post" action="${m.addPath}" class="filters spaced">
    ${hidden('_csrf', m.frame.viewer.csrf)}${hidden('channel', channel)}
    <div>
      <label for="department-${channel}">部门编号</label>
      <input id="department-${channel}" name="departmentId" type="text" inputmode="numeric" pattern="[0-9]{1,19}" required />
    </div>
    <div><label class="check"><input type="checkbox" name="includeSub" value="1" checked /> 含下级部门</label></div>
    <div><button class="plain" type="submit">添加</button></div>
  </form>`;
}

function pickerCard(m: DepartmentsModel, p: Picker): Html {
  const csrf = m.frame.viewer.csrf;
  const body = p.read.ok
    ? html`${p.under === null ? '' : html`<p><a href="${p.topHref}">返回顶层部门</a></p>`}
        ${
          p.read.rows.length
            ? html`<div class="table-wrap"><table>
                <tr><th>部门</th><th>编号</th><th></th><th></th></tr>
                ${p.read.rows.map(
                  (r) => html`<tr>
                    <td>${r.id === p.under ? html`<span class="muted">本级部门</span>` : (r.name ?? html`<span class="muted">—</span>`)}</td>
                    <td>${r.id}</td>
                    <td>${r.id === p.under ? '' : html`<a href="${r.browseHref}">下级部门</a>`}</td>
                    <td>${
                      r.ownBranch
                        ? html`<span class="tag done">已对应本支部</span>`
                        : r.takenBy !== null
                          ? html`<span class="tag">已对应「${r.takenBy}」</span>`
                          : html`<form method="post" action="${m.addPath}" class="inline">
                              ${hidden('_csrf', csrf)}${hidden('channel', p.channel)}${hidden('departmentId', r.id)}
                              <label class="check"><input type="checkbox" name="includeSub" value="1" checked /> 含下级</label>
                              <button class="plain" type="submit">添加</button>
                            </form>`
                    }</td>
                  </tr>`,
                )}
              </table></div>`
            : html`<p class="muted">该部门下没有下级部门。</p>`
        }
        <details>
          <summary>直接填写部门编号</summary>
          ${typedForm(m, p.channel)}
        </details>`
    : html`<div class="error">${p.read.error}</div>
        <p class="muted">暂时无法列出部门，可直接填写部门编号（在平台管理后台的通讯录中查看）：</p>
        ${typedForm(m, p.channel)}`;
  return html`<section class="card">
    <h2>从 ${p.channel}（${p.label}）的通讯录添加</h2>
    ${body}
  </section>`;
}

export function departmentsView(m: DepartmentsModel): Html {
  const csrf = m.frame.viewer.csrf;
  return branchPage(
    m.frame,
    '通讯录部门',
    html`${notice(m.notice)}
      <div class="card">
        <p class="muted">本支部党员所在的通讯录部门。一个部门只能对应一个支部；同时在两个支部对应部门中的人员，预览时列为冲突。保存前会向平台核对部门编号。</p>
        ${
          m.mapped.length
            ? html`<div class="table-wrap"><table>
                <tr><th>渠道</th><th>部门编号</th><th>含下级部门</th><th></th></tr>
                ${m.mapped.map(
                  (d) => html`<tr>
                    <td>${d.channel}</td>
                    <td>${d.departmentId}</td>
                    <td>
                      <form method="post" action="${m.addPath}" class="inline">
                        ${hidden('_csrf', csrf)}${hidden('channel', d.channel)}${hidden('departmentId', d.departmentId)}
                        ${d.includeSub ? '' : hidden('includeSub', '1')}
                        ${d.includeSub ? '是' : '否'} <button class="plain" type="submit">${d.includeSub ? '改为仅本部门' : '改为含下级'}</button>
                      </form>
                    </td>
                    <td>
                      <form method="post" action="${m.removePath}" class="inline">
                        ${hidden('_csrf', csrf)}${hidden('channel', d.channel)}${hidden('departmentId', d.departmentId)}
                        <button class="plain" type="submit">移除</button>
                      </form>
                    </td>
                  </tr>`,
                )}
              </table></div>`
            : html`<p class="muted">还没有对应的部门。</p>`
        }
      </div>
      ${
        m.pickers.length
          ? m.pickers.map((p) => pickerCard(m, p))
          : html`<div class="card"><p class="muted">本单位还没有能读取通讯录的渠道：请添加钉钉企业内部应用或企业微信自建应用的渠道。</p></div>`
      }`,
  );
}
