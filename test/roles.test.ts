import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { putBranch } from '../db/branches.ts';
import { getMember } from '../db/members.ts';
import { putChannel } from '../db/channels.ts';
import { putOrg } from '../db/orgs.ts';
import { createApp } from '../src/app.ts';
import { loadConfig } from '../src/core/config.ts';
import { fromLocal } from '../src/domain/time.ts';
import { ADMIN_TOKEN, type TestApp } from './helpers/app.ts';
import { viaDingtalk } from './helpers/chat.ts';
import { type ConsoleRig, PUBLIC_URL, browser, csrfOf, privateText, signIn, signInLink, startConsole } from './helpers/console.ts';
import { DIALECTS, memberPutter } from './helpers/db.ts';
import { DT_SECRET, dingtalkCallback, exactlySigned, signedHeaders } from './helpers/dingtalk.ts';

// Roles that hold, each way a curious or ill-meaning secretary tried, through the surfaces she has:
// the console's forms and import, the chat, and a DingTalk signature she saw once.

const TZ = 'Asia/Shanghai';
const NOW = fromLocal({ year: 2026, month: 12, day: 7, hour: 10 }, TZ);
const MIN = 60_000;

async function seed(t: TestApp) {
  const db = t.db;
  await putOrg(db, { id: 'o1', name: '某市直机关工委', timezone: TZ, digest_cron: null }, NOW);
  await putOrg(db, { id: 'o2', name: '另一机关', timezone: TZ, digest_cron: null }, NOW);
  await putChannel(db, 'o1', 'dt1', { platform: 'dingtalk', appKey: 'k', appSecret: DT_SECRET, robotCode: 'r' }, NOW);
  await putBranch(db, 'o1', 'b1', '第一党支部', [], NOW);
  await putBranch(db, 'o1', 'b2', '第二党支部(机关)', [], NOW);
  await putBranch(db, 'o2', 'x1', '外单位支部', [], NOW);
  const m = memberPutter(db, 'o1', NOW);
  await m('secA', '甲书记', { role: 'secretary', mobile: '13800000001' });
  await m('adminO', '机关党委管理员', { org_admin: true });
  await m('ally', '盟友');
  await m('mA', '张三');
  await m('secB', '乙书记', { role: 'secretary', branch_id: 'b2' });
  await m('mB', '李四', { branch_id: 'b2', mobile: '13800001234' });
  await m('adminX', '另一位管理员', { branch_id: 'b2', org_admin: true });
}

const member = async (t: TestApp, id: string) => (await getMember(t.db, 'o1', id))!;

/** A CSV uploaded on a console branch page: the preview's page. */
async function importPreview(b: ReturnType<typeof browser>, path: string, csrf: string, csv: string) {
  const upload = new FormData();
  upload.set('_csrf', csrf);
  upload.set('file', new Blob([csv], { type: 'text/csv' }), 'members.csv');
  return b.request(`${path}/members/import`, { method: 'POST', body: upload });
}

describe.each(DIALECTS)('roles that hold on %s', (dialect) => {
  let rig: ConsoleRig;
  let t: TestApp;
  let sec: ReturnType<typeof browser>;
  let csrf: string;
  const b1 = '/console/orgs/o1/branches/b1';

  beforeAll(async () => {
    rig = await startConsole(dialect, NOW, seed);
    t = rig.t;
    sec = await signIn(t, rig.fake, 'dt-secA');
    csrf = await csrfOf(await sec.request(b1));
  });
  afterAll(() => rig?.close());

  it('a secretary cannot make herself org admin through the CSV import', async () => {
    const csv = '编号,姓名,支部,角色,钉钉账号,orgAdmin\nsecA,甲书记,b1,书记,dt-secA,是\n';
    const preview = await (await importPreview(sec, b1, csrf, csv)).text();
    expect(preview).toContain('共 1 行：<strong>0 行可以导入</strong>，1 行有问题');
    expect(preview).toContain('第 2 行（甲书记） · 机关党委管理员：只能由系统管理员设置');
    const carried = Buffer.from(csv).toString('base64');
    const done = await (await sec.post(`${b1}/members/import`, { _csrf: csrf, confirm: '1', csv: carried })).text();
    expect(done).toContain('已导入 0 人，1 行未导入');
    expect(Number((await member(t, 'secA')).org_admin)).toBe(0);
    for (const path of [
      '/console/orgs/o1',
      '/console/orgs/o1/branches/b2/members',
      '/console/orgs/o1/channels',
      '/console/orgs/o1/calendar',
    ]) {
      expect((await sec.request(path)).status, path).toBe(404);
    }
  });

  it('a secretary’s import cannot take over another branch’s member; an import without the flag column keeps it', async () => {
    const csv = '编号,姓名,支部,角色,钉钉账号\nsecB,乙书记,b1,党员,dt-secB\n';
    const preview = await (await importPreview(sec, b1, csrf, csv)).text();
    expect(preview).toContain('第 2 行（乙书记） · 编号：是其他支部的党员，不能在本支部导入');
    await sec.post(`${b1}/members/import`, { _csrf: csrf, confirm: '1', csv: Buffer.from(csv).toString('base64') });
    const secB = await member(t, 'secB');
    expect([secB.branch_id, secB.role]).toEqual(['b2', 'secretary']);
    // IT's import of a roster without the orgAdmin column leaves an org admin one.
    const res = await t.admin('POST', '/admin/orgs/o1/members/import', '编号,姓名,支部,角色\nadminX,另一位管理员,b2,党员\n');
    expect(await res.json()).toMatchObject({ imported: 1, failed: 0 });
    expect(Number((await member(t, 'adminX')).org_admin)).toBe(1);
  });

  it('the console import takes at most 5,000 rows and 1 MB', async () => {
    const rows = Array.from({ length: 5_001 }, (_, i) => `新党员${i},b1,党员`);
    const many = await (await importPreview(sec, b1, csrf, ['姓名,支部,角色', ...rows].join('\n'))).text();
    expect(many).toContain('文件未导入：超过 5000 行，请分批导入');
    const big = await importPreview(sec, b1, csrf, `姓名,支部,角色\n${'甲'.repeat(400_000)},b1,党员\n`);
    expect(big.status).toBe(400);
    expect(await big.text()).toContain('名单文件请小于 1 MB');
    expect((await t.db.selectFrom('members').select('id').where('name', 'like', '新党员%').execute()).length).toBe(0);
  });

  it('a secretary cannot move herself, nor appoint a secretary of another branch by moving an ally', async () => {
    const self = await sec.post(`${b1}/members/secA`, { _csrf: csrf, name: '甲书记', role: 'secretary', branch: 'b2' });
    expect(self.status).toBe(403);
    expect(await self.text()).toContain('把党员转到其他支部需由机关党委管理员办理');
    const ally = await sec.post(`${b1}/members/ally`, { _csrf: csrf, name: '盟友', role: 'secretary', branch: 'b2' });
    expect(ally.status).toBe(403);
    expect(await ally.text()).toContain('需由机关党委管理员办理');
    const appoint = await sec.post(`${b1}/members/ally`, { _csrf: csrf, name: '盟友', role: 'secretary' });
    expect(await appoint.text()).toContain('任免书记需由机关党委管理员办理');
    expect([(await member(t, 'secA')).branch_id, (await member(t, 'ally')).branch_id, (await member(t, 'ally')).role]).toEqual([
      'b1',
      'b1',
      'member',
    ]);
    expect((await sec.request('/console')).headers.get('location')).toBe(b1);
    expect((await sec.request('/console/orgs/o1/branches/b2/members')).status).toBe(404);
    // The form offers neither: no branch to choose, and no 书记 among the roles.
    const form = await (await sec.request(`${b1}/members/ally`)).text();
    expect(form).not.toContain('name="branch"');
    expect(form).not.toContain('value="secretary"');
  });

  it('a secretary cannot sign in as an org admin: the record is out of reach, accounts are not hers to set', async () => {
    expect((await sec.request(`${b1}/members/adminO`)).status).toBe(404);
    const hijack = await sec.post(`${b1}/members/adminO`, {
      _csrf: csrf,
      name: '机关党委管理员',
      role: 'member',
      dingtalkUserId: 'dt-secA',
    });
    expect(hijack.status).toBe(404);
    const repoint = await sec.post(`${b1}/members/mA`, { _csrf: csrf, name: '张三', role: 'member', dingtalkUserId: 'dt-secA2' });
    expect(repoint.status).toBe(403);
    expect((await member(t, 'adminO')).accounts.dingtalk).toBe('dt-adminO');
    expect((await member(t, 'mA')).accounts.dingtalk).toBe('dt-mA');
    // Both attempts are on the trail as refused.
    const tried = await t.db.selectFrom('audit_log').select(['actor_id', 'object', 'result']).where('result', '=', 'refused').execute();
    expect(tried).toEqual(
      expect.arrayContaining([
        { actor_id: 'secA', object: 'member:adminO', result: 'refused' },
        { actor_id: 'secA', object: 'member:mA', result: 'refused' },
      ]),
    );
    const roster = await (await sec.request(`${b1}/members`)).text();
    expect(roster).not.toContain(`${b1}/members/adminO"`);
  });

  it('a changed account, role or branch ends the member’s sessions, and changing it back does not revive them', async () => {
    const admin = await signIn(t, rig.fake, 'dt-adminO');
    expect((await admin.request('/console/orgs/o1')).status).toBe(200);
    const put = (body: Record<string, unknown>) =>
      t.admin('PUT', '/admin/orgs/o1/members/adminO', { name: '机关党委管理员', branch: 'b1', role: 'member', orgAdmin: true, ...body });
    expect((await put({ dingtalkUserId: 'dt-other' })).status).toBe(200);
    expect((await admin.request('/console/orgs/o1')).status).toBe(303);
    expect((await put({ dingtalkUserId: 'dt-adminO' })).status).toBe(200);
    expect((await admin.request('/console/orgs/o1')).status).toBe(303);

    // A secretary demoted and promoted again.
    const again = await signIn(t, rig.fake, 'dt-secB');
    const role = (r: string) =>
      t.admin('PUT', '/admin/orgs/o1/members/secB', { name: '乙书记', branch: 'b2', role: r, dingtalkUserId: 'dt-secB' });
    await role('member');
    await role('secretary');
    expect((await again.request('/console/orgs/o1/branches/b2')).status).toBe(303);
    // A link asked for before her standing changed signs nobody in after it.
    const pending = await signInLink(t, rig.fake, 'dt-secB');
    await role('committee');
    expect((await browser(t).post('/console/login', { t: pending.token })).status).toBe(410);
    await role('secretary');
    expect((await browser(t).post('/console/login', { t: pending.token })).status).toBe(410);
    // A name changes nothing of what she may do.
    const kept = await signIn(t, rig.fake, 'dt-secB');
    await t.admin('PUT', '/admin/orgs/o1/members/secB', {
      name: '乙书记（新）',
      branch: 'b2',
      role: 'secretary',
      dingtalkUserId: 'dt-secB',
    });
    expect((await kept.request('/console/orgs/o1/branches/b2')).status).toBe(200);
  });

  it('a session ends after 30 idle minutes and after 8 hours whatever its use', async () => {
    const idle = await signIn(t, rig.fake, 'dt-secA');
    t.clock.set(NOW + 20 * MIN);
    expect((await idle.request(b1)).status).toBe(200);
    t.clock.set(NOW + 49 * MIN);
    expect((await idle.request(b1)).status).toBe(200);
    t.clock.set(NOW + 80 * MIN);
    expect((await idle.request(b1)).status).toBe(303);

    t.clock.set(NOW);
    const busy = await signIn(t, rig.fake, 'dt-secA');
    for (let at = 25 * MIN; at < 8 * 60 * MIN; at += 25 * MIN) {
      t.clock.set(NOW + at);
      expect((await busy.request(b1)).status, `${at / MIN} min`).toBe(200);
    }
    t.clock.set(NOW + 8 * 60 * MIN);
    expect((await busy.request(b1)).status).toBe(303);
    t.clock.set(NOW);
  });

  it('an open queue dashboard polling its API does not keep an IT session from idling out', async () => {
    const it = browser(t);
    expect((await it.post('/console/login', { token: ADMIN_TOKEN })).status).toBe(303);
    t.clock.set(NOW + 20 * MIN);
    expect((await it.request('/console/queues/api/queues')).status).toBe(200);
    t.clock.set(NOW + 31 * MIN);
    expect((await it.request('/console/orgs')).status).toBe(303);
    t.clock.set(NOW);
  });

  it('an IT session ends when ADMIN_TOKEN changes', async () => {
    const it = browser(t);
    expect((await it.post('/console/login', { token: ADMIN_TOKEN })).status).toBe(303);
    expect((await it.request('/console/orgs')).status).toBe(200);
    const rotated = createApp({ ...t, config: loadConfig({ ...configOf(t), ADMIN_TOKEN: 'rotated-admin-token-0123456789abcdef' }) });
    const afterRotation = browser({ app: rotated }, it.jar);
    expect((await afterRotation.request('/console/orgs')).status).toBe(303);
    const unset = createApp({ ...t, config: loadConfig({ ...configOf(t), ADMIN_TOKEN: '' }) });
    const withoutToken = browser({ app: unset }, it.jar);
    expect((await withoutToken.request('/console/orgs')).status).toBe(303);
    // The same token still holds it.
    expect((await it.request('/console/orgs')).status).toBe(200);
  });

  it('a replayed DingTalk signature with a forged body gets no link and changes nothing; a genuine 控制台’s link goes to its owner only', async () => {
    // A signature the secretary saw once, on a message of her own.
    const seen = signedHeaders(t.clock.now());
    const genuine = dingtalkCallback('签到', { senderStaffId: 'dt-secA', conversationType: '1' });
    expect((await t.app.request('/webhooks/dingtalk/dt1', { method: 'POST', headers: seen, body: JSON.stringify(genuine) })).status).toBe(
      200,
    );
    // The platform's retry of that very message is still taken.
    expect((await t.app.request('/webhooks/dingtalk/dt1', { method: 'POST', headers: seen, body: JSON.stringify(genuine) })).status).toBe(
      200,
    );
    const deliveries = async () => (await t.db.selectFrom('deliveries').select('id').execute()).length;
    const before = {
      deliveries: await deliveries(),
      events: (await t.db.selectFrom('inbound_events').select('message_id').execute()).length,
    };
    const forged = dingtalkCallback('控制台', { senderStaffId: 'dt-adminO', conversationType: '1', msgId: 'forged-2' });
    const headers = exactlySigned(Number(seen.timestamp));
    const res = await t.app.request('/webhooks/dingtalk/dt1', { method: 'POST', headers, body: JSON.stringify(forged) });
    expect(res.status).toBe(503);
    expect(await res.text()).not.toContain('/console/login');
    expect(await deliveries()).toBe(before.deliveries);
    expect((await t.db.selectFrom('inbound_events').select('message_id').execute()).length).toBe(before.events);

    // The org admin's own 控制台: the caller's answer is a sentence; the link reaches her account alone.
    const link = await signInLink(t, rig.fake, 'dt-adminO');
    expect(link.reply).not.toMatch(/https?:/);
    expect((link.message.body as { userIds: string[] }).userIds).toEqual(['dt-adminO']);
    expect(privateText(link.message)).toContain(`${PUBLIC_URL}/console/login?t=`);
  });

  it('no text column of the database holds a live token after 控制台 and 导出', async () => {
    const link = await signInLink(t, rig.fake, 'dt-secA');
    rig.fake.on('POST', '/media/upload', () => ({ json: { errcode: 0, errmsg: 'ok', type: 'file', media_id: '@m' } }));
    expect(await viaDingtalk(t, 'dt1', 'dt-secA', '导出', { direct: true })).toContain('稍后单独发送给你');
    await rig.fake.waitFor((r) => r.path === '/media/upload', 15_000);
    const tables = (await t.db.introspection.getTables()).map((table) => table.name).filter((name) => !name.startsWith('kysely_'));
    expect(tables).toContain('audit_log');
    const found: string[] = [];
    for (const table of tables) {
      const rows = await sql<Record<string, unknown>>`select * from ${sql.table(table)}`.execute(t.db);
      if (JSON.stringify(rows.rows).includes(link.token)) found.push(table);
    }
    expect(found).toEqual([]);
    // The link is live: it signs in.
    expect((await browser(t).post('/console/login', { t: link.token })).status).toBe(303);
  });
});

/** The environment a test app was started with, as loadConfig reads it. */
function configOf(t: TestApp): Record<string, string> {
  const c = t.config;
  return {
    DATABASE_URL: c.DATABASE_URL,
    QUEUE_PREFIX: c.QUEUE_PREFIX,
    PUBLIC_URL: c.PUBLIC_URL ?? '',
    LOG_LEVEL: 'silent',
  };
}
