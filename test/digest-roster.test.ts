import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fromLocal } from '../src/domain/time.ts';
import { type TestApp, startTestApp } from './helpers/app.ts';
import { viaDingtalk } from './helpers/chat.ts';
import { DIALECTS } from './helpers/db.ts';
import { DT_SECRET } from './helpers/dingtalk.ts';

// A week's 五同 digest computed again after a member moved branches reads the roster of that week,
// as the 会议记录 do: she stays under the branch she was in, and is not counted in the new one.

const TZ = 'Asia/Shanghai';
const at = (day: number, hour: number, minute = 0) => fromLocal({ year: 2026, month: 12, day, hour, minute }, TZ);
const GROUP = 'cidDigestRoster==';
const WEEK = '2026-W49';

interface Digest {
  meetings: { code: string; expected: number; absentWithoutLeave: string[]; pendingMakeup: string[] }[];
  reports: { silentFourWeeks: string[] };
  target: { memberId?: string } | null;
}

describe.each(DIALECTS)('a past week’s digest after a move on %s', (dialect) => {
  let t: TestApp;
  const say = (who: string, text: string) => viaDingtalk(t, 'dt1', who, text, { chat: GROUP });
  const member = (id: string, branch: string, role = 'member') =>
    t.admin('PUT', `/admin/orgs/o1/members/${id}`, { name: `同志${id}`, branch, role, dingtalkUserId: id });
  const digest = async (branch: string) =>
    (await (await t.admin('GET', `/admin/orgs/o1/branches/${branch}/digest?week=${WEEK}`)).json()) as Digest;

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
      ['c', 'b1', 'member'],
      ['sec2', 'b2', 'secretary'],
    ] as const)
      expect((await member(id, branch, role)).status).toBe(200);
  });
  afterAll(() => t.close());

  it('she stays under the old branch, and the new one neither counts nor addresses her', async () => {
    const code = /会议编号：\*\*([A-Z0-9]{3})\*\*/.exec(await say('sec', '安排 党课 今天下午3点'))![1]!;
    t.clock.set(at(1, 15, 10));
    expect(await say('a', '签到')).toContain('已签到');
    expect(await say('sec', '签到')).toContain('已签到');
    // The next week: the digest of the week before, then again after 同志c moved to b2.
    t.clock.set(at(8, 9));
    const before = { b1: await digest('b1'), b2: await digest('b2') };
    expect(before.b1.meetings).toEqual([expect.objectContaining({ code, expected: 3, absentWithoutLeave: ['同志c'] })]);
    expect(before.b1.reports.silentFourWeeks).toContain('同志c');
    expect(before.b2.reports.silentFourWeeks).not.toContain('同志c');

    t.clock.set(at(8, 10));
    expect((await member('c', 'b2')).status).toBe(200);
    // A secretary who moves away is no longer the one the old branch's digest goes to.
    expect((await member('sec', 'b2')).status).toBe(200);
    t.clock.set(at(8, 11));
    const after = { b1: await digest('b1'), b2: await digest('b2') };
    expect(after.b1.meetings).toEqual(before.b1.meetings);
    expect(after.b1.reports.silentFourWeeks).toEqual(before.b1.reports.silentFourWeeks);
    expect(after.b2.reports.silentFourWeeks).toEqual(before.b2.reports.silentFourWeeks);
    expect(before.b1.target).toMatchObject({ memberId: 'sec' });
    expect(after.b1.target).not.toMatchObject({ memberId: 'sec' });
  });
});
