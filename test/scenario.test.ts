import type { Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { putOrg } from '../db/orgs.ts';
import { putChannel } from '../db/channels.ts';
import { putBranch } from '../db/branches.ts';
import { putMember } from '../db/members.ts';
import type { Database, Role } from '../db/schema.ts';
import { fromLocal } from '../src/domain/time.ts';
import { DIALECTS, countRows, memberRow } from './helpers/db.ts';
import { type TestApp, startTestApp } from './helpers/app.ts';
import { DT_SECRET } from './helpers/dingtalk.ts';
import { viaDingtalk, viaWecomBot } from './helpers/chat.ts';

// A 党员大会 from 安排 to its record, through both platforms' real webhooks: check-ins, leave,
// attendance, 纪要, the record and the make-up study.

const TZ = 'Asia/Shanghai';
const at = (day: number, hour: number, minute = 0) => fromLocal({ year: 2026, month: 11, day, hour, minute }, TZ);
const BOT = { token: 'botToken123', encodingAESKey: 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG' };
const GROUP = 'cidGroupA==';
const GROUP_B = 'cidGroupB==';

const ROSTER: [id: string, name: string, role: Role, probationary: number][] = [
  ['sec', '李书记', 'secretary', 0],
  ['c1', '周委员', 'committee', 0],
  ['m1', '张一', 'member', 0],
  ['m2', '王二', 'member', 0],
  ['m3', '赵三', 'member', 0],
  ['m4', '钱四', 'member', 0],
  ['m5', '孙五', 'member', 0],
  ['p1', '吴预备', 'member', 1],
  ['p2', '郑预备', 'member', 1],
];

async function seed(db: Kysely<Database>) {
  const now = at(28, 10);
  for (const org of ['org1', 'org2']) await putOrg(db, { id: org, name: `${org} 机关工委`, timezone: TZ, digest_cron: null }, now);
  await putChannel(db, 'org1', 'dt1', { platform: 'dingtalk', appKey: 'k', appSecret: DT_SECRET, robotCode: 'r' }, now);
  await putChannel(db, 'org1', 'wb1', { platform: 'wecom-bot', ...BOT }, now);
  await putChannel(db, 'org2', 'dt2', { platform: 'dingtalk', appKey: 'k2', appSecret: DT_SECRET, robotCode: 'r2' }, now);
  await putBranch(db, 'org1', 'b1', '第一党支部', [{ channel_id: 'dt1', chat_id: GROUP, webhook: null, secret: null }], now);
  await putBranch(db, 'org2', 'x', '外单位支部', [], now);
  // A branch whose secretary the bot cannot reach privately: its digest falls back to its group.
  await putBranch(db, 'org1', 'b2', '第二党支部', [{ channel_id: 'dt1', chat_id: GROUP_B, webhook: null, secret: null }], now);
  await putMember(db, memberRow({ id: 'q0', branch_id: 'b2', name: '冯书记', role: 'secretary' }), now);
  await putMember(db, memberRow({ id: 'q1', branch_id: 'b2', name: '陈默', role: 'member' }), now);
  for (const [id, name, role, probationary] of ROSTER) {
    await putMember(db, memberRow({ id, name, role, probationary: probationary === 1, accounts: { dingtalk: id, wecom: id } }), now);
  }
  await putMember(
    db,
    memberRow({ org_id: 'org2', id: 'x1', branch_id: 'x', name: '外单位书记', role: 'secretary', accounts: { dingtalk: 'x1' } }),
    now,
  );
}

describe.each(DIALECTS)('三会一课 through the webhooks on %s', (dialect) => {
  let t: TestApp;
  let code: string;
  let committeeCode: string;
  const dt = (who: string, text: string, opts: { direct?: boolean } = {}) => viaDingtalk(t, 'dt1', who, text, { ...opts, chat: GROUP });
  const wc = (who: string, text: string, opts: { direct?: boolean } = {}) => viaWecomBot(t, 'wb1', BOT, who, text, opts);
  const attendanceOf = (member: string) =>
    t.db
      .selectFrom('attendance')
      .innerJoin('meetings', 'meetings.id', 'attendance.meeting_id')
      .select(['attendance.status', 'attendance.note', 'attendance.makeup_note'])
      .where('meetings.code', '=', code)
      .where('attendance.member_id', '=', member)
      .execute();

  beforeAll(async () => {
    t = await startTestApp(dialect, { now: at(28, 10) });
    await seed(t.db);
  });
  afterAll(() => t.close());

  it('the secretary schedules a 党员大会 for tomorrow 15:00 and gets its code', async () => {
    const reply = await dt('sec', '安排 党员大会 明天15:00 地点 三楼会议室 议题 学习贯彻全会精神 #同研究');
    expect(reply).toContain('已安排支部党员大会「学习贯彻全会精神」');
    expect(reply).toContain('应到 9 人');
    code = /会议编号：\*\*([A-Z0-9]{3})\*\*/.exec(reply)![1]!;
    const meeting = await t.db.selectFrom('meetings').selectAll().where('code', '=', code).executeTakeFirstOrThrow();
    expect(meeting).toMatchObject({
      type: 'assembly',
      starts_at: at(29, 15),
      location: '三楼会议室',
      tags: '["research"]',
      branch_id: 'b1',
    });
  });

  it('a 支委会 expects only the secretary and committee members', async () => {
    const reply = await dt('sec', '安排 支委会 12月3日 15:00 议题 研究部署年终工作');
    expect(reply).toContain('应到 2 人');
    committeeCode = /会议编号：\*\*([A-Z0-9]{3})\*\*/.exec(reply)![1]!;
  });

  it('checking in or registering present too early is refused with the time it opens, said once', async () => {
    const reply = await dt('m1', '签到');
    expect(reply).toContain('签到还没开始：支部党员大会「学习贯彻全会精神」');
    expect(reply).toContain(`（${code}）11月29日（周日）15:00，14:30起可以签到。`);
    expect(reply.match(/11月29日/g)).toHaveLength(1);
    expect(await attendanceOf('m1')).toEqual([]);
    expect(await dt('sec', `登记 ${code} 孙五 到`)).toContain('14:30起可以登记到会');
    expect(await attendanceOf('m5')).toEqual([]);
  });

  it('inside the window three members check in as people type, on both platforms; twice is one record', async () => {
    t.clock.set(at(29, 14, 50));
    expect(await dt('m1', '签到。')).toContain('张一 已签到');
    expect(await wc('m2', '签到了')).toContain('王二 已签到');
    const third = await wc('m3', `签到 ${code.toLowerCase()}`);
    expect(third).toContain('到会 3/9 人');
    expect(third).toContain('正式党员到会 3/7 人，尚未过半数');
    expect(await dt('m3', '签到')).toContain('到会 3/9 人');
    expect(await attendanceOf('m3')).toEqual([{ status: 'present', note: null, makeup_note: null }]);
  });

  it('one asks for leave and the secretary registers one more as present', async () => {
    expect(await dt('m4', `请假 ${code} 到外地执行防汛任务`)).toContain('钱四 已请假');
    expect(await attendanceOf('m4')).toEqual([{ status: 'leave', note: '到外地执行防汛任务', makeup_note: null }]);
    const reply = await dt('sec', `登记 ${code} 孙五 到`);
    expect(reply).toContain('已登记到会');
    expect(reply).toContain('孙五');
    expect(await attendanceOf('m5')).toMatchObject([{ status: 'present' }]);
  });

  it('one asks leave, withdraws it before the start and checks in', async () => {
    expect(await wc('p1', '请假 临时有接待任务')).toContain('吴预备 已请假');
    const withdrawn = await wc('p1', '销假');
    expect(withdrawn).toContain('吴预备 已销假');
    expect(await attendanceOf('p1')).toEqual([]);
    expect(await wc('p1', '销假')).toContain('你近期没有请假');
    expect(await dt('p1', `签到${code}`)).toContain('吴预备 已签到');
    expect(await attendanceOf('p1')).toMatchObject([{ status: 'present' }]);
  });

  it('出勤 lists present, leave and absent — privately only', async () => {
    t.clock.set(at(29, 15, 10));
    expect(await dt('sec', '出勤')).toContain('请私聊我');
    const reply = await dt('sec', '出勤', { direct: true });
    expect(reply).toContain('应到 9 人，到会 5 人，请假 1 人，缺席 3 人');
    expect(reply).toContain('- 到会：张一、王二、赵三、孙五、吴预备');
    expect(reply).toContain('- 请假：钱四（到外地执行防汛任务）');
    expect(reply).toContain('- 缺席：李书记、周委员、郑预备');
  });

  it('纪要 adds a resolution to the record', async () => {
    expect(await dt('sec', `纪要 ${code} 会议决定：各党小组于12月10日前完成专题学习。`)).toContain('已记入会议记录');
    const notes = await t.db.selectFrom('meeting_notes').select(['text', 'member_id']).execute();
    expect(notes).toEqual([{ text: '会议决定：各党小组于12月10日前完成专题学习。', member_id: 'sec' }]);
  });

  it('the record endpoint returns all of it', async () => {
    const res = await t.admin('GET', `/admin/orgs/org1/branches/b1/meetings/${code}/record`);
    expect(res.status).toBe(200);
    const record = (await res.json()) as {
      type: string;
      location: string;
      topic: string;
      expected: { id: string }[];
      present: { id: string }[];
      leave: { id: string; reason: string }[];
      absent: { id: string }[];
      status: string;
      resolutions: { text: string; by: { id: string } }[];
      quorum: { formal: number; presentFormal: number; reached: boolean };
      markdown: string;
    };
    const ids = (list: { id: string }[]) => list.map((m) => m.id).sort();
    expect(record).toMatchObject({ type: 'assembly', location: '三楼会议室', topic: '学习贯彻全会精神' });
    expect(ids(record.expected)).toEqual(ROSTER.map(([id]) => id).sort());
    expect(ids(record.present)).toEqual(['m1', 'm2', 'm3', 'm5', 'p1']);
    expect(record.leave).toMatchObject([{ id: 'm4', reason: '到外地执行防汛任务' }]);
    expect(ids(record.absent)).toEqual(['c1', 'p2', 'sec']);
    expect(record.status).toBe('held');
    expect(record.resolutions).toMatchObject([{ text: '会议决定：各党小组于12月10日前完成专题学习。', by: { id: 'sec' } }]);
    expect(record.quorum).toEqual({ formal: 7, presentFormal: 4, reached: true });
    expect(record.markdown).toContain('已过半数');
  });

  it('after the meeting, the member on leave makes up the study', async () => {
    t.clock.set(at(29, 18));
    expect(await wc('m4', `补学 ${code} 认真学习了全会精神，结合防汛工作谈了体会。`)).toContain('钱四 已补学');
    expect(await attendanceOf('m4')).toMatchObject([{ status: 'leave', makeup_note: '认真学习了全会精神，结合防汛工作谈了体会。' }]);
  });

  describe('refusals change no row', () => {
    let before: Record<string, number>;
    beforeAll(async () => {
      before = await countRows(t.db);
    });
    afterAll(async () => {
      expect(await countRows(t.db)).toEqual(before);
    });

    it("a member's 安排 → only secretaries may", async () => {
      expect(await dt('m1', '安排 党课 12月8日 15:00')).toContain('只有支部书记可以使用这条命令');
    });

    it('改期 to a past time', async () => {
      expect(await dt('sec', `改期 ${committeeCode} 11月20日 15:00`)).toContain('已经过去');
      expect(await dt('sec', `改期 ${code} 12月20日 15:00`)).toContain('已经开始，不能再改期');
    });

    it('签到 ZZZ with an unknown code', async () => {
      expect(await dt('m1', '签到 ZZZ')).toContain('本支部没有编号为 ZZZ 的会议');
    });

    it('补学 by someone who attended', async () => {
      expect(await dt('m1', `补学 ${code} 学习了全会精神，很有收获。`)).toContain('你参加了会议');
    });

    it("another org's code is not found", async () => {
      expect(await viaDingtalk(t, 'dt2', 'x1', `出勤 ${code}`, { direct: true })).toContain(`本支部没有编号为 ${code} 的会议`);
      expect(await viaDingtalk(t, 'dt2', 'x1', `纪要 ${code} 试图写入别的单位的会议`, { direct: true })).toContain('本支部没有编号');
    });

    it('我的 in a group is refused; one-to-one it answers privately', async () => {
      expect(await dt('m4', '我的')).toContain('请私聊我');
    });
  });

  it('我的 shows the member their own quarter', async () => {
    const reply = await dt('m4', '我的', { direct: true });
    // Her one meeting was leave: nothing to rate.
    expect(reply).toContain('应参加 1 次，到会 0 次，请假 1 次，缺席 0 次，补学 1 次\n');
    expect(reply).not.toContain('出勤率');
  });

  it('统计 counts the 党员大会 as held this quarter', async () => {
    const reply = await dt('sec', '统计');
    expect(reply).toContain('支部党员大会：已开 1 次 / 应开 1 次');
    expect(reply).toContain('支部委员会会议：已开 0 次 / 应开 2 次');
  });

  it('a meeting nobody came to is not held once its check-in closes, and counts nowhere', async () => {
    t.clock.set(fromLocal({ year: 2026, month: 12, day: 3, hour: 18 }, TZ));
    const list = await dt('m1', '会议');
    expect(list).toContain(`（${committeeCode}）12月3日（周四）15:00：未召开`);
    expect(list).toContain(`（${code}）11月29日（周日）15:00：已召开`);
    const stats = await dt('sec', '统计');
    expect(stats).toContain('支部党员大会：已开 1 次 / 应开 1 次');
    expect(stats).toContain('支部委员会会议：已开 0 次 / 应开 3 次');
    expect(stats).toContain('另有 1 次会议未召开');
    const attendance = await dt('sec', `出勤 ${committeeCode}`, { direct: true });
    expect(attendance).toContain('- 状态：未召开');
    expect(attendance).not.toContain('缺席');
    const res = await t.admin('GET', '/admin/orgs/org1/branches/b1/meetings');
    const rows = (await res.json()) as { code: string; status: string }[];
    expect(Object.fromEntries(rows.map((r) => [r.code, r.status]))).toEqual({ [code]: 'held', [committeeCode]: 'not_held' });
  });

  it('the digest of a branch whose secretary has no id goes to its group with counts, never names', async () => {
    const res = await t.admin('POST', '/admin/orgs/org1/digests/run', { week: '2026-W49', branch: 'b2' });
    expect(await res.json()).toEqual({ week: '2026-W49', results: [{ branch: 'b2', outcome: 'queued', parts: 1 }] });
    const [delivery] = await t.db.selectFrom('deliveries').select(['target', 'body']).where('body', 'like', '%五同周报%').execute();
    expect(JSON.parse(delivery!.target)).toEqual({ kind: 'chat', channelId: 'dt1', chatId: GROUP_B });
    const { title, markdown } = JSON.parse(delivery!.body) as { title: string; markdown: string };
    expect(title).toBe('第二党支部五同周报：2026年第49周');
    expect(markdown).toContain('2026年第49周（11月30日—12月6日）');
    expect(markdown).toContain('近四周未汇报：2 人');
    expect(markdown).not.toMatch(/冯书记|陈默/);
  });
});
