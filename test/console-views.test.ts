import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Member } from '../db/schema.ts';
import { fromLocal } from '../src/domain/time.ts';
import type { BranchFrame, Html, OrgFrame } from '../src/admin/console/layout.ts';
import { LISTED_ROWS, departmentsModel, departmentsView, directoryModel, directoryView } from '../src/admin/console/views/directory.ts';
import { enterView, signInView } from '../src/admin/console/views/login.ts';
import type { DirectoryPreview } from '../src/domain/directory.ts';
import { editModel, editView, rosterModel, rosterView } from '../src/admin/console/views/members.ts';
import { auditModel, auditView, channelsModel, channelsView } from '../src/admin/console/views/org.ts';
import { consoleFacts } from '../src/platforms/index.ts';
import { branchOverviewModel, branchOverviewView } from '../src/admin/console/views/overview.ts';
import { reportsModel, reportsView } from '../src/admin/console/views/reports.ts';
import { ACCOUNT_FIELDS } from '../src/admin/schemas.ts';

// The console's views are functions of a view model: each renders here from a model made by hand,
// with no database and no request, and every value put into it comes out escaped.

const TZ = 'Asia/Shanghai';
const NOW = fromLocal({ year: 2026, month: 12, day: 1, hour: 10 }, TZ);
const HOSTILE = '<script>alert(1)</script>"\'&';
const ESCAPED = '&lt;script&gt;alert(1)&lt;/script&gt;&quot;&#39;&amp;';

const render = async (view: Html) => (await view).toString();

/** The page holds the hostile text only escaped. */
function expectEscaped(page: string) {
  expect(page).toContain(ESCAPED);
  expect(page).not.toContain('<script>alert(1)');
}

const orgFrame: OrgFrame = {
  viewer: { name: HOSTILE, csrf: 'csrf-1' },
  orgName: HOSTILE,
  tabs: [{ label: HOSTILE, href: '/x', on: true }],
};
const branchFrame: BranchFrame = { ...orgFrame, branchName: HOSTILE };

const member = (fields: Partial<Member> & Pick<Member, 'id' | 'name'>): Member => ({
  org_id: 'o1',
  branch_id: 'b1',
  role: 'member',
  party_group: null,
  probationary: false,
  mobile: null,
  accounts: {},
  status: 'active',
  left_at: null,
  left_reason: null,
  org_admin: false,
  created_at: NOW,
  updated_at: NOW,
  ...fields,
});

describe('the console’s views', () => {
  it('render the frame of a branch page with the viewer, the names and the tabs escaped', async () => {
    const page = await render(
      branchOverviewView(
        branchOverviewModel({
          frame: branchFrame,
          tz: TZ,
          now: NOW,
          checkinCloses: 0,
          quarterLabel: '2026年第四季度',
          weeks: [],
          upcoming: [],
          recent: [],
        }),
      ),
    );
    expectEscaped(page);
    expect(page).toContain('<a href="/x" class="on">');
    expect(page).toContain('name="_csrf" value="csrf-1"');
    expect(page).toContain('近期没有安排会议。');
  });

  it('render the roster from a hand-made model: a hostile name escaped, the edit link only where the policy allowed it', async () => {
    const model = rosterModel({
      frame: branchFrame,
      notice: { kind: 'ok', text: `已保存：${HOSTILE}` },
      path: '/console/orgs/o1/branches/b1/members',
      tz: TZ,
      members: [
        member({ id: 'm1', name: HOSTILE, party_group: HOSTILE, org_admin: true, probationary: true }),
        member({ id: 'm 2', name: '王二', status: 'left', left_at: NOW }),
      ],
      editable: new Set(['m 2']),
      setsAccounts: false,
      maxRows: 5000,
    });
    expect(model.rows.map((r) => [r.editHref, r.status, r.orgAdmin, r.probationary])).toEqual([
      [null, '在册', true, true],
      ['/console/orgs/o1/branches/b1/members/m%202', '已离开（2026年12月1日）', false, false],
    ]);
    const page = await render(rosterView(model));
    expectEscaped(page);
    expect(page).not.toContain('、企业微信账号、钉钉账号');
    expect(page).toContain('<div class="ok">已保存：&lt;script&gt;');
  });

  it('render a member’s form with only the parts she may change, her values escaped', async () => {
    const may = { edit: true, roles: [], accounts: false, move: false, orgAdmin: false, leave: true };
    const model = editModel({
      frame: branchFrame,
      error: HOSTILE,
      path: '/p',
      tz: TZ,
      member: member({ id: 'm1', name: HOSTILE, mobile: HOSTILE, role: 'secretary' }),
      may,
      accountFields: ACCOUNT_FIELDS,
      branches: [],
    });
    const page = await render(editView(model));
    expectEscaped(page);
    expect(page).toContain(`value="${ESCAPED}"`);
    expect(page).toContain('（任免书记由机关党委管理员办理）');
    expect(page).not.toContain('name="role"');
    expect(page).not.toContain('name="orgAdmin"');
    expect(page).toContain('action="/p/leave"');
  });

  it('build each channel’s checklist from what was loaded, and render it with every stored name escaped', async () => {
    const model = channelsModel({
      frame: orgFrame,
      org: { id: 'o1', timezone: TZ },
      base: 'https://tongxin.example.gov.cn',
      channels: [
        { id: 'demo1', orgId: 'o1', config: { platform: 'demo' }, lastInboundAt: null },
        {
          id: 'dt1',
          orgId: 'o1',
          config: { platform: 'dingtalk', appKey: 'k', appSecret: 's', robotCode: 'r', botName: HOSTILE },
          lastInboundAt: NOW,
        },
        { id: 'wb1', orgId: 'o1', config: { platform: 'wecom-bot', token: 't', encodingAESKey: 'a'.repeat(43) }, lastInboundAt: null },
      ],
      facts: consoleFacts,
      chats: [
        { channel_id: 'dt1', chat_id: 'cid"1', org_id: 'o1', branch_id: 'b1', webhook: null, secret: null, created_at: NOW },
        { channel_id: 'wb1', chat_id: 'w1', org_id: 'o1', branch_id: 'b9', webhook: null, secret: null, created_at: NOW },
        { channel_id: 'wb1', chat_id: 'w2', org_id: 'o1', branch_id: 'b1', webhook: 'key', secret: null, created_at: NOW },
      ],
      branches: [{ id: 'b1', name: HOSTILE }],
      members: [
        member({ id: 'm1', name: '甲', accounts: { dingtalk: 'd1' } }),
        member({ id: 'm2', name: '乙' }),
        member({ id: 'm3', name: '丙', accounts: { dingtalk: 'd3' }, status: 'left' }),
      ],
      usage: [{ platform: 'dingtalk', kind: 'api', month: '2026-12', used: 4000, budget: 5000 }],
      viewerIsMember: true,
      channelsPath: (id) => `/console/orgs/o1/channels/${id}/test`,
      result: { kind: 'error', text: HOSTILE },
    });
    const [demo, dt, wb] = model.channels;
    expect(demo).toMatchObject({ kind: 'apart', id: 'demo1', label: '终端演示' });
    expect(dt).toMatchObject({
      kind: 'platform',
      withAccounts: 1,
      active: 2,
      chats: { count: 1, withoutRobot: 0 },
      lastInbound: '2026年12月1日 10:00',
    });
    expect(dt?.kind === 'platform' && dt.recipients).toEqual([
      { value: 'me', label: '我（私信）' },
      { value: 'chat:cid"1', label: `${HOSTILE} 的群` },
    ]);
    expect(dt?.kind === 'platform' && dt.chats?.groups).toEqual([{ branch: HOSTILE, chatId: 'cid"1', reach: '应用机器人', reached: true }]);
    expect(wb).toMatchObject({
      chats: {
        count: 2,
        withoutRobot: 1,
        groups: [
          { branch: 'b9', chatId: 'w1', reach: '无法推送（请为该群设置群机器人）', reached: false },
          { branch: HOSTILE, chatId: 'w2', reach: '群机器人', reached: true },
        ],
      },
      recipients: [
        { value: 'chat:w1', label: 'b9 的群' },
        { value: 'chat:w2', label: `${HOSTILE} 的群` },
      ],
    });
    expect(model.quota?.rows[0]?.nearLimit).toBe(true);
    const page = await render(channelsView(model));
    expectEscaped(page);
    expect(page).toContain('<option value="chat:cid&quot;1">');
    expect(page).toContain('<span class="tag overdue">4000</span>');
    expect(page).toContain('npm run chat -- --demo');
    expect(page).toContain('<span class="tag overdue">1 个群未设群机器人，收不到提醒</span>');
    expect(page).toContain('<td><code>w1</code></td><td><span class="tag overdue">无法推送（请为该群设置群机器人）</span></td>');
    expect(page).toContain(`<tr><td>${ESCAPED}</td><td><code>cid&quot;1</code></td><td>应用机器人</td></tr>`);
  });

  it('show each group as its platform reaches it, and whether buttons are set up where a setting decides it', async () => {
    const channel = (id: string) => ({ id, orgId: 'o1', config: { platform: 'wecom-bot' as const, token: 't' }, lastInboundAt: null });
    const byFacts: Record<string, Pick<ReturnType<typeof consoleFacts>, 'reach' | 'buttons'>> = {
      set: { reach: () => 'socket', buttons: { set: true, how: '已设置模板' } },
      unset: { reach: (chat) => (chat.webhook ? 'robot' : null), buttons: { set: false, how: HOSTILE } },
      none: { reach: () => 'app', buttons: null },
    };
    const chat = (channel_id: string, chat_id: string, webhook: string | null) => ({
      channel_id,
      chat_id,
      org_id: 'o1',
      branch_id: 'b1',
      webhook,
      secret: null,
      created_at: NOW,
    });
    const model = channelsModel({
      frame: orgFrame,
      org: { id: 'o1', timezone: TZ },
      base: '',
      channels: [channel('set'), channel('unset'), channel('none')],
      facts: (c) => ({ ...consoleFacts(c), ...byFacts[c.id]! }),
      chats: [chat('set', 's1', null), chat('unset', 'u1', null), chat('unset', 'u2', 'key'), chat('none', 'n1', null)],
      branches: [{ id: 'b1', name: '第一党支部' }],
      members: [],
      usage: [],
      viewerIsMember: false,
      channelsPath: (id) => `/console/orgs/o1/channels/${id}/test`,
      result: null,
    });
    const cards = model.channels.flatMap((c) => (c.kind === 'platform' ? [c] : []));
    expect(cards.map((c) => [c.buttons, c.chats?.withoutRobot, c.chats?.groups.map((g) => g.reach)])).toEqual([
      [{ set: true, how: '已设置模板' }, 0, ['长连接']],
      [{ set: false, how: HOSTILE }, 1, ['无法推送（请为该群设置群机器人）', '群机器人']],
      [null, 0, ['应用机器人']],
    ]);
    const page = await render(channelsView(model));
    expectEscaped(page);
    expect(page).toContain('<tr><th>按钮卡片</th><td><span class="tag done">已设置模板</span></td></tr>');
    expect(page).toContain(`<tr><th>按钮卡片</th><td><span class="muted">${ESCAPED}</span></td></tr>`);
    expect(page.match(/按钮卡片/g)).toHaveLength(2);
  });

  it('render the trail with its details and addresses escaped, and the next page keeping the filters', async () => {
    const model = auditModel({
      frame: orgFrame,
      path: '/console/orgs/o1/audit',
      tz: TZ,
      asked: { actor: HOSTILE, after: 'old' },
      badFilter: false,
      retentionDays: 365,
      items: [
        {
          id: 'a1',
          at: '2026-12-01T10:00:00+08:00',
          org: 'o1',
          actor: { kind: 'member', id: 'm1', name: HOSTILE },
          action: 'member.edit',
          object: `member:${HOSTILE}`,
          detail: { name: HOSTILE },
          address: HOSTILE,
          result: 'refused',
        },
      ],
      next: 'a1',
    });
    expect(model.nextHref).toBe(`/console/orgs/o1/audit?${new URLSearchParams({ actor: HOSTILE, after: 'a1' })}`);
    const page = await render(auditView(model));
    expectEscaped(page);
    expect(page).toContain('<span class="tag overdue">拒绝</span>');
  });

  it('render the reports that pass the filter, newest first, their text escaped', async () => {
    const report = (id: string, at: number, category: 'enterprise' | 'project', text: string) => ({
      id,
      org_id: 'o1',
      branch_id: 'b1',
      member_id: 'm1',
      category,
      text,
      tags: [],
      at,
      source: null,
    });
    const model = reportsModel({
      frame: branchFrame,
      tz: TZ,
      filter: { from: NOW - 86_400_000, to: NOW + 86_400_000, category: 'enterprise' },
      members: [{ id: 'm1', name: HOSTILE }],
      reports: [
        report('r1', NOW - 1000, 'enterprise', '先'),
        report('r2', NOW, 'project', '别的'),
        report('r3', NOW + 1000, 'enterprise', HOSTILE),
      ],
    });
    expect(model.rows.map((r) => r.text)).toEqual([HOSTILE, '先']);
    expect(model.categories.find((o) => o.selected)?.value).toBe('enterprise');
    const page = await render(reportsView(model));
    expectEscaped(page);
    expect(page).toContain('共 2 条。');
  });

  it('show a directory preview with a count of every kind in Chinese, its names and branches escaped, and the apply form carrying its basis', async () => {
    const dt = (userId: string) => ({ platform: 'dingtalk' as const, userId });
    const preview: DirectoryPreview = {
      basis: 'f'.repeat(64),
      newMembers: [
        { id: 'n1', name: HOSTILE, account: dt('n1'), branch: 'b2', channel: 'dt1', department: '11' },
        { id: 'n2', name: null, account: dt('n2'), branch: 'b1', channel: 'dt1', department: '10' },
      ],
      renamed: [{ member: 'm1', from: '王一', to: HOSTILE, account: dt('m1') }],
      moved: [],
      gone: [{ member: 'm2', name: '李二', branch: 'b1', account: dt('m2') }],
      conflicts: [
        {
          account: dt('c1'),
          member: null,
          name: '两边',
          branches: ['b1', 'b2'],
          departments: [
            { channel: 'dt1', department: '10', branch: 'b1' },
            { channel: 'dt1', department: '20', branch: 'b2' },
          ],
        },
      ],
      nameHidden: [{ account: dt('n2'), member: null, name: null }],
      returning: [],
      emptyDepartments: [{ channel: 'dt1', department: '30', branch: 'b2' }],
    };
    const input = {
      frame: orgFrame,
      notice: null,
      path: '/console/orgs/o1/directory',
      branches: [
        { id: 'b1', name: '第一党支部' },
        { id: 'b2', name: HOSTILE },
      ],
      branchHref: (id: string) => `/console/orgs/o1/branches/${id}/departments`,
      mappings: [{ branch: 'b1', channel: 'dt1', departmentId: '10', includeSub: true }],
      hasDirectory: true,
      preview,
      applies: true,
    };
    const model = directoryModel(input);
    expect(Object.fromEntries(model.preview!.counts.map((c) => [c.label, c.count]))).toEqual({
      新成员: 2,
      改名: 1,
      调整支部: 0,
      已不在部门: 1,
      冲突: 1,
      未显示姓名: 1,
      重新出现: 0,
      空部门: 1,
    });
    expect(model.preview!.sections.map((s) => s.label)).toEqual(['新成员', '改名', '已不在部门', '冲突', '未显示姓名', '空部门']);
    expect(model.preview!.summary).toBe('确认后将写入：新成员 2 人，改名 1 人，调整支部 0 人，标记离开 1 人。冲突 1 人只列出，不处理。');
    expect(model.branches).toEqual([
      { name: '第一党支部', href: '/console/orgs/o1/branches/b1/departments', departments: ['10（dt1）含下级'] },
      { name: HOSTILE, href: '/console/orgs/o1/branches/b2/departments', departments: [] },
    ]);
    const page = await render(directoryView(model));
    expectEscaped(page);
    expect(page).toContain('<strong>2</strong><span>新成员</span>');
    expect(page).toContain('<td><span class="muted">未显示姓名</span></td><td>钉钉 n2</td>');
    expect(page).toContain(`<input type="hidden" name="basis" value="${'f'.repeat(64)}" />`);
    expect(page).toContain('name="confirmEmpty" value="1" required');
    expect(page).toContain('name="_csrf" value="csrf-1"');
    // One who may only look gets no form; nothing to write, no form either.
    expect(await render(directoryView({ ...model, applies: false }))).not.toContain('name="basis"');
    const same = directoryModel({ ...input, preview: { ...preview, newMembers: [], renamed: [], gone: [] } });
    const samePage = await render(directoryView(same));
    expect(samePage).toContain('通讯录与名单一致，没有需要更新的内容。');
    expect(samePage).not.toContain('name="basis"');
  });

  it('list a long preview only so far, counting the rest', () => {
    const many = Array.from({ length: LISTED_ROWS + 5 }, (_, i) => ({
      member: `m${i}`,
      name: `党员${i}`,
      branch: 'b1',
      account: { platform: 'wecom' as const, userId: `u${i}` },
    }));
    const empty = { newMembers: [], renamed: [], moved: [], conflicts: [], nameHidden: [], returning: [], emptyDepartments: [] };
    const model = directoryModel({
      frame: orgFrame,
      notice: null,
      path: '/p',
      branches: [],
      branchHref: () => '',
      mappings: [],
      hasDirectory: true,
      preview: { basis: 'a'.repeat(64), ...empty, gone: many },
      applies: true,
    });
    const [gone] = model.preview!.sections;
    expect(gone!.rows).toHaveLength(LISTED_ROWS);
    expect(gone!.more).toBe(5);
    expect(gone!.rows[0]).toEqual(['党员0', 'b1', '企业微信 u0']);
  });

  it('render a branch’s departments and the tree to pick from, another branch’s department shown as its, a failed read said and an id to type', async () => {
    const model = departmentsModel({
      frame: branchFrame,
      notice: null,
      path: '/console/orgs/o1/branches/b1/departments',
      branchId: 'b1',
      mappings: [
        { branch: 'b1', channel: 'dt1', departmentId: '10', includeSub: true },
        { branch: 'b2', channel: 'dt1', departmentId: '20', includeSub: false },
      ],
      branches: [
        { id: 'b1', name: '第一党支部' },
        { id: 'b2', name: HOSTILE },
      ],
      channels: [
        {
          id: 'dt1',
          label: '钉钉',
          under: '1',
          read: {
            ok: true,
            departments: [
              { id: '10', name: '办公室' },
              { id: '20', name: HOSTILE },
              { id: '30', name: null },
            ],
          },
        },
        {
          id: 'wx1',
          label: '企业微信',
          under: null,
          read: { ok: false, error: `渠道 wx1 无权读取通讯录（平台错误码 48002）。${HOSTILE}` },
        },
      ],
    });
    expect(model.mapped).toEqual([{ channel: 'dt1', departmentId: '10', includeSub: true }]);
    const [dt, wx] = model.pickers;
    if (!dt!.read.ok) throw new Error('read');
    expect(dt!.read.rows.map((r) => [r.id, r.ownBranch, r.takenBy])).toEqual([
      ['1', false, null],
      ['10', true, '第一党支部'],
      ['20', false, HOSTILE],
      ['30', false, null],
    ]);
    expect(dt!.read.rows[3]!.browseHref).toBe('/console/orgs/o1/branches/b1/departments?channel=dt1&under=30');
    expect(wx!.read.ok).toBe(false);
    const page = await render(departmentsView(model));
    expectEscaped(page);
    expect(page).toContain('已对应本支部');
    expect(page).toContain('已对应「&lt;script&gt;alert(1)&lt;/script&gt;&quot;&#39;&amp;」');
    expect(page).toContain('<div class="error">渠道 wx1 无权读取通讯录（平台错误码 48002）。&lt;script&gt;');
    expect(page).toContain('<input id="department-wx1" name="departmentId" type="text"');
    expect(page).toContain('<button class="plain" type="submit">改为仅本部门</button>');
    expect(page).toContain('action="/console/orgs/o1/branches/b1/departments/remove"');
  });

  it('render the sign-in pages with the link’s token escaped in its form', async () => {
    const enter = await render(enterView(HOSTILE));
    expectEscaped(enter);
    expect(enter).toContain('<script src="/console/assets/enter.js"></script>');
    const signIn = await render(signInView({ message: { kind: 'error', text: '令牌不正确。' }, tokenForm: false }));
    expect(signIn).toContain('<div class="error">令牌不正确。</div>');
    expect(signIn).not.toContain('name="token"');
  });

  it('reach no request, session or database: a view file imports only types from them', () => {
    const dir = join(import.meta.dirname, '../src/admin/console/views');
    // At run time a view may use hono's html, the domain's pure rules, the renderers drawn from them
    // and the core's units, the page's frame and the console's fixed texts; the rest (rows, results)
    // it knows only as types.
    const allowed = [
      /^hono\/html$/,
      /\/domain\//,
      /\/render\//,
      /\/core\/duration\.ts$/,
      /\/chat\/context\.ts$/,
      /^\.\.\/(layout|markdown)\.ts$/,
      /^\.\.\/\.\.\/chinese\.ts$/,
    ];
    const files = readdirSync(dir).filter((f) => f.endsWith('.ts'));
    expect(files.length).toBeGreaterThanOrEqual(6);
    const offenders = files.flatMap((file) =>
      [...readFileSync(join(dir, file), 'utf8').matchAll(/^import (?!type )[^;]*? from '([^']+)';/gm)]
        .map((m) => m[1]!)
        .filter((spec) => !allowed.some((a) => a.test(spec)))
        .map((spec) => `${file} imports ${spec}`),
    );
    expect(offenders).toEqual([]);
  });
});
