import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { putBranch } from '../db/branches.ts';
import { putChannel } from '../db/channels.ts';
import { insertMeeting } from '../db/meetings.ts';
import { putMember } from '../db/members.ts';
import { putOrg } from '../db/orgs.ts';
import { fromLocal } from '../src/domain/time.ts';
import { type TestApp, startTestApp } from './helpers/app.ts';
import { viaDingtalk } from './helpers/chat.ts';
import { DIALECTS, meetingRow, memberRow } from './helpers/db.ts';
import { DT_SECRET } from './helpers/dingtalk.ts';

// Smaller replies that must tell the truth: 签到 and 登记 over a leave, 补学 without a code and too
// early, 出勤 during a meeting, 会议 past ten, 我的 with leave, 统计 in the digest's words.

const TZ = 'Asia/Shanghai';
const at = (day: number, hour: number, minute = 0) => fromLocal({ year: 2026, month: 11, day, hour, minute }, TZ);
const GROUP = 'cidRound2==';
const GROUP2 = 'cidRound2b==';

describe.each(DIALECTS)('smaller chat replies on %s', (dialect) => {
  let t: TestApp;
  const say = (who: string, text: string, direct = false) => viaDingtalk(t, 'dt1', who, text, { chat: GROUP, direct });
  const say2 = (who: string, text: string, direct = false) => viaDingtalk(t, 'dt1', who, text, { chat: GROUP2, direct });
  const codeOf = (reply: string) => /会议编号：\*\*([A-Z0-9]{3})\*\*/.exec(reply)![1]!;

  beforeAll(async () => {
    // Monday 2 November 2026: the second month of the fourth quarter.
    t = await startTestApp(dialect, { now: at(2, 9), env: { PUBLIC_URL: 'https://tongxin.example.gov.cn/' } });
    const now = t.clock.now();
    await putOrg(t.db, { id: 'org1', name: '机关工委', timezone: TZ, digest_cron: null }, now);
    await putChannel(t.db, 'org1', 'dt1', { platform: 'dingtalk', appKey: 'k', appSecret: DT_SECRET, robotCode: 'r' }, now);
    await putBranch(t.db, 'org1', 'b1', '第一党支部', [{ channel_id: 'dt1', chat_id: GROUP, webhook: null, secret: null }], now);
    await putBranch(t.db, 'org1', 'b2', '第二党支部', [{ channel_id: 'dt1', chat_id: GROUP2, webhook: null, secret: null }], now);
    for (const [id, name, role] of [
      ['sec', '李书记', 'secretary'],
      ['m1', '张一', 'member'],
      ['m2', '王二', 'member'],
      ['m3', '陈三', 'member'],
    ] as const)
      await putMember(t.db, memberRow({ id, name, role, accounts: { dingtalk: id } }), now);
    for (const [id, name, role] of [
      ['sec2', '周书记', 'secretary'],
      ['n1', '吴一', 'member'],
      ['n2', '郑二', 'member'],
    ] as const)
      await putMember(t.db, memberRow({ id, name, role, branch_id: 'b2', accounts: { dingtalk: id } }), now);
  });
  afterAll(() => t.close());

  let lecture = '';

  it('签到 and 登记 到 over a leave say the leave was withdrawn, and whose', async () => {
    lecture = codeOf(await say('sec', '安排 党课 11月3日 20:00'));
    expect(await say('m1', `请假 ${lecture} 家里有事`)).toContain('张一 已请假');
    expect(await say('m2', `请假 ${lecture} 出差`)).toContain('王二 已请假');
    expect(await say('sec', `请假 ${lecture} 到区里开会`)).toContain('李书记 已请假');
    t.clock.set(at(3, 19, 45));
    const checkedIn = await say('m1', `签到 ${lecture}`);
    expect(checkedIn).toContain('张一 已签到');
    expect(checkedIn).toContain('你此前的请假已撤销，记为到会。');
    // Without a code, through the read 签到 shares with its batch.
    const bare = await say('sec', '签到');
    expect(bare).toContain('李书记 已签到');
    expect(bare).toContain('你此前的请假已撤销，记为到会。');
    expect(await say('m1', '签到')).not.toContain('请假');
    const registered = await say('sec', `登记 ${lecture} 王二 陈三 到`);
    expect(registered).toContain('已登记到会**：王二、陈三');
    expect(registered).toContain('王二此前的请假已撤销，记为到会。');
    expect(registered).not.toContain('陈三此前');
    const statuses = await t.db.selectFrom('attendance').select(['member_id', 'status']).orderBy('member_id').execute();
    expect(statuses).toEqual(['m1', 'm2', 'm3', 'sec'].map((member_id) => ({ member_id, status: 'present' })));
  });

  it('我的 counts leave apart: no rate when every meeting was leave; leave is not in the rate', async () => {
    const first = codeOf(await say2('sec2', '安排 党课 11月4日 10:00'));
    const second = codeOf(await say2('sec2', '安排 党课 11月4日 15:00'));
    expect(await say2('n1', `请假 ${first} 出差`)).toContain('已请假');
    expect(await say2('n1', `请假 ${second} 出差`)).toContain('已请假');
    expect(await say2('n2', `请假 ${first} 培训`)).toContain('已请假');
    t.clock.set(at(4, 10, 5));
    expect(await say2('sec2', `签到 ${first}`)).toContain('已签到');
    t.clock.set(at(4, 15, 5));
    expect(await say2('n2', `签到 ${second}`)).toContain('已签到');
    t.clock.set(at(4, 18));
    const onlyLeave = await say2('n1', '我的', true);
    expect(onlyLeave).toContain('应参加 2 次，到会 0 次，请假 2 次，缺席 0 次，补学 0 次\n');
    expect(onlyLeave).not.toContain('出勤率');
    expect(await say2('n2', '我的', true)).toContain('应参加 2 次，到会 1 次，请假 1 次，缺席 0 次，补学 0 次，出勤率 100%（请假不计入）');
  });

  let themeDay = '';

  it('补学 during the meeting says from when; without a code, the one meeting awaiting it', async () => {
    themeDay = codeOf(await say('sec', '安排 主题党日 11月5日 15:00'));
    t.clock.set(at(5, 15, 10));
    expect(await say('sec', `签到 ${themeDay}`)).toContain('已签到');
    const early = await say('m1', `补学 ${themeDay} 学习了会议精神，体会深刻`);
    expect(early).toContain(`会议还没有结束：主题党日（${themeDay}）11月5日（周四）15:00，签到结束后（17:00 后）可以补学。`);
    expect(await say('m1', '补学 学习了会议精神，体会深刻')).toContain('签到结束后（17:00 后）可以补学。');
    expect(await say('sec', '补学 学习了会议精神，体会深刻')).toContain(`你参加了会议 ${themeDay}，无需补学。`);
    t.clock.set(at(5, 17, 1));
    expect(await say('m1', '补学 学习了会议精神，体会深刻')).toContain(`张一 已补学**：主题党日（${themeDay}）`);
    const row = await t.db.selectFrom('attendance').selectAll().where('member_id', '=', 'm1').where('makeup_at', 'is not', null).execute();
    expect(row).toHaveLength(1);
    // Nothing else awaits 张一's 补学 (she was at the 党课).
    expect(await say('m1', '补学 学习了会议精神，体会深刻')).toContain('近期没有需要你补学的会议。');
  });

  it('补学 without a code, with several meetings awaiting it, lists their codes', async () => {
    const first = codeOf(await say('sec', '安排 党课 11月6日 15:00'));
    const second = codeOf(await say('sec', '安排 党课 11月6日 19:00'));
    t.clock.set(at(6, 15, 5));
    await say('sec', `签到 ${first}`);
    t.clock.set(at(6, 19, 5));
    await say('sec', `签到 ${second}`);
    t.clock.set(at(6, 21, 30));
    expect(await say('m2', '补学 学习了会议精神，体会深刻')).toContain(
      `有 3 个会议等你补学：${themeDay}、${first}、${second}，请写明会议编号，例如「补学 ${themeDay} 学习体会」。`,
    );
    expect(await say('m2', `补学 ${first} 学习了会议精神，体会深刻`)).toContain('王二 已补学');
    expect(await say('m2', '补学 学习了会议精神，体会深刻')).toContain(`有 2 个会议等你补学：${themeDay}、${second}`);
  });

  it('出勤 without a code at 20:00 shows the meeting that started, not the one whose check-in just opened', async () => {
    const started = codeOf(await say('sec', '安排 党课 11月10日 20:00'));
    const opening = codeOf(await say('sec', '安排 主题党日 11月10日 20:30'));
    t.clock.set(at(10, 20, 0));
    const reply = await say('sec', '出勤', true);
    expect(reply).toContain(`（${started}）`);
    expect(reply).not.toContain(`（${opening}）`);
  });

  it('统计 says 已逾期 and 进行中 where the 周报 does, for the same state', async () => {
    // November: one month of the quarter has ended with no 支委会 (overdue); one 主题党日 held of two.
    const stats = await say('sec', '统计');
    expect(stats).toContain('支部委员会会议：已开 0 次 / 应开 2 次　已逾期');
    expect(stats).toContain('主题党日：已开 1 次 / 应开 2 次　进行中');
    expect(stats).toContain('党课：已开 3 次 / 应开 1 次　✓');
    const weekly = await say('sec', '周报', true);
    expect(weekly).toContain('支部委员会会议：已开 0 / 应开 2 **已逾期**');
    expect(weekly).toContain('主题党日：已开 1 / 应开 2 进行中');
  });

  it('会议 says how many meetings it did not list, and where to see them', async () => {
    for (let i = 0; i < 12; i++)
      await insertMeeting(t.db, meetingRow({ code: `Z${i.toString(36).toUpperCase()}Z`, starts_at: at(20 + (i % 8), 9 + i) }));
    // Upcoming: the 20:30 主题党日 and these twelve, of which ten are listed.
    const reply = await say('sec', '会议');
    expect(reply.match(/^- .*（Z[0-9A-Z]Z）/gm)).toHaveLength(9);
    expect(reply).toContain('另有 3 个会议未列出，可私聊我发送「控制台」，在管理后台查看全部会议。');
    expect(await say('m1', '会议')).toContain('另有 3 个会议未列出，可请支部书记在管理后台查看。');
  });
});
