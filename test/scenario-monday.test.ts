import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { putBranch } from '../db/branches.ts';
import { putChannel } from '../db/channels.ts';
import { putMember } from '../db/members.ts';
import { putOrg } from '../db/orgs.ts';
import type { Role } from '../db/schema.ts';
import { fromLocal } from '../src/domain/time.ts';
import { type TestApp, startTestApp } from './helpers/app.ts';
import { viaDingtalk } from './helpers/chat.ts';
import { DIALECTS, memberRow } from './helpers/db.ts';
import { DT_SECRET } from './helpers/dingtalk.ts';

const TZ = 'Asia/Shanghai';
const at = (month: number, day: number, hour: number, minute = 0) => fromLocal({ year: 2026, month, day, hour, minute }, TZ);
const GROUP = 'cidMonday==';
const ROSTER: [string, string, Role][] = [
  ['sec', '李书记', 'secretary'],
  ['c1', '周委员', 'committee'],
  ['m1', '张一', 'member'],
  ['m2', '王二', 'member'],
  ['m3', '赵三', 'member'],
  ['m4', '钱四', 'member'],
];

// A secretary's Monday, as a new user tried it: she plans the week with 本周/下周 times, sends one
// 安排 twice, enters last month's 支委会 held without the bot and registers who came; in the
// afternoon members answer the roll call as people type (到, 签 到, 我要请假…, 谢谢) and she moves
// the meeting after they checked in. Every reply is checked whole, and the records that result.

describe.each(DIALECTS)("a secretary's Monday on %s", (dialect) => {
  let t: TestApp;
  const say = (who: string, text: string) => viaDingtalk(t, 'dt1', who, text, { chat: GROUP });
  const codeOf = (reply: string) => /（([A-Z0-9]{3})）/.exec(reply)![1]!;
  const record = async (code: string) =>
    ((await (await t.admin('GET', `/admin/orgs/org1/branches/b1/meetings/${code}/record`)).json()) as { markdown: string }).markdown;
  const codes: Record<string, string> = {};

  beforeAll(async () => {
    // Monday 7 December 2026, 08:30.
    t = await startTestApp(dialect, { now: at(12, 7, 8, 30) });
    const now = t.clock.now();
    await putOrg(t.db, { id: 'org1', name: '机关工委', timezone: TZ, digest_cron: null }, now);
    await putChannel(t.db, 'org1', 'dt1', { platform: 'dingtalk', appKey: 'k', appSecret: DT_SECRET, robotCode: 'r' }, now);
    await putBranch(t.db, 'org1', 'b1', '第一党支部', [{ channel_id: 'dt1', chat_id: GROUP, webhook: null, secret: null }], now);
    for (const [id, name, role] of ROSTER) await putMember(t.db, memberRow({ id, name, role, accounts: { dingtalk: id } }), now);
  });
  afterAll(() => t.close());

  it('plans the week in the morning with 今天, 本周, 这周 and 下下周 times', async () => {
    let reply = await say('sec', '安排 党课 今天下午3点 议题 学习全会精神');
    codes.lecture = codeOf(reply);
    expect(reply).toBe(
      [
        `**已安排党课「学习全会精神」（${codes.lecture}）12月7日（周一）15:00**`,
        '',
        `会议编号：**${codes.lecture}**　应到 6 人`,
        '',
        `参会同志可在群里发送「@同心 签到」；不能参加的发送「@同心 请假 ${codes.lecture} 事由」。`,
      ].join('\n'),
    );
    reply = await say('sec', '安排 支委会 本周三下午3点 议题 研究年度考核 #同研究');
    codes.committee = codeOf(reply);
    expect(reply).toBe(
      [
        `**已安排支部委员会会议「研究年度考核」（${codes.committee}）12月9日（周三）15:00**`,
        '',
        `会议编号：**${codes.committee}**　应到 2 人`,
        '五同：同研究',
        '',
        `参会同志可在群里发送「@同心 签到」；不能参加的发送「@同心 请假 ${codes.committee} 事由」。`,
      ].join('\n'),
    );
    reply = await say('sec', '安排 党员大会 本周五下午3点 地点 三楼会议室');
    expect(reply).toContain(`**已安排支部党员大会（${codeOf(reply)}）12月11日（周五）15:00**`);
    expect(reply).toContain('地点：三楼会议室');
    reply = await say('sec', '安排 党日活动 下下周一 9点 议题 结对共建');
    expect(reply).toContain(`**已安排主题党日「结对共建」（${codeOf(reply)}）12月21日（周一）09:00**`);
  });

  it('the same 安排 sent again names the meeting already made', async () => {
    expect(await say('sec', '安排 支委会 这周三 15:00 议题 研究年度考核')).toBe(
      `**这个会议已经安排过了**：支部委员会会议「研究年度考核」（${codes.committee}）12月9日（周三）15:00，没有重复安排。`,
    );
    expect(await t.db.selectFrom('meetings').select('id').where('type', '=', 'committee').execute()).toHaveLength(1);
  });

  it('enters last month’s 支委会 with 补录 and registers who came', async () => {
    const reply = await say('sec', '补录 支委会 11月20日 15:00 议题 研究发展党员工作');
    codes.backfilled = codeOf(reply);
    const code = codes.backfilled;
    expect(reply).toBe(
      [
        `**已补录支部委员会会议「研究发展党员工作」（${code}）11月20日（周五）15:00**`,
        '',
        `会议编号：**${code}**　应到 2 人　记为已召开（补录）`,
        '',
        `请用「登记 ${code} 姓名… 到」记下到会的同志，请假的写「请假」。`,
      ].join('\n'),
    );
    expect(await say('sec', `登记 ${code} 李书记 周委员 到`)).toBe(
      `**已登记到会**：李书记、周委员\n\n支部委员会会议「研究发展党员工作」（${code}）11月20日（周五）15:00`,
    );
    const markdown = await record(code);
    expect(markdown).toContain('- 状态：已召开\n- 补录：2026年12月7日由李书记录入，会议召开时未使用机器人');
    expect(markdown).toContain('- 实到 2 人：周委员、李书记');
  });

  it('in the afternoon members answer as people type', async () => {
    t.clock.set(at(12, 7, 14, 40));
    const lecture = `党课「学习全会精神」（${codes.lecture}）12月7日（周一）15:00`;
    expect(await say('m1', '到')).toBe(`**张一 已签到**：${lecture}\n\n到会 1/6 人`);
    expect(await say('m2', '签 到')).toBe(`**王二 已签到**：${lecture}\n\n到会 2/6 人`);
    expect(await say('m3', '签到')).toBe(`**赵三 已签到**：${lecture}\n\n到会 3/6 人`);
    expect(await say('m4', '我要请假，家里有事')).toBe(
      `**钱四 已请假**：${lecture}\n\n事由：家里有事\n\n会后可发送「补学 ${codes.lecture} 学习体会」补学。`,
    );
    expect(await say('m1', '谢谢')).toBe('不客气。');
  });

  it('改期 after the check-ins voids them, keeps the leave, and the record shows nobody present yet', async () => {
    expect(await say('sec', `改期 ${codes.lecture} 本周四下午3点`)).toBe(
      `**已改期：党课「学习全会精神」（${codes.lecture}）12月10日（周四）15:00**\n\n原时间的 3 人签到已作废，请到会同志在新的时间重新签到。`,
    );
    const markdown = await record(codes.lecture!);
    expect(markdown).toContain('- 时间：2026年12月10日（周四）15:00');
    expect(markdown).toContain('- 状态：已安排');
    expect(markdown).toContain(
      [
        '- 应到 6 人：周委员、张一、王二、赵三、钱四、李书记',
        '- 实到 0 人：无',
        '- 请假 1 人：钱四',
        '- 尚未签到 5 人：周委员、张一、王二、赵三、李书记',
      ].join('\n'),
    );
    expect(markdown).toContain('- 钱四（请假）：家里有事');
  });
});
