import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DASHBOARD_PATH } from '../src/admin/dashboard.ts';
import { type TestApp, startTestApp } from './helpers/app.ts';
import { DIALECTS } from './helpers/db.ts';

// Reads of the admin API: what was written can be listed and read back, in pages where
// lists grow; 401 without the token, 404 for another org's ids; no credential in any answer.

const AES_KEY = 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG';
const SECRETS = ['ding-app-secret-READS', 'wecom-app-secret-READS', 'robot-access-token-READS', 'robot-sign-secret-READS', AES_KEY];
const dingtalk = { platform: 'dingtalk', appKey: 'ding-key', appSecret: SECRETS[0], robotCode: 'robot-1', botName: '党建助手' };
const wecomApp = { platform: 'wecom-app', corpId: 'ww1', agentId: 1000002, secret: SECRETS[1], token: 'tok', encodingAESKey: AES_KEY };

describe.each(DIALECTS)('admin reads on %s', (dialect) => {
  let t: TestApp;
  const bodies: string[] = [];
  const get = async (path: string) => {
    const res = await t.admin('GET', `/admin${path}`);
    const text = await res.text();
    bodies.push(text);
    return {
      status: res.status,
      body: JSON.parse(text) as Record<string, unknown> & { items: Record<string, unknown>[]; next: string | null },
    };
  };

  beforeAll(async () => {
    t = await startTestApp(dialect);
    for (const org of ['o1', 'o2']) expect((await t.admin('PUT', `/admin/orgs/${org}`, { name: `Org ${org}` })).status).toBe(200);
    expect((await t.admin('PUT', '/admin/orgs/o1/channels/ding1', dingtalk)).status).toBe(200);
    expect((await t.admin('PUT', '/admin/orgs/o1/channels/wx1', wecomApp)).status).toBe(200);
    expect((await t.admin('PUT', '/admin/orgs/o2/channels/ding2', { ...dingtalk, robotCode: 'robot-2' })).status).toBe(200);
    const chats = [
      { channel: 'ding1', chatId: 'cid-1', webhook: SECRETS[2], secret: SECRETS[3] },
      { channel: 'wx1', chatId: 'wx-chat-1' },
    ];
    expect((await t.admin('PUT', '/admin/orgs/o1/branches/b1', { name: '第一党支部', chats })).status).toBe(200);
    expect((await t.admin('PUT', '/admin/orgs/o1/branches/b2', { name: '第二党支部' })).status).toBe(200);
    expect((await t.admin('PUT', '/admin/orgs/o2/branches/x1', { name: '外单位支部' })).status).toBe(200);
    for (const [id, branch] of [
      ['m1', 'b1'],
      ['m2', 'b1'],
      ['m3', 'b2'],
    ] as const) {
      const member = { name: `党员${id}`, branch, role: id === 'm1' ? 'secretary' : 'member', dingtalkUserId: `dd-${id}` };
      expect((await t.admin('PUT', `/admin/orgs/o1/members/${id}`, member)).status).toBe(200);
    }
    expect((await t.admin('PUT', '/admin/orgs/o2/members/y1', { name: '外单位党员', branch: 'x1', role: 'member' })).status).toBe(200);
  });
  afterAll(async () => {
    // Every answer of the test, the reads' included: no credential set above is in any of them.
    for (const body of bodies) for (const secret of SECRETS) expect(body).not.toContain(secret);
    await t.close();
  });

  it('lists orgs in pages and reads one', async () => {
    const first = await get('/orgs?limit=1');
    expect(first.status).toBe(200);
    expect(first.body.items.map((o) => o.id)).toEqual(['o1']);
    expect(first.body.next).toBe('o1');
    const second = await get('/orgs?limit=1&after=o1');
    expect(second.body).toMatchObject({ items: [{ id: 'o2', name: 'Org o2', timezone: 'Asia/Shanghai' }], next: null });
    const one = await get('/orgs/o1');
    expect(one.body).toMatchObject({ id: 'o1', name: 'Org o1', timezone: 'Asia/Shanghai', digestCron: null });
    expect((await get('/orgs/nope')).status).toBe(404);
    expect((await get('/orgs?limit=0')).body).toMatchObject({ field: 'limit' });
  });

  it('lists channels with their platform and bot name, never a credential', async () => {
    const { status, body } = await get('/orgs/o1/channels');
    expect(status).toBe(200);
    expect(body).toEqual([
      { id: 'ding1', platform: 'dingtalk', botName: '党建助手' },
      { id: 'wx1', platform: 'wecom-app', botName: null },
    ]);
  });

  it('lists branches with their chats (hasWebhook, never the key) and reads one; another org’s is 404', async () => {
    const { body } = await get('/orgs/o1/branches');
    expect(body).toEqual({
      items: [
        {
          id: 'b1',
          name: '第一党支部',
          chats: [
            { channel: 'ding1', chatId: 'cid-1', hasWebhook: true, hasSecret: true },
            { channel: 'wx1', chatId: 'wx-chat-1', hasWebhook: false, hasSecret: false },
          ],
          departments: [],
        },
        { id: 'b2', name: '第二党支部', chats: [], departments: [] },
      ],
      next: null,
    });
    expect((await get('/orgs/o1/branches?limit=1')).body.next).toBe('b1');
    expect((await get('/orgs/o1/branches/b2')).body).toEqual({ id: 'b2', name: '第二党支部', chats: [], departments: [] });
    expect((await get('/orgs/o1/branches/x1')).status).toBe(404);
  });

  it('lists members by branch in pages and reads one; another org’s is 404', async () => {
    const all = await get('/orgs/o1/members');
    expect(all.body.items.map((m) => m.id)).toEqual(['m1', 'm2', 'm3']);
    const b1 = await get('/orgs/o1/members?branch=b1&limit=1');
    expect(b1.body).toMatchObject({ items: [{ id: 'm1', branch: 'b1', role: 'secretary', dingtalkUserId: 'dd-m1' }], next: 'm1' });
    expect((await get('/orgs/o1/members?branch=b1&after=m1')).body).toMatchObject({ items: [{ id: 'm2' }], next: null });
    expect((await get('/orgs/o1/members/m3')).body).toMatchObject({ id: 'm3', name: '党员m3', branch: 'b2', probationary: false });
    expect((await get('/orgs/o1/members/y1')).status).toBe(404);
    expect((await get('/orgs/o1/members?role=member')).body).toMatchObject({ field: 'role' });
  });

  it('documents every admin route, and only those, in /admin/openapi.json', async () => {
    const { status, body } = await get('/openapi.json');
    expect(status).toBe(200);
    const documented = Object.entries(body.paths as Record<string, Record<string, unknown>>).flatMap(([path, ops]) =>
      Object.keys(ops).map((method) => `${method.toUpperCase()} ${path.replace(/\{(\w+)\}/g, ':$1')}`),
    );
    const routed = t.app.routes
      .filter((r) => r.path.startsWith('/admin/') && !r.path.startsWith(DASHBOARD_PATH) && r.method !== 'ALL')
      .map((r) => `${r.method} ${r.path}`);
    expect(documented.sort()).toEqual([...new Set(routed)].sort());
    // The bodies are the schemas the routes validate with: a member's fields, the member filter.
    const member = (body.paths as Record<string, Record<string, { requestBody?: unknown; parameters?: { name: string }[] }>>)[
      '/admin/orgs/{org}/members/{member}'
    ]!;
    expect(JSON.stringify(member.put!.requestBody)).toContain('"dingtalkUserId"');
    const list = (body.paths as Record<string, Record<string, { parameters: { name: string }[] }>>)['/admin/orgs/{org}/members']!;
    expect(list.get!.parameters.map((p) => p.name)).toEqual(['org', 'limit', 'after', 'branch', 'status']);
  });

  it('answers 401 without the token', async () => {
    for (const path of [
      '/openapi.json',
      '/orgs',
      '/orgs/o1',
      '/orgs/o1/channels',
      '/orgs/o1/branches',
      '/orgs/o1/branches/b1',
      '/orgs/o1/members',
      '/orgs/o1/members/m1',
    ]) {
      expect((await t.app.request(`/admin${path}`)).status).toBe(401);
    }
  });
});
