import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { putBranch } from '../db/branches.ts';
import { putChannel } from '../db/channels.ts';
import { insertMeeting } from '../db/meetings.ts';
import { putMember } from '../db/members.ts';
import { putOrg } from '../db/orgs.ts';
import { type TestApp, startTestApp } from './helpers/app.ts';
import { viaDingtalk } from './helpers/chat.ts';
import { DIALECTS, meetingRow, memberRow } from './helpers/db.ts';
import { DT_SECRET } from './helpers/dingtalk.ts';

// Anyone in a group can @ the bot, roster or not. Whatever they send, no reply of any command —
// refusals included — carries their markup: no link, no image, no tag, no mention, no bidi
// override. Every command word with each payload in each position it takes.

const PAYLOADS = [
  '[点此重新登录](http://evil.example/login)',
  '![](http://evil.example/a.png)',
  '<@all>',
  '@所有人',
  '<font color="warning">紧急</font>',
  '\u202e反转文字',
];
// Raw forms that must not appear: each payload's markup, as it would render.
const RAW = ['[点此重新登录](', '![](', '<@all>', '@所有人', '<font', '\u202e'];

const TEMPLATES = [
  '{}',
  '签到 {}',
  '请假 {}',
  '请假 HQM {}',
  '补学 {}',
  '补学 HQM {}',
  '汇报 {}',
  '汇报 企业 {}',
  '汇报 企业 走访企业协调解决困难 #{}',
  '我的 {}',
  '帮助 {}',
  '安排 {}',
  '安排 党课 {}',
  '安排 党课 明天下午3点 地点 {}',
  '安排 党课 明天下午3点 议题 {}',
  '安排 党小组会 明天下午3点 小组 {}',
  '改期 {}',
  '改期 HQM {}',
  '取消 {}',
  '取消 HQM {}',
  '会议 {}',
  '销假 {}',
  '出勤 {}',
  '提醒 {}',
  '统计 {}',
  '周报 {}',
  '导出 {}',
  '控制台 {}',
  '登记 {}',
  '登记 HQM {} 到',
  '纪要 {}',
  '纪要 HQM {}',
  '绑定 {}',
];

describe.each(DIALECTS)('hostile input on %s', (dialect) => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp(dialect);
    const now = t.clock.now();
    await putOrg(t.db, { id: 'org1', name: '机关工委', timezone: 'Asia/Shanghai', digest_cron: null }, now);
    await putChannel(t.db, 'org1', 'dt1', { platform: 'dingtalk', appKey: 'k', appSecret: DT_SECRET, robotCode: 'r' }, now);
    await putBranch(t.db, 'org1', 'b1', '第一党支部', [{ channel_id: 'dt1', chat_id: 'cidGroupA==', webhook: null, secret: null }], now);
    await putMember(t.db, memberRow({ id: 'sec', name: '李书记', role: 'secretary', accounts: { dingtalk: 'dt-sec' } }), now);
    await putMember(t.db, memberRow({ id: 'm1', name: '张一', accounts: { dingtalk: 'dt-m1' } }), now);
    await insertMeeting(t.db, meetingRow({ code: 'HQM', starts_at: now + 10 * 60_000, created_by: 'sec' }));
  });
  afterAll(() => t.close());

  it(`answers ${TEMPLATES.length} commands × ${PAYLOADS.length} payloads × 3 senders without the raw markup`, async () => {
    let replies = 0;
    for (const template of TEMPLATES) {
      for (const payload of PAYLOADS) {
        const line = template.replace('{}', payload);
        for (const [staff, direct] of [
          ['dt-sec', true],
          ['dt-m1', false],
          ['stranger', false],
        ] as const) {
          const reply = await viaDingtalk(t, 'dt1', staff, line, { direct });
          replies += reply ? 1 : 0;
          for (const raw of RAW) expect(reply, `${staff} sent ${JSON.stringify(line)}`).not.toContain(raw);
        }
      }
    }
    // Every @ is answered: no reply is empty.
    expect(replies).toBe(TEMPLATES.length * PAYLOADS.length * 3);
  }, 120_000);
});
