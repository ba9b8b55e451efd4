import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { putBranch } from '../db/branches.ts';
import { putChannel } from '../db/channels.ts';
import { putMember } from '../db/members.ts';
import { putOrg } from '../db/orgs.ts';
import { fromLocal } from '../src/domain/time.ts';
import { type TestApp, startTestApp } from './helpers/app.ts';
import { viaDingtalk } from './helpers/chat.ts';
import { DIALECTS, countRows, memberRow } from './helpers/db.ts';
import { DT_SECRET } from './helpers/dingtalk.ts';

// Meeting statuses from chat: 取消 before the start cancels, after it marks the meeting
// not held with the reason given; 销假 only before the start; 帮助 links the guide, which the service serves.

const TZ = 'Asia/Shanghai';
const at = (day: number, hour: number, minute = 0) => fromLocal({ year: 2026, month: 12, day, hour, minute }, TZ);
const GROUP = 'cidStatus==';

describe.each(DIALECTS)('meeting statuses from chat on %s', (dialect) => {
  let t: TestApp;
  const say = (who: string, text: string, direct = false) => viaDingtalk(t, 'dt1', who, text, { chat: GROUP, direct });
  const codeOf = (reply: string) => /会议编号：\*\*([A-Z0-9]{3})\*\*/.exec(reply)![1]!;
  const meetings = async () =>
    (await (await t.admin('GET', '/admin/orgs/org1/branches/b1/meetings')).json()) as {
      code: string;
      status: string;
      statusNote?: string;
    }[];

  beforeAll(async () => {
    t = await startTestApp(dialect, { now: at(1, 9), env: { PUBLIC_URL: 'https://tongxin.example.gov.cn/' } });
    const now = t.clock.now();
    await putOrg(t.db, { id: 'org1', name: '机关工委', timezone: TZ, digest_cron: null }, now);
    await putChannel(t.db, 'org1', 'dt1', { platform: 'dingtalk', appKey: 'k', appSecret: DT_SECRET, robotCode: 'r' }, now);
    await putBranch(t.db, 'org1', 'b1', '第一党支部', [{ channel_id: 'dt1', chat_id: GROUP, webhook: null, secret: null }], now);
    await putMember(t.db, memberRow({ id: 'sec', name: '李书记', role: 'secretary', accounts: { dingtalk: 'sec' } }), now);
    await putMember(t.db, memberRow({ id: 'm1', name: '张一', accounts: { dingtalk: 'm1' } }), now);
    // A branch whose only group is a WeCom group without a group robot: nothing can be posted there.
    await putChannel(
      t.db,
      'org1',
      'wb1',
      { platform: 'wecom-bot', token: 'tok', encodingAESKey: 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG' },
      now,
    );
    await putBranch(t.db, 'org1', 'b2', '第二党支部', [{ channel_id: 'wb1', chat_id: 'wxNoRobot', webhook: null, secret: null }], now);
    await putMember(
      t.db,
      memberRow({ id: 'sec2', branch_id: 'b2', name: '王书记', role: 'secretary', accounts: { dingtalk: 'sec2' } }),
      now,
    );
    await putMember(t.db, memberRow({ id: 'n1', branch_id: 'b2', name: '陈一', accounts: { dingtalk: 'n1' } }), now);
  });
  afterAll(() => t.close());

  it('取消 before the start cancels; after it, marks the meeting not held with its reason', async () => {
    const early = codeOf(await say('sec', '安排 党课 12月2日 15:00'));
    const late = codeOf(await say('sec', '安排 主题党日 今天上午10点'));
    expect(await say('sec', `取消 ${early}`)).toContain('已取消：党课');
    t.clock.set(at(1, 10, 20));
    const reply = await say('sec', `取消 ${late} 突发防汛任务，改日召开。`);
    expect(reply).toContain('会议已开始，记为未召开');
    expect(reply).toContain('原因：突发防汛任务，改日召开（已记入会议记录）');
    const byCode = Object.fromEntries((await meetings()).map((m) => [m.code, m]));
    expect(byCode[early]).toMatchObject({ status: 'cancelled' });
    expect(byCode[late]).toMatchObject({ status: 'not_held', statusNote: '突发防汛任务，改日召开' });
    const record = (await (await t.admin('GET', `/admin/orgs/org1/branches/b1/meetings/${late}/record`)).json()) as { markdown: string };
    expect(record.markdown).toContain('- 状态：**未召开**（突发防汛任务，改日召开）');
    const before = await countRows(t.db);
    expect(await say('m1', `签到 ${late}`)).toContain(`会议 ${late} 已在开始后取消，记为未召开`);
    expect(await countRows(t.db)).toMatchObject({ attendance: before.attendance });
  });

  it('纪要 names the record’s 主持人 and 记录人; an unknown name is refused', async () => {
    const code = codeOf(await say('sec', '安排 党课 12月3日 15:00'));
    const record = async () =>
      (await (await t.admin('GET', `/admin/orgs/org1/branches/b1/meetings/${code}/record`)).json()) as Record<'host' | 'recorder', unknown>;
    // By default: who scheduled it; nobody has written a 纪要 yet.
    expect(await record()).toMatchObject({ host: { id: 'sec', name: '李书记' }, recorder: null });
    expect(await say('sec', `纪要 ${code} 主持人 张一`)).toContain('已记入会议记录**：主持人 张一');
    expect(await say('sec', `纪要 ${code} 记录人：李书记`)).toContain('记录人 李书记');
    expect(await record()).toMatchObject({ host: { id: 'm1', name: '张一' }, recorder: { id: 'sec', name: '李书记' } });
    expect(await say('sec', `纪要 ${code} 主持人 王五`)).toContain('本支部没有这些同志：王五');
    const notes = await t.db.selectFrom('meeting_notes').select('text').execute();
    expect(notes.map((n) => n.text)).not.toContain('主持人 张一');
  });

  it('销假 is refused once the meeting has started', async () => {
    const code = codeOf(await say('sec', '安排 党课 今天下午3点'));
    t.clock.set(at(1, 14, 40));
    expect(await say('m1', '请假 下午要接待')).toContain('张一 已请假');
    t.clock.set(at(1, 15, 5));
    expect(await say('m1', `销假 ${code}`)).toContain('已经开始，不能销假');
    expect(await say('m1', '会议')).toContain(`（${code}）12月1日（周二）15:00：进行中`);
  });

  it('提醒 says it cannot remind when no group of the branch has a robot to post with, and records nothing', async () => {
    t.clock.set(at(1, 9));
    const code = codeOf(await viaDingtalk(t, 'dt1', 'sec2', '安排 党课 今天上午9点20分', { direct: true }));
    const before = await countRows(t.db);
    const deliveries = await t.db.selectFrom('deliveries').select('id').execute();
    expect(await viaDingtalk(t, 'dt1', 'sec2', `提醒 ${code}`, { direct: true })).toContain('本支部的群还没有配置群机器人，无法在群里提醒');
    expect(await countRows(t.db)).toMatchObject({ attendance: before.attendance });
    expect(await t.db.selectFrom('deliveries').select('id').execute()).toEqual(deliveries);
  });

  it('统计 上月, 上季度 and 去年 count the whole past period', async () => {
    const lastMonth = await say('sec', '统计 上个月');
    expect(lastMonth).toContain('**2026年11月三会一课完成情况**');
    expect(lastMonth).toContain('支部委员会会议：已开 0 次 / 应开 1 次');
    expect(await say('sec', '统计 上月')).toContain('**2026年11月三会一课完成情况**');
    expect(await say('sec', '统计 上季度')).toContain('**2026年第三季度三会一课完成情况**');
    const lastYear = await say('sec', '统计 去年');
    expect(lastYear).toContain('**2025年三会一课完成情况**');
    // Twelve months of 2025 were due, none held.
    expect(lastYear).toContain('支部委员会会议：已开 0 次 / 应开 12 次');
    expect(lastYear).toContain('组织生活会：已开 0 次 / 应开 1 次');
  });

  it('帮助 ends with the link to the user guide, which the service serves as a page', async () => {
    expect(await say('m1', '帮助', true)).toContain('使用指南：https://tongxin.example.gov.cn/guide');
    const res = await t.app.request('/guide');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/html');
    const html = await res.text();
    expect(html).toContain('<h2 id="二、党员使用">二、党员使用</h2>');
    expect(html).not.toMatch(/<script|<link|https?:\/\/(?!tongxin)/);
  });
});
