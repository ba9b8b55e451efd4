import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getMember, putMember } from '../db/members.ts';
import { directoryContext } from '../jobs/directory-apply.ts';
import {
  DIRECTORY_SYNC_PATTERN,
  type DirectorySyncDeps,
  directoryChangedJobId,
  runDirectorySync,
  syncDirectorySchedulers,
} from '../jobs/directory-sync.ts';
import { startWorkers } from '../jobs/workers.ts';
import { createHandle } from '../src/app.ts';
import { LongConnections } from '../src/platforms/long-connections.ts';
import type { SendContext } from '../src/platforms/adapter.ts';
import { type TestApp, startTestApp } from './helpers/app.ts';
import { DIALECTS, memberRow } from './helpers/db.ts';
import { eventually } from './helpers/eventually.ts';
import { type FakeDirectory, serveDingtalkDirectory, serveWecomDirectory } from './helpers/fake-directory.ts';
import { type FakePlatform, startFakePlatform } from './helpers/fake-platform.ts';
import { type StreamGateway, attachStreamGateway, orgEventData } from './helpers/fake-stream-gateway.ts';
import { contactChangeCallback } from './helpers/wecom.ts';

// Keeping the roster in step with the directory, on fake WeCom and DingTalk directories: the daily
// sync applies what is unambiguous (a name, a new member in a mapped department) as the directory
// sync and leaves moves, departures and conflicts for an org admin, telling each affected branch's
// secretaries privately once a day; a WeCom change_contact callback and a DingTalk Stream org event
// are counted in the database before they are answered, and lead to the same sync; a restart or a
// lost queue between the answer and the sync loses nothing. Roles and flags survive every sync.

const AES_KEY = 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG';
const APP_SECRET = 'wecom-app-secret-value';
const CONTACTS_SECRET = 'wecom-contacts-secret-value';
const WX = { token: 'sync-token', encodingAESKey: AES_KEY, corpId: 'ww-sync', agentId: '1000002' };
const DAY = 86_400_000;
const QUICK = { heartbeatMs: 200, backoff: { minMs: 50, maxMs: 400 }, stableMs: 20 };

type Preview = {
  newMembers: { id: string }[];
  renamed: { member: string }[];
  moved: { member: string; from: string; to: string }[];
  gone: { member: string }[];
  conflicts: { account: { userId: string } }[];
};

describe.each(DIALECTS)('the directory sync on %s', (dialect) => {
  let t: TestApp;
  let fake: FakePlatform;
  let gateway: StreamGateway;
  let deps: DirectorySyncDeps;
  let ctx: SendContext;
  const stops: (() => Promise<void>)[] = [];

  /** WeCom: b1 maps 2 (with 3 under it), b2 maps 4, b3 maps 5. */
  const wecom: FakeDirectory = {
    departments: [
      { id: '1', parentId: null },
      { id: '2', parentId: '1' },
      { id: '3', parentId: '2' },
      { id: '4', parentId: '1' },
      { id: '5', parentId: '1' },
    ],
    people: [
      { userId: 'zhangsan', name: '张三', departments: ['2'] },
      { userId: 'lisi', name: '李四', departments: ['3'] },
      { userId: 'wangwu', name: '王五', departments: ['4'] },
      { userId: 'qianqi', name: '钱七', departments: ['4'] },
      { userId: 'zhouqi', name: '周七', departments: ['5'] },
      { userId: 'sunba', name: '孙八', departments: ['5'] },
    ],
  };
  /** DingTalk: o2's b1 maps 10. */
  const dingtalk: FakeDirectory = {
    departments: [
      { id: '1', parentId: null },
      { id: '10', parentId: '1' },
    ],
    people: [
      { userId: 'dt-sec', name: '丙', departments: ['10'] },
      { userId: 'dt-a', name: '甲', departments: ['10'] },
      { userId: 'dt-b', name: '乙', departments: ['10'] },
    ],
  };
  const person = (dir: FakeDirectory, userId: string) => dir.people.find((p) => p.userId === userId)!;

  const json = async <T>(res: Response) => (await res.json()) as T;
  const preview = async (org: string) => json<Preview>(await t.admin('POST', `/admin/orgs/${org}/directory/preview`));
  const member = async (org: string, id: string) => (await getMember(t.db, org, id))!;
  const syncState = (org: string) =>
    t.db.selectFrom('directory_syncs').select(['wanted', 'served']).where('org_id', '=', org).executeTakeFirst();
  const notices = () =>
    t.db.selectFrom('deliveries').select(['id', 'target', 'body', 'relayed_at']).where('id', 'like', 'directory-%').orderBy('id').execute();
  const noticeTo = async (memberId: string) =>
    (await notices()).filter((d) => (JSON.parse(d.target) as { memberId: string }).memberId === memberId);
  const callback = async (changeType: string, fields: Record<string, string>) => {
    const { query, body } = contactChangeCallback(WX, changeType, fields, Math.floor(t.clock.now() / 1000));
    return t.app.request(`/webhooks/wecom/wx1?${query}`, { method: 'POST', body });
  };
  const workers = async (directoryDebounceMs: number) => {
    const w = await startWorkers({ ...t }, { directoryDebounceMs, intervals: { relay: 100 } });
    stops.push(() => w.close());
    return w;
  };

  beforeAll(async () => {
    fake = await startFakePlatform();
    gateway = attachStreamGateway(fake);
    serveWecomDirectory(fake, wecom, { appSecret: APP_SECRET, contactsSecret: CONTACTS_SECRET });
    serveDingtalkDirectory(fake, dingtalk);
    t = await startTestApp(dialect, { env: { WECOM_API_BASE: fake.url, DINGTALK_OAPI_BASE: fake.url, DINGTALK_API_BASE: fake.url } });
    deps = { db: t.db, redis: t.redis, logger: t.logger, clock: t.clock, config: t.config, outbound: t.queues.outbound };
    ctx = directoryContext(deps);
    for (const org of ['o1', 'o2', 'o3']) expect((await t.admin('PUT', `/admin/orgs/${org}`, { name: `单位${org}` })).status).toBe(200);
    const wx = { platform: 'wecom-app', secret: APP_SECRET, contactsSecret: CONTACTS_SECRET, ...WX };
    expect((await t.admin('PUT', '/admin/orgs/o1/channels/wx1', wx)).status).toBe(200);
    const dt = { platform: 'dingtalk', mode: 'stream', appKey: 'ding-sync-key', appSecret: 'ding-sync-secret', robotCode: 'robot-sync' };
    expect((await t.admin('PUT', '/admin/orgs/o2/channels/dt2', dt)).status).toBe(200);
    const mapped: [string, string, string, { departmentId: string; includeSub?: boolean }][] = [
      ['o1', 'b1', '第一党支部', { departmentId: '2', includeSub: true }],
      ['o1', 'b2', '第二党支部', { departmentId: '4' }],
      ['o1', 'b3', '第三党支部', { departmentId: '5' }],
      ['o2', 'b1', '第一党支部', { departmentId: '10' }],
    ];
    for (const [org, branch, name, d] of mapped) {
      const channel = org === 'o1' ? 'wx1' : 'dt2';
      const res = await t.admin('PUT', `/admin/orgs/${org}/branches/${branch}`, { name, departments: [{ channel, ...d }] });
      expect(res.status).toBe(200);
    }
    // On the roll by hand: each branch's secretary, and an org admin who is a probationary 委员.
    const now = t.clock.now();
    const hand = [
      memberRow({
        org_id: 'o1',
        id: 'm-zhang',
        name: '张三',
        role: 'secretary',
        party_group: '第一党小组',
        accounts: { wecom: 'zhangsan' },
      }),
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
      memberRow({ org_id: 'o1', id: 'm-qian', name: '钱七', branch_id: 'b2', role: 'secretary', accounts: { wecom: 'qianqi' } }),
      memberRow({ org_id: 'o1', id: 'm-zhou', name: '周七', branch_id: 'b3', role: 'secretary', accounts: { wecom: 'zhouqi' } }),
      memberRow({ org_id: 'o2', id: 's2', name: '丙', role: 'secretary', accounts: { dingtalk: 'dt-sec' } }),
    ];
    for (const m of hand) await putMember(t.db, m, now);
    // The first preview, applied by an org admin's hand (here IT's): the sync follows from there.
    for (const org of ['o1', 'o2']) {
      const first = await json<Preview>(await t.admin('POST', `/admin/orgs/${org}/directory/preview`));
      expect((await t.admin('POST', `/admin/orgs/${org}/directory/apply`, { preview: first })).status).toBe(200);
    }
    expect((await member('o1', 'lisi')).branch_id).toBe('b1');
    expect((await member('o2', 'dt-a')).name).toBe('甲');
  });

  afterAll(async () => {
    for (const stop of stops.reverse()) await stop();
    await t?.close();
    await fake?.close();
  });

  const flagsOf = async (org: string, id: string) => {
    const m = await member(org, id);
    return { role: m.role, org_admin: m.org_admin, probationary: m.probationary, party_group: m.party_group };
  };
  const flagsBefore: Record<string, Awaited<ReturnType<typeof flagsOf>>> = {};
  const expectFlagsKept = async () => {
    for (const [key, flags] of Object.entries(flagsBefore)) {
      const [org, id] = key.split('/') as [string, string];
      expect(await flagsOf(org, id), key).toEqual(flags);
    }
  };

  it('keeps a daily scheduler for each org whose branches map departments, in its time zone', async () => {
    for (const key of ['o1/m-zhang', 'o1/m-wang', 'o1/m-qian', 'o1/m-zhou', 'o2/s2'])
      flagsBefore[key] = await flagsOf(...(key.split('/') as [string, string]));
    expect(flagsBefore['o1/m-wang']).toEqual({ role: 'committee', org_admin: true, probationary: true, party_group: null });
    expect(await syncDirectorySchedulers(t.queues.directory, t.db)).toEqual({ orgs: 2, upserted: 2, removed: 0 });
    const schedulers = await t.queues.directory.getJobSchedulers(0, -1);
    expect(schedulers.map((s) => [s.key, s.pattern, s.tz]).sort()).toEqual([
      ['directory-o1', DIRECTORY_SYNC_PATTERN, 'Asia/Shanghai'],
      ['directory-o2', DIRECTORY_SYNC_PATTERN, 'Asia/Shanghai'],
    ]);
    // o3 maps nothing: it has none; one that stops mapping loses its own.
    expect((await t.admin('PUT', '/admin/orgs/o3/branches/b1', { name: '第一党支部', departments: [] })).status).toBe(200);
    expect(await syncDirectorySchedulers(t.queues.directory, t.db)).toEqual({ orgs: 2, upserted: 0, removed: 0 });
  });

  it('applies a rename and a new member as the directory sync, leaves a move, a departure and a conflict, and tells each secretary once a day', async () => {
    person(wecom, 'wangwu').name = '王武';
    wecom.people.push({ userId: 'wushi', name: '吴十', departments: ['3'] });
    person(wecom, 'lisi').departments = ['4'];
    wecom.people = wecom.people.filter((p) => p.userId !== 'sunba');
    wecom.people.push({ userId: 'zhaoliu', name: '赵六', departments: ['4', '5'] });
    t.clock.advance(DAY);
    const firedAt = t.clock.now();

    expect(await runDirectorySync(deps, ctx, 'o1', firedAt)).toBe('1 new, 1 renamed, 3 notices');
    // The unambiguous part: an org admin's new name (her flags as they were), a new 党员 of b1.
    expect(await member('o1', 'm-wang')).toMatchObject({ name: '王武', branch_id: 'b2' });
    expect(await member('o1', 'wushi')).toMatchObject({
      name: '吴十',
      branch_id: 'b1',
      role: 'member',
      org_admin: false,
      accounts: { wecom: 'wushi' },
    });
    await expectFlagsKept();
    // The rest waits: 李四 still in b1, 孙八 on the roll, 赵六 not taken into either branch.
    expect((await member('o1', 'lisi')).branch_id).toBe('b1');
    expect((await member('o1', 'sunba')).status).toBe('active');
    expect(await getMember(t.db, 'o1', 'zhaoliu')).toBeUndefined();
    const next = await preview('o1');
    expect([next.newMembers, next.renamed]).toEqual([[], []]);
    expect(next.moved.map((m) => [m.member, m.from, m.to])).toEqual([['lisi', 'b1', 'b2']]);
    expect(next.gone.map((g) => g.member)).toEqual(['sunba']);
    expect(next.conflicts.map((c) => c.account.userId)).toEqual(['zhaoliu']);

    const trail = await t.db
      .selectFrom('audit_log')
      .select(['actor_kind', 'actor_name', 'action', 'object', 'detail'])
      .where('org_id', '=', 'o1')
      .where('actor_kind', '=', 'system')
      .orderBy('id')
      .execute();
    expect(trail.map((e) => [e.actor_kind, e.actor_name, e.action, e.object])).toEqual([
      ['system', '通讯录同步', 'member.create', 'member:wushi'],
      ['system', '通讯录同步', 'member.edit', 'member:m-wang'],
      ['system', '通讯录同步', 'directory.apply', 'org:o1'],
    ]);
    expect(JSON.parse(trail[2]!.detail!)).toMatchObject({
      newMembers: 1,
      renamed: 1,
      pending: { moved: 1, gone: 1, conflicts: 1, returning: 0, emptyDepartments: 0 },
    });

    // Each affected branch's secretary, privately through the app, relayed to the queue.
    const told = await notices();
    expect(told).toHaveLength(3);
    for (const d of told) {
      expect(JSON.parse(d.target)).toMatchObject({ kind: 'member', channelId: 'wx1' });
      expect(d.relayed_at).not.toBeNull();
    }
    const text = async (id: string) => (JSON.parse((await noticeTo(id))[0]!.body) as { markdown: string }).markdown;
    expect(await text('m-zhang')).toContain('已按通讯录更新 1 人：\n- 新增党员：吴十');
    expect(await text('m-zhang')).toContain('待机关党委管理员确认 1 项：\n- 转出：李四（转往第二党支部）');
    expect(await text('m-qian')).toContain('- 更名：王五→王武');
    expect(await text('m-qian')).toContain('- 转入：李四（来自第一党支部）');
    expect(await text('m-qian')).toContain('- 所在部门分属多个支部：赵六');
    expect(await text('m-zhou')).toContain('待机关党委管理员确认 2 项：\n- 已不在对应部门：孙八\n- 所在部门分属多个支部：赵六');

    // Run again the same day, after a change in b3: applied, but nobody told twice in a day.
    person(wecom, 'zhouqi').name = '周琦';
    t.clock.advance(3_600_000);
    expect(await runDirectorySync(deps, ctx, 'o1', firedAt)).toBe('0 new, 1 renamed, 0 notices');
    expect((await member('o1', 'm-zhou')).name).toBe('周琦');
    expect(await notices()).toHaveLength(3);
    // The next morning: only b3's secretary is told, the new name with what still waits there.
    t.clock.advance(DAY);
    expect(await runDirectorySync(deps, ctx, 'o1', t.clock.now())).toBe('0 new, 0 renamed, 1 notices');
    const zhou = await noticeTo('m-zhou');
    expect(zhou).toHaveLength(2);
    const again = (JSON.parse(zhou[1]!.body) as { markdown: string }).markdown;
    expect(again).toContain('已按通讯录更新 1 人：\n- 更名：周七→周琦');
    expect(again).toContain('- 已不在对应部门：孙八');
    // And the morning after, with nothing new: nothing.
    t.clock.advance(DAY);
    expect(await runDirectorySync(deps, ctx, 'o1', t.clock.now())).toBe('0 new, 0 renamed, 0 notices');
    expect(await notices()).toHaveLength(4);
    expect((await member('o1', 'm-zhou')).role).toBe('secretary');
    await expectFlagsKept();
  });

  it('takes a WeCom change_contact callback: counted before it is answered, then the rename applied and the departure left', async () => {
    person(wecom, 'zhangsan').name = '张叁';
    wecom.people = wecom.people.filter((p) => p.userId !== 'wushi');
    const before = (await syncState('o1')) ?? { wanted: 0, served: 0 };
    // A tag's change is no change of the directory: answered, not counted.
    expect((await callback('update_tag', { TagId: '1', AddUserItems: 'zhangsan' })).status).toBe(200);
    expect(((await syncState('o1')) ?? { wanted: 0 }).wanted).toBe(before.wanted);
    const res = await callback('update_user', { UserID: 'zhangsan', Name: '张叁', Department: '2' });
    expect([res.status, await res.text()]).toEqual([200, '']);
    expect(await syncState('o1')).toEqual({ wanted: before.wanted + 1, served: before.served });
    // Nothing is changed until the sync has read the directory again.
    expect((await member('o1', 'm-zhang')).name).toBe('张三');

    await workers(0);
    await eventually(async () => expect((await member('o1', 'm-zhang')).name).toBe('张叁'), 15_000);
    await eventually(async () => expect(await syncState('o1')).toEqual({ wanted: before.wanted + 1, served: before.wanted + 1 }));
    expect((await member('o1', 'wushi')).status).toBe('active');
    expect((await preview('o1')).gone.map((g) => g.member)).toEqual(['sunba', 'wushi']);
    await expectFlagsKept();
    // The secretaries' notices queued earlier go out through the app, privately.
    await eventually(async () =>
      expect(fake.requests.some((r) => r.path === '/cgi-bin/message/send' && (r.body as { touser?: string }).touser === 'zhouqi')).toBe(
        true,
      ),
    );
    await stops.pop()!();
  });

  it('takes a DingTalk org event over Stream: ACKed once counted, then the rename applied and the departure left', async () => {
    person(dingtalk, 'dt-a').name = '甲一';
    dingtalk.people = dingtalk.people.filter((p) => p.userId !== 'dt-b');
    const holder = new LongConnections({ ...t, handle: createHandle(t) }, { syncMs: 100, leaseMs: 800, ...QUICK });
    stops.push(() => holder.stop());
    await holder.start();
    await gateway.waitFor(() => holder.connected('dt2'));
    expect(gateway.opened.at(-1)).toMatchObject({
      clientId: 'ding-sync-key',
      subscriptions: expect.arrayContaining([{ type: 'EVENT', topic: '*' }]),
    });

    // An event of another kind is ACKed and left.
    const other = gateway.pushEvent('bpms_task_change', { processInstanceId: 'p1' });
    await gateway.waitFor(() => gateway.ackOf(other) !== undefined);
    expect(await syncState('o2')).toBeUndefined();
    const messageId = gateway.pushEvent('user_modify_org', orgEventData('user_modify_org', ['dt-a']));
    await gateway.waitFor(() => gateway.ackOf(messageId) !== undefined);
    expect(gateway.ackOf(messageId)?.data).toBe(JSON.stringify({ status: 'SUCCESS', message: 'OK' }));
    expect(await syncState('o2')).toEqual({ wanted: 1, served: 0 });
    expect((await member('o2', 'dt-a')).name).toBe('甲');

    await workers(0);
    await eventually(async () => expect((await member('o2', 'dt-a')).name).toBe('甲一'), 15_000);
    await eventually(async () => expect(await syncState('o2')).toEqual({ wanted: 1, served: 1 }));
    expect((await member('o2', 'dt-b')).status).toBe('active');
    expect((await preview('o2')).gone.map((g) => g.member)).toEqual(['dt-b']);
    await expectFlagsKept();
    await stops.pop()!();
  });

  it('loses nothing when the service restarts, its queue emptied, between an acknowledged event and its sync', async () => {
    person(wecom, 'lisi').name = '李思';
    expect((await callback('update_user', { UserID: 'lisi', Name: '李思', Department: '4' })).status).toBe(200);
    const acked = (await syncState('o1'))!;
    expect(acked.wanted).toBeGreaterThan(acked.served);

    // A worker takes it up and waits out its debounce; the process stops before the sync runs.
    const jobId = directoryChangedJobId('o1', acked.served);
    const first = await workers(3_600_000);
    await eventually(async () => expect(await t.queues.directory.getJobState(jobId)).toBe('delayed'));
    stops.pop();
    await first.close();
    // Redis loses its copy: the job is gone, the count in the database is not.
    await t.queues.directory.obliterate({ force: true });
    expect(await t.queues.directory.getJob(jobId)).toBeUndefined();
    expect(await syncState('o1')).toEqual(acked);
    expect((await member('o1', 'lisi')).name).toBe('李四');

    await workers(0);
    await eventually(async () => expect((await member('o1', 'lisi')).name).toBe('李思'), 15_000);
    await eventually(async () => expect(await syncState('o1')).toEqual({ wanted: acked.wanted, served: acked.wanted }));
    expect((await member('o1', 'lisi')).branch_id).toBe('b1');
    await expectFlagsKept();
  });
});
