import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { putAttendance } from '../db/attendance.ts';
import { insertMeeting } from '../db/meetings.ts';
import { getMember, putMember } from '../db/members.ts';
import { memberActing } from '../src/admin/acting.ts';
import { applyDirectory, previewDirectory } from '../src/admin/directory.ts';
import { type TestApp, startTestApp } from './helpers/app.ts';
import { DIALECTS, countOf, meetingRow, memberRow } from './helpers/db.ts';
import { type FakeDirectory, type ServeOptions, serveDingtalkDirectory, serveWecomDirectory } from './helpers/fake-directory.ts';
import { type FakePlatform, startFakePlatform } from './helpers/fake-platform.ts';

// The roster from the platforms' directories through the admin API, on fake DingTalk and WeCom
// directories: departments checked as a branch maps them; a preview; an apply of exactly that
// preview, refused when the directory or the roster changed since; renames, moves and departures
// later; nothing deleted, roles and flags kept.

const AES_KEY = 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG';
const APP_SECRET = 'wecom-app-secret-value';
const CONTACTS_SECRET = 'wecom-contacts-secret-value';
const DAY = 86_400_000;

type Preview = {
  basis: string;
  newMembers: { id: string; name: string | null; account: { platform: string; userId: string }; branch: string; department: string }[];
  renamed: { member: string; from: string; to: string }[];
  moved: { member: string; from: string; to: string; department: string }[];
  gone: { member: string; branch: string }[];
  conflicts: { account: { userId: string }; branches: string[] }[];
  nameHidden: { account: { userId: string }; member: string | null; name: string | null }[];
  returning: unknown[];
  emptyDepartments: { channel: string; department: string; branch: string }[];
};

describe.each(DIALECTS)('the roster from the directory on %s', (dialect) => {
  let t: TestApp;
  let fake: FakePlatform;
  let interrupt: ServeOptions['interrupt'];
  const options: ServeOptions = { interrupt: (req) => interrupt?.(req) };

  /** WeCom: 2 (with 3 under it), 4 and 5 under the root; 6 mapped to nobody. */
  const wecom: FakeDirectory = {
    departments: [
      { id: '1', parentId: null },
      { id: '2', parentId: '1' },
      { id: '3', parentId: '2' },
      { id: '4', parentId: '1' },
      { id: '5', parentId: '1' },
      { id: '6', parentId: '1' },
    ],
    people: [
      { userId: 'zhangsan', name: '张三', departments: ['2'] },
      { userId: 'lisi', name: '李四', departments: ['3'] },
      { userId: 'wangwu', name: '王五', departments: ['4'] },
      { userId: 'zhaoliu', name: '赵六', departments: ['4', '5'] },
      { userId: 'qianqi', name: '钱七', departments: ['5'], nameHidden: true },
      { userId: 'sunba', name: '孙八', departments: ['5'] },
      { userId: 'zhoujiu', name: '周九', departments: ['6'] },
    ],
  };
  /** DingTalk: 10 and 20 under the root, 30 refused to the app, 40 empty. */
  const dingtalk: FakeDirectory = {
    departments: [
      { id: '1', parentId: null },
      { id: '10', parentId: '1' },
      { id: '20', parentId: '1' },
      { id: '30', parentId: '1' },
      { id: '40', parentId: '1' },
    ],
    people: [
      { userId: 'dt-a', name: '甲', departments: ['10'], mobile: '13900000000' },
      { userId: 'dt-b', name: '乙', departments: ['20'] },
    ],
  };

  const json = async <T>(res: Response) => ({ status: res.status, body: (await res.json()) as T });
  const preview = async (org: string) => json<Preview>(await t.admin('POST', `/admin/orgs/${org}/directory/preview`));
  const apply = async (org: string, body: unknown) =>
    json<{ error?: string; field?: string; applied?: Record<string, number> }>(
      await t.admin('POST', `/admin/orgs/${org}/directory/apply`, body),
    );
  const member = async (org: string, id: string) => (await getMember(t.db, org, id))!;

  beforeAll(async () => {
    fake = await startFakePlatform();
    serveWecomDirectory(fake, wecom, { ...options, appSecret: APP_SECRET, contactsSecret: CONTACTS_SECRET });
    serveDingtalkDirectory(fake, dingtalk, options);
    t = await startTestApp(dialect, { env: { WECOM_API_BASE: fake.url, DINGTALK_OAPI_BASE: fake.url, DINGTALK_API_BASE: fake.url } });
    for (const org of ['o1', 'o2']) expect((await t.admin('PUT', `/admin/orgs/${org}`, { name: `单位${org}` })).status).toBe(200);
    const wx = {
      platform: 'wecom-app',
      corpId: 'ww-dir',
      agentId: 1000002,
      secret: APP_SECRET,
      contactsSecret: CONTACTS_SECRET,
      token: 'tok',
      encodingAESKey: AES_KEY,
    };
    expect((await t.admin('PUT', '/admin/orgs/o1/channels/wx1', wx)).status).toBe(200);
    const dt = { platform: 'dingtalk', appKey: 'ding-dir-key', appSecret: 'ding-dir-secret', robotCode: 'robot-dir' };
    expect((await t.admin('PUT', '/admin/orgs/o2/channels/dt2', dt)).status).toBe(200);
    expect(
      (await t.admin('PUT', '/admin/orgs/o2/channels/bot2', { platform: 'wecom-bot', token: 't', encodingAESKey: AES_KEY })).status,
    ).toBe(200);
  });

  afterAll(async () => {
    await t?.close();
    await fake?.close();
  });

  it('follows a three-department org: preview, apply, nothing more to do; then a rename, a move and a departure', async () => {
    const now = t.clock.now();
    const mapped = {
      b1: [{ channel: 'wx1', departmentId: '2', includeSub: true }],
      b2: [{ channel: 'wx1', departmentId: 4 }],
      b3: [{ channel: 'wx1', departmentId: '5', includeSub: false }],
    };
    for (const [branch, departments] of Object.entries(mapped)) {
      const res = await t.admin('PUT', `/admin/orgs/o1/branches/${branch}`, { name: `第${branch.slice(1)}党支部`, departments });
      expect(res.status).toBe(200);
    }
    expect((await json<{ departments: unknown }>(await t.admin('GET', '/admin/orgs/o1/branches/b2'))).body.departments).toEqual([
      { channel: 'wx1', departmentId: '4', includeSub: false },
    ]);
    // Already on the roll, by hand: a secretary with her 党小组, and an org admin who is a probationary 委员.
    await putMember(
      t.db,
      memberRow({
        org_id: 'o1',
        id: 'm-zhang',
        name: '张三',
        branch_id: 'b1',
        role: 'secretary',
        party_group: '第一党小组',
        accounts: { wecom: 'zhangsan' },
      }),
      now,
    );
    await putMember(
      t.db,
      memberRow({
        org_id: 'o1',
        id: 'm-wang',
        name: '王五',
        branch_id: 'b2',
        role: 'committee',
        probationary: true,
        org_admin: true,
        accounts: { wecom: 'wangwu' },
      }),
      now,
    );

    const first = await preview('o1');
    expect(first.status).toBe(200);
    expect(first.body.newMembers.map((n) => [n.id, n.name, n.branch, n.department])).toEqual([
      ['lisi', '李四', 'b1', '3'],
      ['qianqi', null, 'b3', '5'],
      ['sunba', '孙八', 'b3', '5'],
    ]);
    expect(first.body.conflicts.map((c) => [c.account.userId, c.branches])).toEqual([['zhaoliu', ['b2', 'b3']]]);
    expect(first.body.nameHidden).toEqual([{ account: { platform: 'wecom', userId: 'qianqi' }, member: null, name: null }]);
    expect([first.body.renamed, first.body.moved, first.body.gone, first.body.emptyDepartments]).toEqual([[], [], [], []]);
    // Every call of the read is counted in the org's WeCom meter.
    const quota = await t.redis.get(`${t.config.QUEUE_PREFIX}:quota:o1:wecom:api:2026-11`);
    const calls = fake.requests.filter((r) => r.path.startsWith('/cgi-bin/') && r.path !== '/cgi-bin/gettoken').length;
    expect(Number(quota)).toBe(calls);

    const applied = await apply('o1', { preview: first.body });
    expect(applied).toEqual({
      status: 200,
      body: {
        basis: first.body.basis,
        applied: { newMembers: 3, renamed: 0, moved: 0, gone: 0 },
        notApplied: { conflicts: 1, returning: 0 },
      },
    });
    expect(await member('o1', 'lisi')).toMatchObject({
      name: '李四',
      branch_id: 'b1',
      role: 'member',
      status: 'active',
      accounts: { wecom: 'lisi' },
    });
    // A hidden name: her account stands in until one is set by hand.
    expect(await member('o1', 'qianqi')).toMatchObject({ name: 'qianqi', branch_id: 'b3', accounts: { wecom: 'qianqi' } });
    expect(await getMember(t.db, 'o1', 'zhaoliu')).toBeUndefined();

    const second = await preview('o1');
    expect([second.body.newMembers, second.body.renamed, second.body.moved, second.body.gone]).toEqual([[], [], [], []]);
    // What needs an org admin stays listed; the hidden name keeps tongxin's.
    expect(second.body.conflicts).toHaveLength(1);
    expect(second.body.nameHidden).toEqual([{ account: { platform: 'wecom', userId: 'qianqi' }, member: 'qianqi', name: 'qianqi' }]);

    // A 党员大会 of b3 held two days ago, 孙八 present.
    await insertMeeting(
      t.db,
      meetingRow({ id: 'mt-b3', org_id: 'o1', branch_id: 'b3', code: 'KMN', type: 'assembly', starts_at: now - 2 * DAY }),
    );
    await putAttendance(
      t.db,
      { meeting_id: 'mt-b3', member_id: 'sunba', org_id: 'o1', status: 'present', note: null, at: now - 2 * DAY, source: null },
      now - 2 * DAY,
    );

    // The directory changes: 王五 renamed, 张三 moved to department 4, 孙八 gone.
    wecom.people.find((p) => p.userId === 'wangwu')!.name = '王武';
    wecom.people.find((p) => p.userId === 'zhangsan')!.departments = ['4'];
    wecom.people = wecom.people.filter((p) => p.userId !== 'sunba');
    t.clock.advance(60_000);
    const third = await preview('o1');
    expect(third.body.renamed).toEqual([{ member: 'm-wang', from: '王五', to: '王武', account: { platform: 'wecom', userId: 'wangwu' } }]);
    expect(third.body.moved.map((m) => [m.member, m.from, m.to, m.department])).toEqual([['m-zhang', 'b1', 'b2', '4']]);
    expect(third.body.gone.map((g) => [g.member, g.branch])).toEqual([['sunba', 'b3']]);
    expect(third.body.newMembers).toEqual([]);

    expect((await apply('o1', { preview: third.body })).body.applied).toEqual({ newMembers: 0, renamed: 1, moved: 1, gone: 1 });
    const leftAt = t.clock.now();
    expect(await member('o1', 'sunba')).toMatchObject({
      status: 'left',
      left_at: leftAt,
      left_reason: '已不在通讯录的对应部门',
      branch_id: 'b3',
    });
    // Roles, flags, 党小组 and 预备党员 are tongxin's: the directory touched none of them.
    expect(await member('o1', 'm-wang')).toMatchObject({
      name: '王武',
      role: 'committee',
      org_admin: true,
      probationary: true,
      branch_id: 'b2',
    });
    expect(await member('o1', 'm-zhang')).toMatchObject({ name: '张三', role: 'secretary', party_group: '第一党小组', branch_id: 'b2' });
    expect(
      await t.db.selectFrom('member_moves').select(['member_id', 'from_branch', 'to_branch']).where('org_id', '=', 'o1').execute(),
    ).toEqual([{ member_id: 'm-zhang', from_branch: 'b1', to_branch: 'b2' }]);
    // History kept: the past meeting's record still lists her, expected and present.
    const record = await json<{ expected: { id: string }[]; present: { id: string }[] }>(
      await t.admin('GET', '/admin/orgs/o1/branches/b3/meetings/KMN/record'),
    );
    expect(record.status, JSON.stringify(record.body)).toBe(200);
    expect(record.body.expected.map((m) => m.id)).toContain('sunba');
    expect(record.body.present.map((m) => m.id)).toEqual(['sunba']);

    const trail = await t.db
      .selectFrom('audit_log')
      .select(['action', 'object', 'detail'])
      .where('org_id', '=', 'o1')
      .where('at', '=', leftAt)
      .orderBy('action')
      .execute();
    expect(trail.map((e) => [e.action, e.object])).toEqual([
      ['directory.apply', 'org:o1'],
      ['member.edit', 'member:m-wang'],
      ['member.leave', 'member:sunba'],
      ['member.move', 'member:m-zhang'],
    ]);
    expect(trail.slice(1).every((e) => JSON.parse(e.detail!).source === 'directory')).toBe(true);

    const after = await preview('o1');
    expect([after.body.newMembers, after.body.renamed, after.body.moved, after.body.gone]).toEqual([[], [], [], []]);
  });

  it('refuses an apply when the directory or the roster changed since the preview, and one not as previewed', async () => {
    const before = await preview('o1');
    const members = await countOf(t.db, 'members');
    wecom.people.push({ userId: 'wushi', name: '吴十', departments: ['5'] });
    const stale = await apply('o1', { preview: before.body });
    expect(stale.status).toBe(409);
    expect(stale.body.error).toBe('预览之后通讯录或名单已有变化，请重新预览后再确认。');
    expect(await countOf(t.db, 'members')).toBe(members);

    const fresh = await preview('o1');
    expect(fresh.body.newMembers.map((n) => n.id)).toEqual(['wushi']);
    await putMember(t.db, memberRow({ org_id: 'o1', id: 'hand1', name: '手工', branch_id: 'b9' }), t.clock.now());
    expect((await apply('o1', { preview: fresh.body })).status).toBe(409);

    const again = await preview('o1');
    const altered = { ...again.body, newMembers: again.body.newMembers.map((n) => ({ ...n, branch: 'b1' })) };
    expect(await apply('o1', { preview: altered })).toMatchObject({ status: 400, body: { field: 'preview' } });
    expect(await getMember(t.db, 'o1', 'wushi')).toBeUndefined();
    expect((await apply('o1', { preview: again.body })).status).toBe(200);
    expect(await member('o1', 'wushi')).toMatchObject({ branch_id: 'b3', name: '吴十' });
  });

  it('gives an org admin no more through the directory than by hand: another org admin’s record stays IT’s', async () => {
    const deps = { db: t.db, redis: t.redis, logger: t.logger, clock: t.clock, config: t.config };
    await putMember(t.db, memberRow({ org_id: 'o1', id: 'adm2', name: '管理员', branch_id: 'b9', org_admin: true }), t.clock.now());
    const orgAdmin = memberActing(await member('o1', 'adm2'), null);
    await expect(previewDirectory(deps, memberActing(await member('o1', 'm-zhang'), null), 'o1')).rejects.toMatchObject({ status: 403 });

    wecom.people.find((p) => p.userId === 'wangwu')!.name = '王伍';
    const p = await previewDirectory(deps, orgAdmin, 'o1');
    expect(p.renamed.map((r) => r.member)).toEqual(['m-wang']);
    await expect(applyDirectory(deps, orgAdmin, 'o1', p, false)).rejects.toMatchObject({
      status: 403,
      action: 'member.edit',
      why: 'org-admin',
    });
    expect((await member('o1', 'm-wang')).name).toBe('王武');
    expect((await apply('o1', { preview: p })).status).toBe(200);
    expect((await member('o1', 'm-wang')).name).toBe('王伍');
  });

  it('checks a department with the platform as it is mapped: an unknown one or a refused one changes nothing', async () => {
    const put = (departments: unknown[]) => t.admin('PUT', '/admin/orgs/o2/branches/b1', { name: '第一党支部', departments });
    expect((await put([{ channel: 'dt2', departmentId: '10' }])).status).toBe(200);

    const unknown = await json<{ error: string; field: string }>(await put([{ channel: 'dt2', departmentId: '99' }]));
    expect(unknown).toEqual({
      status: 400,
      body: {
        field: 'departments.0.departmentId',
        error: 'departments.0.departmentId: 渠道 dt2 的通讯录中没有编号为「99」的部门（平台错误码 60003）。',
      },
    });
    interrupt = (req) =>
      req.path === '/topapi/v2/department/listsub' && (req.body as { dept_id: number }).dept_id === 30
        ? { json: { errcode: 88, errmsg: 'ding talk error[subcode=60011,submsg=应用尚未开通所需的权限]', sub_code: '60011' } }
        : undefined;
    const refused = await json<{ error: string; field: string }>(await put([{ channel: 'dt2', departmentId: '30' }]));
    interrupt = undefined;
    expect(refused.status).toBe(400);
    expect(refused.body.error).toContain('渠道 dt2 无权读取通讯录（平台错误码 60011）。请在钉钉开发者后台为应用开通通讯录读取权限');
    const bot = await json<{ field: string }>(await put([{ channel: 'bot2', departmentId: '10' }]));
    expect(bot).toMatchObject({ status: 400, body: { field: 'departments.0.channel' } });
    expect((await json<{ field: string }>(await put([{ channel: 'nope', departmentId: '10' }]))).body.field).toBe('departments.0.channel');
    expect((await json<{ field: string }>(await put([{ channel: 'dt2', departmentId: 'abc' }]))).body.field).toBe(
      'departments.0.departmentId',
    );

    // A department maps to one branch.
    const taken = await json<{ error: string }>(
      await t.admin('PUT', '/admin/orgs/o2/branches/b2', { name: '第二党支部', departments: [{ channel: 'dt2', departmentId: 10 }] }),
    );
    expect(taken).toEqual({
      status: 400,
      body: {
        field: 'departments.0.departmentId',
        error: 'departments.0.departmentId: 该部门已对应支部「第一党支部」（b1）：一个部门只能对应一个支部。',
      },
    });
    expect((await t.admin('GET', '/admin/orgs/o2/branches/b2')).status).toBe(404);
    const b1 = await json<{ departments: unknown }>(await t.admin('GET', '/admin/orgs/o2/branches/b1'));
    expect(b1.body.departments).toEqual([{ channel: 'dt2', departmentId: '10', includeSub: false }]);
  });

  it('needs an explicit confirmation to apply a preview in which a mapped department lists nobody', async () => {
    const now = t.clock.now();
    await putMember(t.db, memberRow({ org_id: 'o2', id: 'm-b', name: '乙', branch_id: 'b1', accounts: { dingtalk: 'dt-b' } }), now);
    await putMember(
      t.db,
      memberRow({ org_id: 'o2', id: 'm-x', name: '己', branch_id: 'b3', role: 'secretary', accounts: { dingtalk: 'dt-x' } }),
      now,
    );
    expect(
      (await t.admin('PUT', '/admin/orgs/o2/branches/b3', { name: '第三党支部', departments: [{ channel: 'dt2', departmentId: '40' }] }))
        .status,
    ).toBe(200);
    const p = await preview('o2');
    expect(p.body.emptyDepartments).toEqual([{ channel: 'dt2', department: '40', branch: 'b3' }]);
    expect(p.body.newMembers.map((n) => [n.id, n.name, n.branch])).toEqual([['dt-a', '甲', 'b1']]);
    // 乙 is in department 20, which no branch maps: gone from b1; b3's secretary is in no department at all.
    expect(p.body.gone.map((g) => g.member)).toEqual(['m-b', 'm-x']);

    const unconfirmed = await apply('o2', { preview: p.body });
    expect(unconfirmed.status).toBe(400);
    expect(unconfirmed.body.field).toBe('confirmEmpty');
    expect(unconfirmed.body.error).toContain('渠道 dt2 的部门「40」在通讯录中没有人员');
    expect((await member('o2', 'm-x')).status).toBe('active');

    expect((await apply('o2', { preview: p.body, confirmEmpty: true })).body.applied).toEqual({
      newMembers: 1,
      renamed: 0,
      moved: 0,
      gone: 2,
    });
    expect((await member('o2', 'm-x')).status).toBe('left');
    // A mobile number the platform gave is never kept.
    expect((await member('o2', 'dt-a')).mobile).toBeNull();
  });

  it('says which branch to fix when a mapped department is gone from the platform, and changes nothing', async () => {
    dingtalk.departments = dingtalk.departments.filter((d) => d.id !== '40');
    const res = await preview('o2');
    expect(res.status).toBe(400);
    expect((res.body as unknown as { error: string }).error).toBe(
      '渠道 dt2 的通讯录中没有编号为「40」的部门（平台错误码 60003）。请修改支部 b3 的部门设置。',
    );
  });
});
