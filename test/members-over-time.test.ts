import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fromLocal } from '../src/domain/time.ts';
import { type TestApp, startTestApp } from './helpers/app.ts';
import { viaDingtalk } from './helpers/chat.ts';
import { DIALECTS } from './helpers/db.ts';
import { DT_SECRET } from './helpers/dingtalk.ts';

// Members over time: one who leaves is expected at no later meeting and stays in the
// earlier ones; one who moves to another branch keeps their past attendance with the old branch
// and is expected only at the new branch's later meetings, until they move back; an org admin may
// 绑定 any branch.

const TZ = 'Asia/Shanghai';
const at = (day: number, hour: number, minute = 0) => fromLocal({ year: 2026, month: 12, day, hour, minute }, TZ);
const GROUP = 'cidOverTime==';

describe.each(DIALECTS)('members over time on %s', (dialect) => {
  let t: TestApp;
  let first: string;
  let movedIn: string;
  const say = (who: string, text: string, direct = true) => viaDingtalk(t, 'dt1', who, text, direct ? { direct } : { chat: GROUP });
  const codeOf = (reply: string) => /会议编号：\*\*([A-Z0-9]{3})\*\*/.exec(reply)![1]!;
  const record = async (branch: string, code: string) =>
    (await (await t.admin('GET', `/admin/orgs/o1/branches/${branch}/meetings/${code}/record`)).json()) as Record<
      'expected' | 'present' | 'absent',
      { id: string }[]
    >;
  const ids = (people: { id: string }[]) => people.map((p) => p.id).sort();
  const member = (id: string, branch: string, role = 'member', extra: Record<string, unknown> = {}) =>
    t.admin('PUT', `/admin/orgs/o1/members/${id}`, { name: `同志${id}`, branch, role, dingtalkUserId: id, ...extra });

  beforeAll(async () => {
    t = await startTestApp(dialect, { now: at(1, 9) });
    expect((await t.admin('PUT', '/admin/orgs/o1', { name: '机关工委' })).status).toBe(200);
    const channel = { platform: 'dingtalk', appKey: 'k', appSecret: DT_SECRET, robotCode: 'r' };
    expect((await t.admin('PUT', '/admin/orgs/o1/channels/dt1', channel)).status).toBe(200);
    expect(
      (await t.admin('PUT', '/admin/orgs/o1/branches/b1', { name: '第一党支部', chats: [{ channel: 'dt1', chatId: GROUP }] })).status,
    ).toBe(200);
    expect((await t.admin('PUT', '/admin/orgs/o1/branches/b2', { name: '第二党支部' })).status).toBe(200);
    for (const [id, branch, role] of [
      ['sec', 'b1', 'secretary'],
      ['a', 'b1', 'member'],
      ['b', 'b1', 'member'],
      ['c', 'b1', 'member'],
      ['sec2', 'b2', 'secretary'],
    ]) {
      expect((await member(id!, branch!, role)).status).toBe(200);
    }
    expect((await member('staff', 'b2', 'member', { orgAdmin: true })).status).toBe(200);
  });
  afterAll(() => t.close());

  it('a meeting held before anyone left or moved', async () => {
    const reply = await say('sec', '安排 党员大会 今天下午3点');
    expect(reply).toContain('应到 4 人');
    first = codeOf(reply);
    t.clock.set(at(1, 15, 10));
    for (const id of ['a', 'b', 'c']) expect(await say(id, '签到', false)).toContain('已签到');
  });

  it('one leaves and one moves: later meetings expect neither, the old record keeps both', async () => {
    t.clock.set(at(2, 10));
    const left = await t.admin('POST', '/admin/orgs/o1/members/b/leave', { reason: '退休' });
    expect(await left.json()).toMatchObject({ id: 'b', status: 'left', leftAt: '2026-12-02T10:00:00.000+08:00', leftReason: '退休' });
    expect((await member('c', 'b2')).status).toBe(200);

    const later = await say('sec', '安排 党课 12月4日 15:00');
    expect(later).toContain('应到 2 人');
    const code = codeOf(later);
    t.clock.set(at(4, 15, 5));
    expect(await say('b', `签到 ${code}`)).toContain(`你不在会议 ${code} 的应到人员中`);
    expect(await say('c', `签到 ${code}`)).toContain('本支部没有编号为');

    const old = await record('b1', first);
    expect(ids(old.expected)).toEqual(['a', 'b', 'c', 'sec']);
    expect(ids(old.present)).toEqual(['a', 'b', 'c']);
    expect(ids(old.absent)).toEqual(['sec']);
    expect(ids((await record('b1', code)).expected)).toEqual(['a', 'sec']);
  });

  it('the moved member is expected at the new branch’s later meetings only', async () => {
    const reply = await say('sec2', '安排 支部党员大会 12月5日 15:00');
    expect(reply).toContain('应到 3 人');
    movedIn = codeOf(reply);
    expect(ids((await record('b2', movedIn)).expected)).toEqual(['c', 'sec2', 'staff']);
  });

  it('lists members by status', async () => {
    const left = (await (await t.admin('GET', '/admin/orgs/o1/members?status=left')).json()) as { items: { id: string }[] };
    expect(left.items.map((m) => m.id)).toEqual(['b']);
    const active = (await (await t.admin('GET', '/admin/orgs/o1/members?status=active&branch=b1')).json()) as { items: { id: string }[] };
    expect(active.items.map((m) => m.id)).toEqual(['a', 'sec']);
    expect((await t.admin('POST', '/admin/orgs/o1/members/nobody/leave', {})).status).toBe(404);
    expect(await (await t.admin('POST', '/admin/orgs/o1/members/a/leave', { at: 'next week' })).json()).toMatchObject({ field: 'at' });
  });

  it('an org admin may 绑定 any branch’s group; another member may not', async () => {
    expect(await viaDingtalk(t, 'dt1', 'a', '绑定 第二党支部', { chat: 'cidOther==' })).toContain('只有支部书记可以使用这条命令');
    expect(await viaDingtalk(t, 'dt1', 'staff', '绑定 第一党支部', { chat: 'cidOther==' })).toContain('已将本群绑定到「第一党支部」');
  });

  it('one who moves back is expected again at the first branch’s later meetings, and only there', async () => {
    t.clock.set(at(6, 9));
    expect((await member('c', 'b1')).status).toBe(200);
    const code = codeOf(await say('sec', '安排 党员大会 12月7日 15:00'));
    expect(ids((await record('b1', code)).expected)).toEqual(['a', 'c', 'sec']);
    // Each branch's earlier meetings keep who belonged to it then.
    expect(ids((await record('b1', first)).expected)).toEqual(['a', 'b', 'c', 'sec']);
    expect(ids((await record('b2', movedIn)).expected)).toEqual(['c', 'sec2', 'staff']);
    const other = codeOf(await say('sec2', '安排 支部党员大会 12月8日 15:00'));
    expect(ids((await record('b2', other)).expected)).toEqual(['sec2', 'staff']);
  });
});
