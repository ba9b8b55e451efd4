import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DINGTALK_PAGE_SIZE, DingtalkDirectory } from '../src/platforms/dingtalk/directory.ts';
import { CallRate, type Pacing } from '../src/platforms/shared/call-rate.ts';
import { DirectoryError } from '../src/platforms/shared/directory.ts';
import { WECOM_PAGE_SIZE, WecomDirectory } from '../src/platforms/wecom/directory.ts';
import {
  type FakeDirectory,
  type FakePerson,
  type ServeOptions,
  serveDingtalkDirectory,
  serveWecomDirectory,
} from './helpers/fake-directory.ts';
import { type FakePlatform, startFakePlatform } from './helpers/fake-platform.ts';

// The directory readers against fake platforms that answer as the official documents say: paged
// by cursor, paced to the platform's rate, every call counted, a token expiring mid-read fetched
// again, a failed page asked again from its own cursor, refusals named by the platform's code.

const PREFIX = `tongxin-test-directory-${randomBytes(4).toString('hex')}`;
const logger = pino({ level: 'silent' });

/** Time that passes only when waited for: a pause is recorded, never slept. */
function fakePacing() {
  let now = 1_000_000;
  const slept: number[] = [];
  const pacing: Pacing = {
    now: () => now,
    sleep: async (ms) => {
      slept.push(ms);
      now += ms;
    },
  };
  return { pacing, slept };
}

let fake: FakePlatform;
let redis: Redis;

beforeAll(async () => {
  fake = await startFakePlatform();
  redis = new Redis('redis://127.0.0.1:6379', { maxRetriesPerRequest: null });
});
afterEach(async () => {
  fake.clear();
  const keys = await redis.keys(`${PREFIX}:*`);
  if (keys.length) await redis.del(...keys);
});
afterAll(async () => {
  await fake.close();
  await redis.quit();
});

const people = (n: number, department: string, prefix: string): FakePerson[] =>
  Array.from({ length: n }, (_, i) => ({ userId: `${prefix}${i}`, name: `成员${prefix}${i}`, departments: [department] }));

describe('the DingTalk directory', () => {
  const setup = (directory: FakeDirectory, interrupt?: ServeOptions['interrupt']) => {
    const served = serveDingtalkDirectory(fake, directory, { interrupt });
    const { pacing, slept } = fakePacing();
    const rate = new CallRate([{ limit: 20, windowMs: 1_000 }], pacing);
    let counted = 0;
    const reader = new DingtalkDirectory({
      apiBase: fake.url,
      redis,
      logger,
      keyPrefix: PREFIX,
      config: { appKey: `app-${randomBytes(3).toString('hex')}`, appSecret: 'ding-secret' },
      channelId: 'dt1',
      count: async () => {
        counted++;
      },
      rate: () => rate,
    });
    return { served, reader, slept, counted: () => counted };
  };

  const TREE: FakeDirectory['departments'] = [
    { id: '1', parentId: null },
    { id: '10', parentId: '1' },
    { id: '11', parentId: '10' },
    { id: '12', parentId: '11' },
    { id: '20', parentId: '1' },
  ];

  it('reads a department with those under it, and its people 100 a page by cursor, counting every call', async () => {
    const { served, reader, counted } = setup({
      departments: TREE,
      people: [...people(250, '10', 'a'), { userId: 'both', name: '两边', departments: ['10', '12'], mobile: '13800000000' }],
    });
    expect(await reader.departments('10', true)).toEqual([
      { id: '10', parentId: null },
      { id: '11', parentId: '10' },
      { id: '12', parentId: '11' },
    ]);
    const found = await reader.people(['10', '11', '12']);
    expect(found).toHaveLength(251);
    expect(found.find((p) => p.userId === 'both')).toEqual({ userId: 'both', name: '两边', departmentIds: ['10', '12'] });
    const pages = served.calls().filter((r) => r.path === '/topapi/v2/user/list');
    expect(pages.map((r) => r.body)).toEqual([
      { dept_id: 10, cursor: 0, size: DINGTALK_PAGE_SIZE },
      { dept_id: 10, cursor: 100, size: DINGTALK_PAGE_SIZE },
      { dept_id: 10, cursor: 200, size: DINGTALK_PAGE_SIZE },
      { dept_id: 11, cursor: 0, size: DINGTALK_PAGE_SIZE },
      { dept_id: 12, cursor: 0, size: DINGTALK_PAGE_SIZE },
    ]);
    expect(counted()).toBe(served.calls().length);
    // The answer carried a mobile number; nothing read keeps it.
    expect(JSON.stringify(found)).not.toContain('13800000000');
  });

  it('lists the departments right under one, with their names, in one call; an unknown one by its code', async () => {
    const { served, reader, counted } = setup({ departments: TREE, people: [] });
    expect(await reader.children('1')).toEqual([
      { id: '10', name: '部门10' },
      { id: '20', name: '部门20' },
    ]);
    expect(await reader.children('12')).toEqual([]);
    expect(served.calls().map((r) => r.body)).toEqual([{ dept_id: 1 }, { dept_id: 12 }]);
    expect(counted()).toBe(2);
    await expect(reader.children('99')).rejects.toMatchObject({ failure: 'unknown-department', code: 60003, department: '99' });
  });

  it('keeps to 20 calls a second', async () => {
    const { reader, slept } = setup({ departments: TREE, people: people(4_500, '20', 'p') });
    await reader.people(['20']);
    // 45 pages: two waits for the second's window to pass.
    expect(slept).toHaveLength(2);
    expect(slept.every((ms) => ms > 0 && ms <= 1_100)).toBe(true);
  });

  it('fetches a new token when one expires mid-read, and goes on from the same page', async () => {
    let pages = 0;
    let expire = () => {};
    const { served, reader } = setup({ departments: TREE, people: people(250, '10', 'a') }, (req) => {
      if (req.path === '/topapi/v2/user/list' && ++pages === 2) expire();
      return undefined;
    });
    expire = served.expireTokens;
    expect(await reader.people(['10'])).toHaveLength(250);
    // The second page was refused with the old token and asked again with a new one.
    expect(served.calls().map((r) => (r.body as { cursor: number }).cursor)).toEqual([0, 100, 100, 200]);
    expect(fake.requests.filter((r) => r.path === '/gettoken')).toHaveLength(2);
  });

  it('asks a failed page again from its own cursor, after a pause', async () => {
    let pages = 0;
    const { served, reader, slept } = setup({ departments: TREE, people: people(250, '10', 'a') }, (req) => {
      if (req.path !== '/topapi/v2/user/list') return undefined;
      pages++;
      if (pages === 2) return { status: 502, text: 'Bad Gateway' };
      if (pages === 3) return { json: { errcode: 90018, errmsg: '当前应用调用频率过高' } };
      return undefined;
    });
    expect(await reader.people(['10'])).toHaveLength(250);
    expect(served.calls().map((r) => (r.body as { cursor: number }).cursor)).toEqual([0, 100, 100, 100, 200]);
    expect(slept).toEqual([1_000, 1_000]);
  });

  it('gives up after four attempts', async () => {
    const { reader } = setup({ departments: TREE, people: people(5, '10', 'a') }, () => ({ status: 503, text: 'busy' }));
    await expect(reader.people(['10'])).rejects.toMatchObject({ failure: 'unavailable' });
    expect(fake.requests.filter((r) => r.path === '/topapi/v2/user/list')).toHaveLength(4);
  });

  it('names an unknown department and a missing permission by DingTalk’s codes', async () => {
    const { reader } = setup({ departments: TREE, people: [] }, (req) =>
      req.path === '/topapi/v2/department/listsub' && (req.body as { dept_id: number }).dept_id === 20
        ? { json: { errcode: 88, errmsg: 'ding talk error[subcode=60011,submsg=应用尚未开通所需的权限]', sub_code: '60011' } }
        : undefined,
    );
    await expect(reader.departments('99', false)).rejects.toMatchObject({ failure: 'unknown-department', code: 60003, department: '99' });
    const refused = await reader.departments('20', false).catch((err: unknown) => err);
    expect(refused).toBeInstanceOf(DirectoryError);
    expect(refused).toMatchObject({ failure: 'permission', code: 60011 });
    expect((refused as DirectoryError).hint).toContain('通讯录读取权限');
  });
});

describe('the WeCom directory', () => {
  const APP_SECRET = 'wecom-app-secret';
  const CONTACTS_SECRET = 'wecom-contacts-secret';
  const TREE: FakeDirectory['departments'] = [
    { id: '1', parentId: null },
    { id: '2', parentId: '1' },
    { id: '3', parentId: '2' },
    { id: '4', parentId: '1' },
  ];

  const setup = (directory: FakeDirectory, opts: { contactsSecret?: boolean; interrupt?: ServeOptions['interrupt'] } = {}) => {
    const served = serveWecomDirectory(fake, directory, {
      appSecret: APP_SECRET,
      ...(opts.contactsSecret === false ? {} : { contactsSecret: CONTACTS_SECRET }),
      ...(opts.interrupt ? { interrupt: opts.interrupt } : {}),
    });
    const rate = new CallRate([{ limit: 10_000, windowMs: 60_000 }], fakePacing().pacing);
    let counted = 0;
    const reader = new WecomDirectory({
      apiBase: fake.url,
      redis,
      logger,
      keyPrefix: PREFIX,
      config: {
        corpId: `ww${randomBytes(3).toString('hex')}`,
        agentId: '1000002',
        secret: APP_SECRET,
        ...(opts.contactsSecret === false ? {} : { contactsSecret: CONTACTS_SECRET }),
      },
      channelId: 'wx1',
      count: async () => {
        counted++;
      },
      rate: () => rate,
    });
    return { served, reader, counted: () => counted };
  };

  it('lists departments with the 通讯录同步 token, members by cursor, and names through the app’s own token', async () => {
    // Enough rows for two pages of user/list_id, nearly all in a department nobody maps.
    const { served, reader, counted } = setup({
      departments: TREE,
      people: [
        ...people(WECOM_PAGE_SIZE, '4', 'x'),
        { userId: 'zhangsan', name: '张三', departments: ['2'] },
        { userId: 'lisi', name: '李四', departments: ['3', '4'] },
        { userId: 'wangwu', name: '王五', departments: ['3'], nameHidden: true },
      ],
    });
    expect(await reader.departments('2', true)).toEqual([
      { id: '2', parentId: '1' },
      { id: '3', parentId: '2' },
    ]);
    expect(await reader.departments('2', false)).toEqual([{ id: '2', parentId: '1' }]);
    const found = await reader.people(['2', '3']);
    expect(found.sort((a, b) => a.userId.localeCompare(b.userId))).toEqual([
      { userId: 'lisi', name: '李四', departmentIds: ['3', '4'] },
      // Hidden: WeCom gives the user id in the name's place; the preview reads it as hidden.
      { userId: 'wangwu', name: 'wangwu', departmentIds: ['3'] },
      { userId: 'zhangsan', name: '张三', departmentIds: ['2'] },
    ]);
    const calls = served.calls();
    const lists = calls.filter((r) => r.path === '/cgi-bin/user/list_id');
    expect(lists).toHaveLength(2);
    expect(lists[0]!.body).toEqual({ limit: WECOM_PAGE_SIZE });
    expect((lists[1]!.body as { cursor: string }).cursor).toBeTruthy();
    expect(calls.filter((r) => r.path !== '/cgi-bin/user/get').every((r) => r.query.access_token!.includes('-contacts'))).toBe(true);
    const names = calls.filter((r) => r.path === '/cgi-bin/user/get');
    expect(names.map((r) => r.query.userid).sort()).toEqual(['lisi', 'wangwu', 'zhangsan']);
    expect(names.every((r) => r.query.access_token!.includes('-app'))).toBe(true);
    expect(counted()).toBe(calls.length);
  });

  it('lists the departments right under one by id, in one call: WeCom names none', async () => {
    const { served, reader } = setup({ departments: TREE, people: [] });
    expect(await reader.children('1')).toEqual([
      { id: '2', name: null },
      { id: '4', name: null },
    ]);
    expect(await reader.children('3')).toEqual([]);
    expect(served.calls().map((r) => r.query.id)).toEqual(['1', '3']);
    await expect(reader.children('99')).rejects.toMatchObject({ failure: 'unknown-department', code: 60003, department: '99' });
  });

  it('reads a name the app may not see as hidden', async () => {
    const { reader } = setup(
      { departments: TREE, people: [{ userId: 'zhaoliu', name: '赵六', departments: ['2'] }] },
      {
        interrupt: (req) =>
          req.path === '/cgi-bin/user/get' ? { json: { errcode: 60011, errmsg: 'no privilege to access/modify contact' } } : undefined,
      },
    );
    expect(await reader.people(['2'])).toEqual([{ userId: 'zhaoliu', name: null, departmentIds: ['2'] }]);
  });

  it('without the 通讯录同步 secret tries the app’s token, and says what to do when WeCom refuses it', async () => {
    const { reader } = setup({ departments: TREE, people: [] }, { contactsSecret: false });
    const refused = await reader.people(['2']).catch((err: unknown) => err);
    expect(refused).toMatchObject({ failure: 'permission', code: 48002 });
    expect((refused as DirectoryError).hint).toContain('contactsSecret');
  });

  it('fetches a new token when one expires mid-read, and names an unknown department', async () => {
    let pages = 0;
    let expire = () => {};
    const { served, reader } = setup(
      { departments: TREE, people: people(WECOM_PAGE_SIZE + 5, '2', 'y') },
      {
        interrupt: (req) => {
          if (req.path === '/cgi-bin/user/list_id' && ++pages === 2) expire();
          return undefined;
        },
      },
    );
    expire = served.expireTokens;
    expect(await reader.people(['4'])).toEqual([]);
    const lists = served.calls().filter((r) => r.path === '/cgi-bin/user/list_id');
    expect(lists).toHaveLength(3);
    expect(lists[2]!.body).toEqual(lists[1]!.body);
    await expect(reader.departments('99', true)).rejects.toMatchObject({ failure: 'unknown-department', code: 60003, department: '99' });
  });
});

describe('the call rate', () => {
  it('waits until a call fits every window', async () => {
    const { pacing, slept } = fakePacing();
    const rate = new CallRate(
      [
        { limit: 3, windowMs: 1_000 },
        { limit: 5, windowMs: 10_000 },
      ],
      pacing,
    );
    for (let i = 0; i < 6; i++) await rate.take();
    // Three at once; the fourth a second (and its spare tenth) later; the sixth when the first leaves the ten seconds (and its spare second).
    expect(slept).toEqual([1_100, 9_900]);
  });
});
