import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listOrgDepartments, putBranchDepartments } from '../db/branch-departments.ts';
import { putBranch } from '../db/branches.ts';
import { putChannel } from '../db/channels.ts';
import { getMember } from '../db/members.ts';
import { putOrg } from '../db/orgs.ts';
import { fromLocal } from '../src/domain/time.ts';
import type { TestApp } from './helpers/app.ts';
import { type Browser, PUBLIC_URL, browser, csrfOf, signIn, startConsole } from './helpers/console.ts';
import { ADMIN_TOKEN } from './helpers/app.ts';
import { DIALECTS, countOf, memberPutter } from './helpers/db.ts';
import { DT_SECRET } from './helpers/dingtalk.ts';
import { type FakeDirectory, type ServeOptions, serveDingtalkDirectory } from './helpers/fake-directory.ts';
import type { FakePlatform } from './helpers/fake-platform.ts';

// The console's directory pages over HTTP, on a fake DingTalk directory: who may see them and post
// to them (org admins and IT; a secretary gets what she gets for a page that does not exist, her
// attempt on the trail), the CSRF token and Origin on every write, a branch's departments picked
// from the tree read live (or typed when it cannot be read) and saved through the admin API's
// check, the preview's counts and lists in Chinese with every name escaped, and its apply: exactly
// that preview, refused in Chinese when the directory changed since or an empty department is not
// confirmed.

const TZ = 'Asia/Shanghai';
const NOW = fromLocal({ year: 2026, month: 12, day: 1, hour: 10 }, TZ);
const HOSTILE = '<script>alert(1)</script>支部';
const HOSTILE_NAME = '<img src=x onerror=alert(1)>新人';
const o1 = '/console/orgs/o1';
const departmentsOf = (branch: string) => `${o1}/branches/${branch}/departments`;

/** Top 1; 10 (with 11 under it) and 20 under it; 30 empty. */
const DIRECTORY: FakeDirectory = {
  departments: [
    { id: '1', parentId: null },
    { id: '10', parentId: '1' },
    { id: '11', parentId: '10' },
    { id: '20', parentId: '1' },
    { id: '30', parentId: '1' },
  ],
  people: [
    { userId: 'dt-sec', name: '张书记', departments: ['10'] },
    { userId: 'dt-adm', name: '机关党委李干事', departments: ['10'] },
    { userId: 'dt-m1', name: '王一（改）', departments: ['10'], mobile: '13900000000' },
    { userId: 'dt-new', name: HOSTILE_NAME, departments: ['11'] },
    { userId: 'dt-both', name: '两边都在', departments: ['11', '20'] },
  ],
};

async function seed(t: TestApp) {
  const db = t.db;
  await putOrg(db, { id: 'o1', name: '某市直机关工委', timezone: TZ, digest_cron: null }, NOW);
  await putChannel(db, 'o1', 'dt1', { platform: 'dingtalk', appKey: 'k', appSecret: DT_SECRET, robotCode: 'r' }, NOW);
  await putBranch(db, 'o1', 'b1', '第一党支部', [], NOW);
  await putBranch(db, 'o1', 'b2', HOSTILE, [], NOW);
  const m = memberPutter(db, 'o1', NOW);
  await m('sec', '张书记', { role: 'secretary' });
  await m('m1', '王一');
  await m('adm', '机关党委李干事', { org_admin: true });
  await m('old', '钱老', { role: 'committee', party_group: '第一党小组' });
}

describe.each(DIALECTS)('the console’s directory pages on %s', (dialect) => {
  let t: TestApp;
  let fake: FakePlatform;
  let close: () => Promise<void>;
  let interrupt: ServeOptions['interrupt'];
  let adm: Browser;
  let admCsrf: string;
  // The tests change it, each dialect's its own.
  const directory = structuredClone(DIRECTORY);
  beforeAll(async () => {
    ({ t, fake, close } = await startConsole(dialect, NOW, seed));
    serveDingtalkDirectory(fake, directory, { interrupt: (req) => interrupt?.(req) });
    adm = await signIn(t, fake, 'dt-adm');
    admCsrf = await csrfOf(await adm.request(`${o1}/directory`));
  });
  afterAll(() => close?.());

  const trail = (action: string) =>
    t.db.selectFrom('audit_log').select(['actor_id', 'object', 'result', 'detail']).where('action', '=', action).orderBy('id').execute();

  it('is an org admin’s and IT’s: a secretary has no tab, and gets 404 for the pages and for a write, which goes on the trail', async () => {
    const sec = await signIn(t, fake, 'dt-sec');
    const home = await (await sec.request(`${o1}/branches/b1`)).text();
    expect(home).not.toContain('通讯录部门');
    const csrf = await csrfOf(await sec.request(`${o1}/branches/b1`));
    for (const path of [`${o1}/directory`, `${o1}/directory/preview`, departmentsOf('b1')])
      expect((await sec.request(path)).status, path).toBe(404);
    const before = await countOf(t.db, 'branch_departments');
    expect((await sec.post(`${o1}/directory/apply`, { _csrf: csrf, basis: 'a'.repeat(64) })).status).toBe(404);
    expect((await sec.post(`${departmentsOf('b1')}/add`, { _csrf: csrf, channel: 'dt1', departmentId: '10' })).status).toBe(404);
    expect(await countOf(t.db, 'branch_departments')).toBe(before);
    expect((await trail('directory.apply')).filter((e) => e.result === 'refused').map((e) => e.actor_id)).toEqual(['sec']);
    expect((await trail('branch.write')).filter((e) => e.result === 'refused').map((e) => [e.actor_id, e.object])).toEqual([
      ['sec', 'branch:b1'],
    ]);

    const org = await (await adm.request(o1)).text();
    expect(org).toContain(`<a href="${o1}/directory" class="">通讯录同步</a>`);
    const branch = await (await adm.request(`${o1}/branches/b1`)).text();
    expect(branch).toContain(`<a href="${departmentsOf('b1')}" class="">通讯录部门</a>`);

    const it = browser(t);
    expect((await it.post('/console/login', { token: ADMIN_TOKEN })).status).toBe(303);
    expect((await it.request(`${o1}/directory`)).status).toBe(200);
    expect((await it.request(departmentsOf('b2'))).status).toBe(200);
  });

  it('picks a branch’s departments from the tree read live, a level at a time, and saves them through the platform’s check', async () => {
    const top = await adm.request(departmentsOf('b1'));
    expect(top.status).toBe(200);
    const page = await top.text();
    expect(page).toContain('还没有对应的部门。');
    expect(page).toContain('从 dt1（钉钉企业内部应用机器人）的通讯录添加');
    expect(page).toContain('<td>部门10</td>');
    expect(page).toContain(`<a href="${departmentsOf('b1')}?channel=dt1&amp;under=10">下级部门</a>`);
    const under = await (await adm.request(`${departmentsOf('b1')}?channel=dt1&under=10`)).text();
    expect(under).toContain('<td>部门11</td>');
    expect(under).toContain('返回顶层部门');

    // An unknown department: refused in Chinese with the platform's code, nothing saved.
    const unknown = await adm.post(`${departmentsOf('b1')}/add`, { _csrf: admCsrf, channel: 'dt1', departmentId: '99', includeSub: '1' });
    expect(unknown.status).toBe(400);
    expect(await unknown.text()).toContain('未保存：渠道 dt1 的通讯录中没有编号为「99」的部门（平台错误码 60003）。');
    expect(await countOf(t.db, 'branch_departments')).toBe(0);
    const typo = await adm.post(`${departmentsOf('b1')}/add`, { _csrf: admCsrf, channel: 'dt1', departmentId: '10a' });
    expect(typo.status).toBe(400);
    expect(await typo.text()).toContain('部门编号应为平台给出的数字编号。');

    // Without the CSRF token, or from another site: nothing saved.
    const form = { channel: 'dt1', departmentId: '10', includeSub: '1' };
    expect((await adm.post(`${departmentsOf('b1')}/add`, form)).status).toBe(403);
    expect((await adm.post(`${departmentsOf('b1')}/add`, { ...form, _csrf: admCsrf }, { origin: 'https://evil.example' })).status).toBe(
      403,
    );
    expect(await countOf(t.db, 'branch_departments')).toBe(0);

    const added = await adm.post(`${departmentsOf('b1')}/add`, { ...form, _csrf: admCsrf }, { origin: PUBLIC_URL });
    expect(added.status).toBe(200);
    expect(await added.text()).toContain('已保存：渠道 dt1 的部门 10（含下级部门）。');
    expect((await adm.post(`${departmentsOf('b2')}/add`, { _csrf: admCsrf, channel: 'dt1', departmentId: '20' })).status).toBe(200);
    // Another branch's department is shown as such, and refused.
    const b2page = await (await adm.request(departmentsOf('b2'))).text();
    expect(b2page).toContain('已对应「第一党支部」');
    const taken = await adm.post(`${departmentsOf('b2')}/add`, { _csrf: admCsrf, channel: 'dt1', departmentId: '10' });
    expect(taken.status).toBe(400);
    expect(await taken.text()).toContain('该部门已对应支部「第一党支部」（b1）：一个部门只能对应一个支部。');
    const b1page = await (await adm.request(departmentsOf('b1'))).text();
    expect(b1page).toContain('已对应「&lt;script&gt;alert(1)&lt;/script&gt;支部」');
    expect(b1page).not.toContain('<script>alert(1)');

    // Taken off and put back as only the department itself; 30 (nobody in it) added too.
    expect((await adm.post(`${departmentsOf('b1')}/add`, { _csrf: admCsrf, channel: 'dt1', departmentId: '10' })).status).toBe(200);
    expect((await adm.post(`${departmentsOf('b1')}/add`, { _csrf: admCsrf, channel: 'dt1', departmentId: '30' })).status).toBe(200);
    const removed = await adm.post(`${departmentsOf('b1')}/remove`, { _csrf: admCsrf, channel: 'dt1', departmentId: '30' });
    expect(await removed.text()).toContain('已移除：渠道 dt1 的部门 30。');
    expect((await adm.post(`${departmentsOf('b1')}/add`, { ...form, _csrf: admCsrf })).status).toBe(200);
    expect(await listOrgDepartments(t.db, 'o1')).toEqual([
      { branch: 'b1', channel: 'dt1', departmentId: '10', includeSub: true },
      { branch: 'b2', channel: 'dt1', departmentId: '20', includeSub: false },
    ]);
    const entries = (await trail('branch.write')).filter((e) => e.result === 'ok');
    expect(entries.map((e) => e.actor_id)).toEqual(['adm', 'adm', 'adm', 'adm', 'adm', 'adm']);
    expect(JSON.parse(String(entries.at(-1)!.detail))).toEqual({
      departments: [{ channel: 'dt1', departmentId: '10', includeSub: true }],
    });
  });

  it('says in Chinese why the tree cannot be read, and takes a typed id instead', async () => {
    interrupt = (req) =>
      req.path === '/topapi/v2/department/listsub' && (req.body as { dept_id: number }).dept_id === 1
        ? { json: { errcode: 88, errmsg: 'ding talk error[subcode=60011]', sub_code: '60011' } }
        : undefined;
    try {
      const page = await (await adm.request(departmentsOf('b2'))).text();
      expect(page).toContain('渠道 dt1 无权读取通讯录（平台错误码 60011）。请在钉钉开发者后台为应用开通通讯录读取权限');
      expect(page).toContain('可直接填写部门编号');
      expect(page).toContain('name="departmentId" type="text"');
      const typed = await adm.post(`${departmentsOf('b2')}/add`, { _csrf: admCsrf, channel: 'dt1', departmentId: '20' });
      expect(typed.status).toBe(200);
      expect(await typed.text()).toContain('已保存：渠道 dt1 的部门 20（仅本部门）。');
    } finally {
      interrupt = undefined;
    }
  });

  it('previews in Chinese, a count a kind and names escaped, and applies exactly that preview with the CSRF token', async () => {
    await putMember(t, 'gone', '已调走', 'b1');
    const res = await adm.request(`${o1}/directory/preview`);
    expect(res.status).toBe(200);
    const page = await res.text();
    const counts = Object.fromEntries(
      [...page.matchAll(/<div class="count[^"]*" data-kind="(\w+)"><strong>(\d+)<\/strong><span>([^<]+)<\/span>/g)].map((m) => [
        m[3],
        Number(m[2]),
      ]),
    );
    expect(counts).toEqual({ 新成员: 1, 改名: 1, 调整支部: 0, 已不在部门: 2, 冲突: 1, 未显示姓名: 0, 重新出现: 0, 空部门: 0 });
    expect(page).toContain('确认后将写入：新成员 1 人，改名 1 人，调整支部 0 人，标记离开 2 人。冲突 1 人只列出，不处理。');
    expect(page).toContain('&lt;img src=x onerror=alert(1)&gt;新人');
    expect(page).not.toContain('<img src=x');
    expect(page).toContain('<td>王一</td><td>王一（改）</td><td>钉钉 dt-m1</td>');
    expect(page).toContain('第一党支部、&lt;script&gt;alert(1)&lt;/script&gt;支部');
    expect(page).not.toContain('13900000000');
    const basis = /name="basis" value="([0-9a-f]{64})"/.exec(page)![1]!;

    // Without the token, or from another site, nothing is written.
    expect((await adm.post(`${o1}/directory/apply`, { basis })).status).toBe(403);
    expect((await adm.post(`${o1}/directory/apply`, { basis, _csrf: admCsrf }, { origin: 'https://evil.example' })).status).toBe(403);
    expect(await getMember(t.db, 'o1', 'dt-new')).toBeUndefined();

    const done = await adm.post(`${o1}/directory/apply`, { basis, _csrf: admCsrf }, { origin: PUBLIC_URL });
    expect(done.status).toBe(200);
    expect(await done.text()).toContain(
      '已按通讯录更新名单：新成员 1 人，改名 1 人，调整支部 0 人，标记离开 2 人。冲突 1 人未处理，请核实后在党员页调整。',
    );
    expect(await getMember(t.db, 'o1', 'dt-new')).toMatchObject({ name: HOSTILE_NAME, branch_id: 'b1', role: 'member' });
    expect(await getMember(t.db, 'o1', 'm1')).toMatchObject({ name: '王一（改）' });
    // Gone from the department: marked left, her role and group kept.
    expect(await getMember(t.db, 'o1', 'old')).toMatchObject({ status: 'left', role: 'committee', party_group: '第一党小组' });
    expect((await trail('directory.apply')).filter((e) => e.result === 'ok').map((e) => e.actor_id)).toEqual(['adm']);

    // The same preview again: the roster changed since, refused in Chinese.
    const again = await adm.post(`${o1}/directory/apply`, { basis, _csrf: admCsrf });
    expect(again.status).toBe(409);
    expect(await again.text()).toContain('预览之后通讯录或名单已有变化，请重新预览后再确认。');
    const next = await (await adm.request(`${o1}/directory/preview`)).text();
    expect(next).toContain('<div class="count " data-kind="conflicts"><strong>1</strong>');
    expect(next).toContain('通讯录与名单一致，没有需要更新的内容。');
    expect(next).not.toContain('name="basis"');
  });

  it('refuses an apply when the directory changed since the preview, and one of an empty department not confirmed', async () => {
    directory.people.push({ userId: 'dt-late', name: '后来者', departments: ['10'] });
    const page = await (await adm.request(`${o1}/directory/preview`)).text();
    const basis = /name="basis" value="([0-9a-f]{64})"/.exec(page)![1]!;
    directory.people.push({ userId: 'dt-later', name: '更晚者', departments: ['10'] });
    const changed = await adm.post(`${o1}/directory/apply`, { basis, _csrf: admCsrf });
    expect(changed.status).toBe(409);
    expect(await changed.text()).toContain('预览之后通讯录或名单已有变化，请重新预览后再确认。');
    expect(await getMember(t.db, 'o1', 'dt-late')).toBeUndefined();

    // A mapped department with nobody in it: the form asks for the box, and without it nothing is written.
    await t.db.transaction().execute((trx) =>
      putBranchDepartments(
        trx,
        'o1',
        'b2',
        [
          { channel: 'dt1', departmentId: '20', includeSub: false },
          { channel: 'dt1', departmentId: '30', includeSub: false },
        ],
        NOW,
      ),
    );
    const empty = await (await adm.request(`${o1}/directory/preview`)).text();
    expect(empty).toContain('<div class="count " data-kind="emptyDepartments"><strong>1</strong><span>空部门</span></div>');
    expect(empty).toContain('name="confirmEmpty" value="1" required');
    expect(empty).toContain('30（dt1）在通讯录中确无人员，仍按此预览更新');
    const emptyBasis = /name="basis" value="([0-9a-f]{64})"/.exec(empty)![1]!;
    const unconfirmed = await adm.post(`${o1}/directory/apply`, { basis: emptyBasis, _csrf: admCsrf });
    expect(unconfirmed.status).toBe(400);
    expect(await unconfirmed.text()).toContain('有对应部门在通讯录中没有人员：请重新预览，核实后勾选确认再更新。');
    expect(await getMember(t.db, 'o1', 'dt-late')).toBeUndefined();
    const confirmed = await adm.post(`${o1}/directory/apply`, { basis: emptyBasis, confirmEmpty: '1', _csrf: admCsrf });
    expect(confirmed.status).toBe(200);
    expect(await getMember(t.db, 'o1', 'dt-late')).toMatchObject({ name: '后来者', branch_id: 'b1' });
  });

  it('says in Chinese when the platform cannot be read, and changes nothing', async () => {
    // The org's monthly quota used up: no retry mends it.
    interrupt = (req) => (req.path === '/topapi/v2/user/list' ? { json: { errcode: 90020, errmsg: 'quota' } } : undefined);
    try {
      const res = await adm.request(`${o1}/directory/preview`);
      expect(res.status).toBe(502);
      expect(await res.text()).toContain('未能预览：暂时无法读取渠道 dt1 的通讯录（平台错误码 90020），请稍后再试；名单未作任何改动。');
    } finally {
      interrupt = undefined;
    }
  });
});

/** A member of o1 with a DingTalk account the directory does not list. */
function putMember(t: TestApp, id: string, name: string, branch: string) {
  return memberPutter(t.db, 'o1', NOW)(id, name, { branch_id: branch });
}
