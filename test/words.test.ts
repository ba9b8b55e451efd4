import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { putBranch } from '../db/branches.ts';
import { putChannel } from '../db/channels.ts';
import { putMember } from '../db/members.ts';
import { putOrg } from '../db/orgs.ts';
import { fromLocal } from '../src/domain/time.ts';
import { type TestApp, startTestApp } from './helpers/app.ts';
import { viaDingtalk, viaWecomBot } from './helpers/chat.ts';
import { DIALECTS, countRows, memberRow } from './helpers/db.ts';
import { DT_SECRET } from './helpers/dingtalk.ts';

// Chat as people type it, through the webhooks: 「到」 and 「签 到」 check in, 「我要请假，…」 asks
// leave with the rest as its reason, 「党日活动」 is a 主题党日, a category glued to a report's text,
// every bad 五同 tag named, and a friendly line (nothing stored) for 你好, 谢谢, 收到.

const TZ = 'Asia/Shanghai';
const at = (day: number, hour: number, minute = 0) => fromLocal({ year: 2026, month: 12, day, hour, minute }, TZ);
const GROUP = 'cidWords==';
const WX_GROUP = 'wxWords';
const BOT = { token: 'wordsToken1', encodingAESKey: 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG' };

describe.each(DIALECTS)('words as people type them, on %s', (dialect) => {
  let t: TestApp;
  let code: string;
  const say = (who: string, text: string) => viaDingtalk(t, 'dt1', who, text, { chat: GROUP });
  const wecom = (who: string, text: string) => viaWecomBot(t, 'wb1', BOT, who, text, { chat: WX_GROUP });

  beforeAll(async () => {
    t = await startTestApp(dialect, { now: at(7, 9) });
    const now = t.clock.now();
    await putOrg(t.db, { id: 'org1', name: '机关工委', timezone: TZ, digest_cron: null }, now);
    await putChannel(t.db, 'org1', 'dt1', { platform: 'dingtalk', appKey: 'k', appSecret: DT_SECRET, robotCode: 'r' }, now);
    await putChannel(t.db, 'org1', 'wb1', { platform: 'wecom-bot', ...BOT }, now);
    const chats = [
      { channel_id: 'dt1', chat_id: GROUP, webhook: null, secret: null },
      { channel_id: 'wb1', chat_id: WX_GROUP, webhook: null, secret: null },
    ];
    await putBranch(t.db, 'org1', 'b1', '第一党支部', chats, now);
    await putMember(t.db, memberRow({ id: 'sec', name: '李书记', role: 'secretary', accounts: { dingtalk: 'sec' } }), now);
    await putMember(t.db, memberRow({ id: 'm1', name: '张一', accounts: { dingtalk: 'm1' } }), now);
    await putMember(t.db, memberRow({ id: 'm2', name: '王二', accounts: { dingtalk: 'm2' } }), now);
    await putMember(t.db, memberRow({ id: 'm3', name: '赵三', accounts: { wecom: 'w3' } }), now);
    await putMember(t.db, memberRow({ id: 'm4', name: '钱四', accounts: { dingtalk: 'm4' } }), now);
    const scheduled = await say('sec', '安排 党日活动 今天上午10点 议题 参观红色教育基地');
    expect(scheduled).toContain('**已安排主题党日');
    code = /会议编号：\*\*([A-Z0-9]{3})\*\*/.exec(scheduled)![1]!;
    t.clock.set(at(7, 9, 40));
  });
  afterAll(() => t.close());

  it('「到」 and 「签 到」 check in, on either platform', async () => {
    expect(await say('m1', '到')).toContain(`**张一 已签到**：主题党日「参观红色教育基地」（${code}）`);
    expect(await say('m4', '签 到')).toContain('**钱四 已签到**');
    expect(await wecom('w3', '签　到！')).toContain('**赵三 已签到**');
    const present = await t.db.selectFrom('attendance').select('member_id').where('status', '=', 'present').orderBy('member_id').execute();
    expect(present.map((a) => a.member_id)).toEqual(['m1', 'm3', 'm4']);
  });

  it('「我要请假，家里有事」 asks leave with 家里有事 as the reason', async () => {
    const reply = await say('m2', '我要请假，家里有事');
    expect(reply).toContain('**王二 已请假**：主题党日');
    expect(reply).toContain('事由：家里有事');
    const leave = await t.db.selectFrom('attendance').select(['status', 'note']).where('member_id', '=', 'm2').executeTakeFirstOrThrow();
    expect(leave).toEqual({ status: 'leave', note: '家里有事' });
  });

  it('你好, 谢谢 and 收到 get one friendly line and store nothing', async () => {
    const before = await countRows(t.db);
    expect(await say('m1', '谢谢')).toBe('不客气。');
    expect(await say('m1', '谢谢！')).toBe('不客气。');
    expect(await wecom('w3', '谢谢')).toBe('不客气。');
    expect(await say('m4', '你好')).toBe('您好，发送「帮助」查看用法。');
    expect(await say('m4', '收到')).toBe('好的。');
    expect(await wecom('w3', '好的')).toBe('好的。');
    expect(await countRows(t.db)).toEqual(before);
  });

  it('a report with its category glued to the text is read as category and text', async () => {
    const reply = await say('m1', '汇报企业走访三家民营企业，了解用工需求');
    expect(reply).toContain('张一 · 服务企业');
    expect(reply).toContain('> 走访三家民营企业，了解用工需求');
    const report = await t.db.selectFrom('service_reports').select(['category', 'text']).executeTakeFirstOrThrow();
    expect(report).toEqual({ category: 'enterprise', text: '走访三家民营企业，了解用工需求' });
    expect(await say('m1', '汇报机关走访三家民营企业')).toContain('未知的服务类别「机关走访三家民营企业」');
  });

  it('every bad 五同 tag is named', async () => {
    const reply = await say('m1', '汇报 企业 走访某公司协调用电 #同学习 #同部署 #同协调');
    expect(reply).toContain('未知的五同标签「#同学习」「#同协调」，可用：');
  });
});
