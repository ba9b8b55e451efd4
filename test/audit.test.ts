import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { putBranch } from '../db/branches.ts';
import { putChannel } from '../db/channels.ts';
import { putOrg } from '../db/orgs.ts';
import { fromLocal } from '../src/domain/time.ts';
import { ACCOUNT_FIELDS } from '../src/admin/schemas.ts';
import { memberChanges } from '../src/domain/audit.ts';
import type { MemberState } from '../src/domain/policy.ts';
import { ADMIN_TOKEN, type TestApp } from './helpers/app.ts';
import { viaDingtalk } from './helpers/chat.ts';
import { type ConsoleRig, browser, csrfOf, signIn, startConsole } from './helpers/console.ts';
import { DIALECTS, countOf, memberPutter } from './helpers/db.ts';
import { DT_SECRET } from './helpers/dingtalk.ts';

// The trail of who did what, over a scripted day: each sign-in (and one refused), an import, a
// move, a leave, IT's change of the calendar, an export and a download, listed by the admin API in
// the order they happened, with who, on what, and the result; and nothing can change it.

const TZ = 'Asia/Shanghai';
const NOW = fromLocal({ year: 2026, month: 12, day: 7, hour: 9 }, TZ);
const MIN = 60_000;

interface Item {
  id: string;
  at: string;
  org: string | null;
  actor: { kind: string; id: string | null; name: string | null };
  action: string;
  object: string | null;
  detail: Record<string, unknown> | null;
  address: string | null;
  result: string;
}

async function seed(t: TestApp) {
  const db = t.db;
  await putOrg(db, { id: 'o1', name: '某市直机关工委', timezone: TZ, digest_cron: null }, NOW);
  await putOrg(db, { id: 'o2', name: '另一机关', timezone: TZ, digest_cron: null }, NOW);
  await putChannel(db, 'o1', 'dt1', { platform: 'dingtalk', appKey: 'k', appSecret: DT_SECRET, robotCode: 'r' }, NOW);
  await putBranch(db, 'o1', 'b1', '第一党支部', [], NOW);
  await putBranch(db, 'o1', 'b2', '第二党支部', [], NOW);
  const m = memberPutter(db, 'o1', NOW);
  await m('sec', '甲书记', { role: 'secretary' });
  await m('adm', '机关党委管理员', { org_admin: true });
  await m('m1', '张三');
  await m('m2', '李四');
}

describe.each(DIALECTS)('the audit trail on %s', (dialect) => {
  let rig: ConsoleRig;
  let t: TestApp;
  let items: Item[];
  const b1 = '/console/orgs/o1/branches/b1';

  beforeAll(async () => {
    rig = await startConsole(dialect, NOW, seed);
    t = rig.t;
    const at = (minutes: number) => t.clock.set(NOW + minutes * MIN);

    at(1);
    const sec = await signIn(t, rig.fake, 'dt-sec');
    const csrf = await csrfOf(await sec.request(b1));
    at(2);
    expect((await browser(t).post('/console/login', { token: 'not-the-admin-token-at-all-0123456789' })).status).toBe(401);
    at(3);
    const csv = Buffer.from('姓名,支部,角色\n王五,第一党支部,党员\n').toString('base64');
    expect(await (await sec.post(`${b1}/members/import`, { _csrf: csrf, confirm: '1', csv })).text()).toContain('已导入 1 人');
    at(4);
    const adm = await signIn(t, rig.fake, 'dt-adm');
    const admCsrf = await csrfOf(await adm.request(`${b1}/members/m1`));
    expect((await adm.post(`${b1}/members/m1`, { _csrf: admCsrf, name: '张三', role: 'member', branch: 'b2' })).status).toBe(303);
    at(5);
    expect((await sec.post(`${b1}/members/m2/leave`, { _csrf: csrf, reason: '调离' })).status).toBe(303);
    at(6);
    expect((await t.admin('PUT', '/admin/calendar/2027-01-01', { kind: 'holiday', name: '元旦' })).status).toBe(200);
    at(7);
    rig.fake.on('POST', '/media/upload', () => ({ json: { errcode: 0, errmsg: 'ok', type: 'file', media_id: '@m' } }));
    expect(await viaDingtalk(t, 'dt1', 'dt-sec', '导出', { direct: true })).toContain('稍后单独发送给你');
    at(8);
    expect((await sec.request(`${b1}/ledger.xlsx?quarter=2026-Q4`)).status).toBe(200);

    const res = await t.admin('GET', '/admin/orgs/o1/audit?limit=500');
    expect(res.status).toBe(200);
    items = ((await res.json()) as { items: Item[] }).items;
  });
  afterAll(() => rig?.close());

  it('lists the day in order, each with actor, object and result', () => {
    const line = (e: Item) => [e.action, e.actor.kind === 'it' ? 'it' : e.actor.id, e.object, e.result];
    expect(items.map(line)).toEqual([
      ['link.issue', 'sec', 'member:sec', 'ok'],
      ['session.signin', 'sec', 'member:sec', 'ok'],
      ['session.signin', 'it', null, 'refused'],
      ['member.create', 'sec', expect.stringMatching(/^member:m-[0-9a-f]{16}$/), 'ok'],
      ['members.import', 'sec', 'branch:b1', 'ok'],
      ['link.issue', 'adm', 'member:adm', 'ok'],
      ['session.signin', 'adm', 'member:adm', 'ok'],
      ['member.move', 'adm', 'member:m1', 'ok'],
      ['member.leave', 'sec', 'member:m2', 'ok'],
      ['calendar.write', 'it', 'calendar:2027-01-01', 'ok'],
      ['file.export', 'sec', 'branch:b1', 'ok'],
      ['file.download', 'sec', 'branch:b1', 'ok'],
    ]);
    const times = items.map((e) => Date.parse(e.at));
    expect(times).toEqual([...times].sort((a, b) => a - b));
    expect(items.find((e) => e.action === 'member.move')!.detail).toEqual({ branchId: ['b1', 'b2'] });
    expect(items.find((e) => e.action === 'members.import')!.detail).toEqual({ total: 1, imported: 1, failed: 0 });
    expect(items.find((e) => e.action === 'calendar.write')!.org).toBeNull();
    expect(items.find((e) => e.action === 'file.export')!.address).toBe('dingtalk:dt1');
    expect(items.find((e) => e.result === 'refused')!.detail).toEqual({ reason: 'wrong token' });
    for (const e of items) expect(e.actor.name, e.action).toBeTruthy();
  });

  it('filters by action, actor and time, and pages', async () => {
    const get = async (query: string) =>
      (await (await t.admin('GET', `/admin/orgs/o1/audit?${query}`)).json()) as { items: Item[]; next: string | null };
    expect((await get('action=member.move')).items.map((e) => e.object)).toEqual(['member:m1']);
    expect(new Set((await get('actor=sec')).items.map((e) => e.actor.id))).toEqual(new Set(['sec']));
    expect((await get('actor=it')).items.map((e) => e.action)).toEqual(['session.signin', 'calendar.write']);
    const from = new Date(NOW + 5 * MIN).toISOString();
    expect((await get(`from=${encodeURIComponent(from)}`)).items.map((e) => e.action)).toEqual([
      'member.leave',
      'calendar.write',
      'file.export',
      'file.download',
    ]);
    const pages: Item[] = [];
    let after = '';
    for (;;) {
      const page = await get(`limit=5${after ? `&after=${after}` : ''}`);
      pages.push(...page.items);
      if (!page.next) break;
      after = page.next;
    }
    expect(pages.map((e) => e.id)).toEqual(items.map((e) => e.id));
    expect((await t.admin('GET', '/admin/orgs/o1/audit?from=yesterday')).status).toBe(400);
    expect((await t.admin('GET', '/admin/orgs/o1/audit?to=99999999999999999999')).status).toBe(400);
    // What every org shares shows in every org's trail; another org's changes do not.
    expect((await get('')).items.length).toBe(items.length);
    const o2 = (await (await t.admin('GET', '/admin/orgs/o2/audit')).json()) as { items: Item[] };
    expect(o2.items.map((e) => e.action)).toEqual(['session.signin', 'calendar.write']);
  });

  it('cannot be deleted or altered through any route', async () => {
    const count = await countOf(t.db, 'audit_log');
    const id = items[0]!.id;
    for (const method of ['DELETE', 'PUT', 'PATCH', 'POST']) {
      for (const path of ['/admin/orgs/o1/audit', `/admin/orgs/o1/audit/${id}`]) {
        const res = await t.admin(method, path, method === 'DELETE' ? undefined : { result: 'ok' });
        expect([404, 405], `${method} ${path}`).toContain(res.status);
      }
    }
    const staff = browser(t);
    await staff.post('/console/login', { token: ADMIN_TOKEN });
    const csrf = await csrfOf(await staff.request('/console/orgs/o1/calendar'));
    for (const path of ['/console/orgs/o1/audit', `/console/orgs/o1/audit/${id}`, `/console/orgs/o1/audit/${id}/delete`]) {
      expect([404, 405], path).toContain((await staff.post(path, { _csrf: csrf })).status);
    }
    // The staff sign-in above is on the trail; nothing else changed.
    expect(await countOf(t.db, 'audit_log')).toBe(count + 1);
    const first = await t.db.selectFrom('audit_log').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    expect([first.action, first.result]).toEqual(['link.issue', 'ok']);
  });

  it('writes a few refused link sign-ins an address, not one a made-up link', async () => {
    const before = await countOf(t.db, 'audit_log');
    for (let i = 0; i < 8; i++) expect((await browser(t).post('/console/login', { t: `made-up-link-${i}` })).status).toBe(410);
    expect((await countOf(t.db, 'audit_log')) - before).toBe(5);
  });

  it('shows the trail to org admins on 操作记录, not to a secretary', async () => {
    const adm = await signIn(t, rig.fake, 'dt-adm');
    const page = await adm.request('/console/orgs/o1/audit?action=member.move');
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('转移支部');
    expect(html).toContain('member:m1');
    expect(html).not.toContain('导出文件</td>');
    const sec = await signIn(t, rig.fake, 'dt-sec');
    expect((await sec.request('/console/orgs/o1/audit')).status).toBe(404);
  });
});

describe('a member’s changes as the trail keeps them', () => {
  const state = (accounts: MemberState['accounts'], mobile: string | null = null): MemberState => ({
    branchId: 'b1',
    role: 'member',
    orgAdmin: false,
    name: '张三',
    group: null,
    probationary: false,
    mobile,
    accounts,
  });

  it('names her accounts by the admin API’s fields, WeCom first, with both values; a mobile number only as changed', () => {
    const changes = memberChanges(state({ dingtalk: 'd1' }), state({ wecom: 'w2' }, '13800000000'), ACCOUNT_FIELDS);
    expect(changes).toEqual({ mobile: 'changed', wecomUserId: [null, 'w2'], dingtalkUserId: ['d1', null] });
    expect(Object.keys(changes)).toEqual(['mobile', 'wecomUserId', 'dingtalkUserId']);
    expect(memberChanges(state({ dingtalk: 'd1' }), state({ dingtalk: 'd1' }), ACCOUNT_FIELDS)).toEqual({});
  });
});
