import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import type { Database } from '../db/schema.ts';
import { listMembersByIds } from '../db/members.ts';
import { insertReport } from '../db/reports.ts';
import { ADMIN_TOKEN, type TestApp, startTestApp } from './helpers/app.ts';
import { DIALECTS } from './helpers/db.ts';

const AES_KEY = 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG';
const dingtalkChannel = { platform: 'dingtalk', appKey: 'ding-key', appSecret: 'ding-app-secret-value', robotCode: 'robot-1' };
const wecomApp = {
  platform: 'wecom-app',
  corpId: 'ww1',
  agentId: 1000002,
  secret: 'wecom-app-secret-value',
  token: 'tok',
  encodingAESKey: AES_KEY,
};

describe.each(DIALECTS)('admin API on %s', (dialect) => {
  let t: TestApp;

  const count = async (table: keyof Database, where: Record<string, string>) => {
    let query = t.db.selectFrom(table as 'orgs').select((eb) => eb.fn.countAll<number>().as('n'));
    for (const [column, value] of Object.entries(where)) query = query.where(column as 'id', '=', value);
    return Number((await query.executeTakeFirstOrThrow()).n);
  };

  const expectBadField = async (res: Response, field: string) => {
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: string; field: string };
    expect(body.field).toBe(field);
    expect(body.error.startsWith(`${field}: `)).toBe(true);
  };

  const importCsv = (org: string, csv: string) =>
    t.app.request(`/admin/orgs/${org}/members/import`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'text/csv' },
      body: csv,
    });

  beforeAll(async () => {
    t = await startTestApp(dialect);
    for (const org of ['o1', 'o2']) expect((await t.admin('PUT', `/admin/orgs/${org}`, { name: `Org ${org}` })).status).toBe(200);
    expect((await t.admin('PUT', '/admin/orgs/o1/channels/ding1', dingtalkChannel)).status).toBe(200);
    expect((await t.admin('PUT', '/admin/orgs/o2/channels/ding2', { ...dingtalkChannel, robotCode: 'robot-2' })).status).toBe(200);
    const branch = await t.admin('PUT', '/admin/orgs/o1/branches/b1', {
      name: '第一党支部',
      chats: [{ channel: 'ding1', chatId: 'cid-1' }],
    });
    expect(branch.status).toBe(200);
  });

  afterAll(async () => {
    await t?.close();
  });

  it('answers 404 on every admin route when ADMIN_TOKEN is unset', async () => {
    const bare = await startTestApp(dialect, { env: { ADMIN_TOKEN: '' } });
    try {
      for (const [method, path] of [
        ['PUT', '/admin/orgs/o1'],
        ['POST', '/admin/orgs/o1/members/import'],
        ['GET', '/admin/orgs/o1/branches/b1/reports'],
      ] as const) {
        expect((await bare.admin(method, path, method === 'GET' ? undefined : { name: 'x' })).status).toBe(404);
      }
      expect(await bare.db.selectFrom('orgs').selectAll().execute()).toEqual([]);
    } finally {
      await bare.close();
    }
  });

  it('answers 401 without a token or with a wrong one, and stores nothing', async () => {
    const body = JSON.stringify({ name: 'Intruder' });
    const headers: Record<string, string>[] = [
      {},
      { authorization: 'Bearer wrong' },
      { authorization: `Bearer ${ADMIN_TOKEN}x` },
      { authorization: ADMIN_TOKEN },
    ];
    for (const h of headers) {
      const res = await t.app.request('/admin/orgs/o9', { method: 'PUT', headers: { 'content-type': 'application/json', ...h }, body });
      expect(res.status).toBe(401);
      expect(await res.json()).toHaveProperty('error');
    }
    expect((await t.app.request('/admin/orgs/o1/branches/b1/reports')).status).toBe(401);
    expect(await count('orgs', { id: 'o9' })).toBe(0);
  });

  it('PUT org upserts one row and answers the stored org', async () => {
    const first = await t.admin('PUT', '/admin/orgs/org-a', { name: 'A' });
    expect(first.status).toBe(200);
    expect(await first.json()).toMatchObject({
      id: 'org-a',
      name: 'A',
      timezone: 'Asia/Shanghai',
      digestCron: null,
      createdAt: '2026-11-28T10:00:00.000+08:00',
    });
    const second = await t.admin('PUT', '/admin/orgs/org-a', { name: 'A2', timezone: 'Europe/Berlin', digestCron: '30 8 * * MON-FRI' });
    expect(await second.json()).toMatchObject({
      name: 'A2',
      timezone: 'Europe/Berlin',
      digestCron: '30 8 * * MON-FRI',
      updatedAt: '2026-11-28T03:00:00.000+01:00',
    });
    expect(await count('orgs', { id: 'org-a' })).toBe(1);
  });

  it('PUT org answers 400 naming the field of a bad body', async () => {
    await expectBadField(await t.admin('PUT', '/admin/orgs/org-b', { name: 'B', timezone: 'Mars/Olympus' }), 'timezone');
    await expectBadField(await t.admin('PUT', '/admin/orgs/org-b', { timezone: 'Asia/Shanghai' }), 'name');
    await expectBadField(await t.admin('PUT', '/admin/orgs/org-b', { name: 'B', digestCron: '0 25 * * 1' }), 'digestCron');
    await expectBadField(await t.admin('PUT', '/admin/orgs/org-b', { name: 'B', timeZone: 'Asia/Shanghai' }), 'timeZone');
    await expectBadField(await t.admin('PUT', '/admin/orgs/org-b', '{"name": '), 'body');
    await expectBadField(await t.admin('PUT', '/admin/orgs/org-b', ['B']), 'body');
    await expectBadField(await t.admin('PUT', '/admin/orgs/bad!id', { name: 'B' }), 'org');
    expect(await count('orgs', { id: 'org-b' })).toBe(0);
  });

  it('PUT channel upserts one row, never echoes secrets, and refuses another org’s channel', async () => {
    for (let i = 0; i < 2; i++) {
      const res = await t.admin('PUT', '/admin/orgs/o1/channels/app1', wecomApp);
      expect(res.status).toBe(200);
      const text = await res.text();
      expect(JSON.parse(text)).toEqual({ id: 'app1', org: 'o1', platform: 'wecom-app' });
      expect(text).not.toContain('wecom-app-secret-value');
      expect(text).not.toContain(AES_KEY);
    }
    expect(await count('channels', { id: 'app1' })).toBe(1);

    await expectBadField(await t.admin('PUT', '/admin/orgs/o1/channels/app2', { ...wecomApp, encodingAESKey: 'short' }), 'encodingAESKey');
    await expectBadField(await t.admin('PUT', '/admin/orgs/o1/channels/app2', { ...wecomApp, platform: 'slack' }), 'platform');
    expect((await t.admin('PUT', '/admin/orgs/nope/channels/app2', wecomApp)).status).toBe(404);
    expect((await t.admin('PUT', '/admin/orgs/o2/channels/app1', wecomApp)).status).toBe(409);
    expect(await count('channels', { id: 'app2' })).toBe(0);
    expect(await count('channels', { id: 'app1', org_id: 'o1' })).toBe(1);
  });

  it('PUT branch upserts one row, replaces its chats and checks their channels', async () => {
    const body = {
      name: '机关第二支部',
      chats: [
        { channel: 'ding1', chatId: 'cid-2', webhook: 'access-token-value', secret: 'SECsigning' },
        { channel: 'app1', chatId: 'wr-2' },
      ],
    };
    for (let i = 0; i < 2; i++) {
      const res = await t.admin('PUT', '/admin/orgs/o1/branches/b2', body);
      expect(res.status).toBe(200);
      const text = await res.text();
      expect(text).not.toContain('access-token-value');
      expect(text).not.toContain('SECsigning');
      expect(JSON.parse(text)).toMatchObject({
        id: 'b2',
        name: '机关第二支部',
        chats: [
          { channel: 'ding1', chatId: 'cid-2', hasWebhook: true },
          { channel: 'app1', chatId: 'wr-2', hasWebhook: false },
        ],
      });
    }
    expect(await count('branches', { org_id: 'o1', id: 'b2' })).toBe(1);
    expect(await count('branch_chats', { org_id: 'o1', branch_id: 'b2' })).toBe(2);

    expect((await t.admin('PUT', '/admin/orgs/o1/branches/b2', { name: '机关第二支部' })).status).toBe(200);
    expect(await count('branch_chats', { org_id: 'o1', branch_id: 'b2' })).toBe(0);

    await expectBadField(
      await t.admin('PUT', '/admin/orgs/o1/branches/b3', { name: 'B3', chats: [{ channel: 'ding2', chatId: 'x' }] }),
      'chats.0.channel',
    );
    await expectBadField(
      await t.admin('PUT', '/admin/orgs/o1/branches/b3', {
        name: 'B3',
        chats: [
          { channel: 'ding1', chatId: 'x' },
          { channel: 'nope', chatId: 'y' },
        ],
      }),
      'chats.1.channel',
    );
    await expectBadField(
      await t.admin('PUT', '/admin/orgs/o1/branches/b3', { name: 'B3', chats: [{ channel: 'ding1' }] }),
      'chats.0.chatId',
    );
    await expectBadField(await t.admin('PUT', '/admin/orgs/o1/branches/b3', { chats: [] }), 'name');
    expect(await count('branches', { org_id: 'o1', id: 'b3' })).toBe(0);
    expect((await t.admin('PUT', '/admin/orgs/nope/branches/b3', { name: 'B3' })).status).toBe(404);
  });

  it('PUT member upserts one row and answers it', async () => {
    const body = { name: '张三', branch: 'b1', role: 'secretary', group: '第一小组', probationary: true, dingtalkUserId: 'ding-zs' };
    for (let i = 0; i < 2; i++) {
      const res = await t.admin('PUT', '/admin/orgs/o1/members/m1', body);
      expect(res.status).toBe(200);
      expect(await res.json()).toMatchObject({
        id: 'm1',
        name: '张三',
        branch: 'b1',
        role: 'secretary',
        group: '第一小组',
        probationary: true,
        dingtalkUserId: 'ding-zs',
        wecomUserId: null,
        mobile: null,
      });
    }
    expect(await count('members', { org_id: 'o1', id: 'm1' })).toBe(1);
    const row = await t.db.selectFrom('members').selectAll().where('org_id', '=', 'o1').where('id', '=', 'm1').executeTakeFirstOrThrow();
    expect(Number(row.probationary)).toBe(1);
  });

  it('PUT member answers 400 naming the field', async () => {
    const good = { name: '李四', branch: 'b1', role: 'member' };
    await expectBadField(await t.admin('PUT', '/admin/orgs/o1/members/m2', { ...good, role: 'chairman' }), 'role');
    await expectBadField(await t.admin('PUT', '/admin/orgs/o1/members/m2', { ...good, branch: 'b-none' }), 'branch');
    await expectBadField(await t.admin('PUT', '/admin/orgs/o1/members/m2', { ...good, name: undefined }), 'name');
    await expectBadField(await t.admin('PUT', '/admin/orgs/o1/members/m2', { ...good, probationary: 'yes' }), 'probationary');
    await expectBadField(await t.admin('PUT', '/admin/orgs/o1/members/m2', { ...good, dingtalkUserId: 'ding-zs' }), 'dingtalkUserId');
    await expectBadField(await t.admin('PUT', '/admin/orgs/o1/members/m%20x', good), 'member');
    expect(await count('members', { org_id: 'o1', id: 'm2' })).toBe(0);
    expect((await t.admin('PUT', '/admin/orgs/nope/members/m2', good)).status).toBe(404);
    // The same platform id in another org is someone else.
    expect((await t.admin('PUT', '/admin/orgs/o2/branches/b1', { name: 'O2 B1' })).status).toBe(200);
    expect((await t.admin('PUT', '/admin/orgs/o2/members/m2', { ...good, dingtalkUserId: 'ding-zs' })).status).toBe(200);
    // Both accounts taken: the refusal names the first of the API's fields, as the import's does.
    expect((await t.admin('PUT', '/admin/orgs/o2/members/m3', { ...good, wecomUserId: 'wz-m3' })).status).toBe(200);
    const both = { ...good, dingtalkUserId: 'ding-zs', wecomUserId: 'wz-m3' };
    await expectBadField(await t.admin('PUT', '/admin/orgs/o2/members/m4', both), 'wecomUserId');
  });

  it('imports members from CSV, reporting bad rows without blocking good ones', async () => {
    const csv = [
      '\ufeffid,name,branch,role,group,probationary,mobile,wecomUserId,dingtalkUserId',
      'c1,王五,b1,member,,是,13800000000,wz-wang,',
      'c2,赵六,b-none,member,,,,,',
      '',
      'c3,钱七,b1,committee,第二小组,0,,,ding-qian',
      'c4,孙八,b1,boss,,,,,',
    ].join('\n');
    const res = await importCsv('o1', csv);
    expect(res.status).toBe(200);
    const result = (await res.json()) as {
      total: number;
      imported: number;
      failed: number;
      errors: { row: number; field: string; message: string }[];
    };
    expect(result).toMatchObject({ total: 4, imported: 2, failed: 2 });
    // Rows as the spreadsheet numbers them: the header is row 1, the empty line is row 4.
    expect(result.errors.map(({ row, field }) => ({ row, field }))).toEqual([
      { row: 3, field: 'branch' },
      { row: 6, field: 'role' },
    ]);
    const members = await listMembersByIds(t.db, 'o1', ['c1', 'c2', 'c3', 'c4']);
    expect(
      members.map((m) => [m.id, m.role, Number(m.probationary), m.party_group, m.accounts.wecom ?? null, m.accounts.dingtalk ?? null]),
    ).toEqual([
      ['c1', 'member', 1, null, 'wz-wang', null],
      ['c3', 'committee', 0, '第二小组', null, 'ding-qian'],
    ]);

    // Importing again changes nothing but the update time.
    expect(await (await importCsv('o1', csv)).json()).toMatchObject({ total: 4, imported: 2, failed: 2 });
    expect(await count('members', { org_id: 'o1', id: 'c1' })).toBe(1);
  });

  it('refuses platform ids taken in the same file or by another member, and malformed CSV', async () => {
    const csv = [
      'id,name,branch,role,dingtalkUserId,probationary',
      'd1,甲,b1,member,ding-d,',
      'd2,乙,b1,member,ding-d,',
      'd3,丙,b1,member,ding-zs,',
      'd4,丁,b1,member,,maybe',
      'd1,甲,b1,member,,',
      'd5,戊',
    ].join('\n');
    const result = await (await importCsv('o1', csv)).json();
    expect(result).toMatchObject({
      total: 6,
      imported: 1,
      failed: 5,
      errors: [
        { row: 3, field: 'dingtalkUserId' },
        { row: 4, field: 'dingtalkUserId' },
        { row: 5, field: 'probationary' },
        { row: 6, field: 'id' },
        { row: 7, field: 'row' },
      ],
    });
    expect(await count('member_accounts', { org_id: 'o1', platform: 'dingtalk', user_id: 'ding-d' })).toBe(1);

    // The file's own faults are said in Chinese, under the column's Chinese name.
    const fileFault = async (res: Response, field: string, error: string) => {
      expect(res.status).toBe(400);
      expect(await res.json()).toEqual({ field, error });
    };
    expect(((await (await importCsv('o1', 'id,name,branch,role\n"d9,unterminated')).json()) as { error: string }).error).toMatch(
      /^文件：不是有效的 CSV（.+），请用 Excel 另存为「CSV UTF-8」后重试$/,
    );
    await fileFault(
      await importCsv('o1', 'id,name,branch,rank\nd9,x,b1,member'),
      'header',
      '表头：没有「rank」这一列；可用的列为 编号、姓名、支部、角色、党小组、预备党员、手机号、企业微信账号、钉钉账号（或 id, name, branch, role, group, probationary, mobile, wecomUserId, dingtalkUserId, orgAdmin）',
    );
    await fileFault(await importCsv('o1', '姓名,支部\n某甲,b1'), 'header', '表头：缺少「角色」列');
    await fileFault(await importCsv('o1', ''), 'body', '文件：没有内容，第一行应为表头');
    expect((await importCsv('nope', 'id,name,branch,role\n')).status).toBe(404);
  });

  it('says in Chinese what is wrong with each row, naming a 支部 the org does not have as written', async () => {
    const csv = [
      '姓名,支部,角色,预备党员,编号',
      '某甲,第二党支部,党员,,',
      '某乙,第一党支部,书记员,,',
      '某丙,b1,党员,也许,',
      '某丁,b1,党员,,a b',
    ].join('\n');
    const result = (await (await importCsv('o1', csv)).json()) as { errors: unknown[] };
    expect(result.errors).toEqual([
      { row: 2, field: 'branch', message: '没有名为「第二党支部」的支部', name: '某甲' },
      { row: 3, field: 'role', message: '应为 书记、委员 或 党员', name: '某乙' },
      { row: 4, field: 'probationary', message: '应填「是」或「否」', name: '某丙' },
      { row: 5, field: 'id', message: '只能用字母、数字和 _ . -，最多 64 个', name: '某丁' },
    ]);
  });

  it('lists a branch’s reports between from and to, with times in the org’s zone', async () => {
    const at = (iso: string) => Date.parse(iso);
    const base = { org_id: 'o1', branch_id: 'b1', member_id: 'm1', source: null };
    await insertReport(t.db, {
      ...base,
      id: 'r1',
      category: 'enterprise',
      text: '走访企业了解需求',
      tags: ['research'],
      at: at('2026-11-27T02:00:00Z'),
    });
    await insertReport(t.db, {
      ...base,
      id: 'r2',
      category: 'public',
      text: '社区志愿服务活动',
      tags: ['deploy', 'review'],
      at: at('2026-11-28T02:00:00Z'),
    });
    await insertReport(t.db, {
      ...base,
      id: 'r3',
      branch_id: 'b2',
      category: 'project',
      text: '别的支部的汇报',
      tags: [],
      at: at('2026-11-28T01:00:00Z'),
    });

    const all = await t.admin('GET', '/admin/orgs/o1/branches/b1/reports');
    expect(all.status).toBe(200);
    expect(await all.json()).toEqual([
      { member: 'm1', category: 'enterprise', text: '走访企业了解需求', tags: ['research'], at: '2026-11-27T10:00:00.000+08:00' },
      { member: 'm1', category: 'public', text: '社区志愿服务活动', tags: ['deploy', 'review'], at: '2026-11-28T10:00:00.000+08:00' },
    ]);

    // ISO without an offset is read in the org's zone; epoch ms as is; `to` is exclusive.
    const since = await t.admin('GET', '/admin/orgs/o1/branches/b1/reports?from=2026-11-28T00:00');
    expect(((await since.json()) as { at: string }[]).map((r) => r.at)).toEqual(['2026-11-28T10:00:00.000+08:00']);
    const until = await t.admin('GET', `/admin/orgs/o1/branches/b1/reports?from=0&to=${at('2026-11-28T02:00:00Z')}`);
    expect(((await until.json()) as { at: string }[]).map((r) => r.at)).toEqual(['2026-11-27T10:00:00.000+08:00']);
    const offset = await t.admin('GET', '/admin/orgs/o1/branches/b1/reports?from=2026-11-27T10:00:00.001%2B08:00');
    expect((await offset.json()) as unknown[]).toHaveLength(1);

    await expectBadField(await t.admin('GET', '/admin/orgs/o1/branches/b1/reports?from=yesterday'), 'from');
    await expectBadField(await t.admin('GET', '/admin/orgs/o1/branches/b1/reports?to=2026-13-01'), 'to');
    await expectBadField(await t.admin('GET', '/admin/orgs/o1/branches/b1/reports?from=99999999999999999999'), 'from');
    expect((await t.admin('GET', '/admin/orgs/o1/branches/b-none/reports')).status).toBe(404);
    expect((await t.admin('GET', '/admin/orgs/nope/branches/b1/reports')).status).toBe(404);
  });
});
