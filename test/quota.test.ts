import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { putBranch } from '../db/branches.ts';
import { getChannel, putChannel } from '../db/channels.ts';
import { insertMeeting } from '../db/meetings.ts';
import { putMember } from '../db/members.ts';
import { putOrg } from '../db/orgs.ts';
import { startWorkers } from '../jobs/workers.ts';
import { levelsReached, monthKey } from '../src/domain/quota.ts';
import { deliver } from '../src/platforms/deliver.ts';
import { PlatformClients } from '../src/platforms/shared/clients.ts';
import { QuotaCounter } from '../src/platforms/shared/quota.ts';
import { type TestApp, startTestApp } from './helpers/app.ts';
import { DIALECTS, meetingRow, memberRow } from './helpers/db.ts';
import { type FakePlatform, startFakePlatform } from './helpers/fake-platform.ts';
import { planAndRelay } from './helpers/reminders.ts';

// Platform quotas: DingTalk calls counted per org, kind and month; org admins told
// privately at 80 % and 100 % of the budget (a channel setting, 3,000/5,000 by default); the counts
// in GET /admin/health; and, with the budget low, one reminder instead of two.

describe('quota levels', () => {
  it('are reached once each, at 80 % and 100 % of the budget', () => {
    expect(levelsReached(0, 1, 5)).toEqual([]);
    expect(levelsReached(3, 4, 5)).toEqual([80]);
    expect(levelsReached(4, 5, 5)).toEqual([100]);
    expect(levelsReached(5, 6, 5)).toEqual([]);
    expect(levelsReached(2390, 2402, 3000)).toEqual([80]);
    expect(levelsReached(0, 3000, 3000)).toEqual([80, 100]);
    expect(monthKey(Date.UTC(2026, 10, 30, 17), 'Asia/Shanghai')).toBe('2026-12');
  });
});

describe.each(DIALECTS)('platform calls counted on %s', (dialect) => {
  let fake: FakePlatform;
  let t: TestApp;
  const NOW = Date.UTC(2026, 11, 1, 2);

  beforeAll(async () => {
    fake = await startFakePlatform();
    t = await startTestApp(dialect, { now: NOW, env: { DINGTALK_API_BASE: fake.url, DINGTALK_OAPI_BASE: fake.url } });
    await putOrg(t.db, { id: 'o1', name: '机关工委', timezone: 'Asia/Shanghai', digest_cron: null }, NOW);
    await putChannel(
      t.db,
      'o1',
      'dt1',
      { platform: 'dingtalk', appKey: 'k', appSecret: 's', robotCode: 'r', monthlyBudget: { webhook: 5 } },
      NOW,
    );
    await putBranch(t.db, 'o1', 'b1', '第一党支部', [{ channel_id: 'dt1', chat_id: 'cid', webhook: 'robot-token', secret: null }], NOW);
    await putMember(
      t.db,
      memberRow({ org_id: 'o1', id: 'adm', name: '机关党委李干事', org_admin: true, accounts: { dingtalk: 'dt-adm' } }),
      NOW,
    );
    await putMember(t.db, memberRow({ org_id: 'o1', id: 'm1', name: '王一', accounts: { dingtalk: 'dt-m1' } }), NOW);
  });
  afterAll(async () => {
    await t?.close();
    await fake?.close();
  });

  const quotaOf = async () =>
    (
      (await (await t.admin('GET', '/admin/health')).json()) as {
        quota: { org: string; platform: string; kind: string; used: number; budget: number }[];
      }
    ).quota;
  const warnings = () =>
    t.db.selectFrom('deliveries').select(['id', 'target', 'body']).where('id', 'like', 'quota-%').orderBy('created_at').execute();

  it('counts each custom-robot send as a Webhook call and each app send as an API call (a file as two)', async () => {
    const clients = new PlatformClients(t);
    const group = { kind: 'chat' as const, channelId: 'dt1', chatId: 'cid' };
    const member = { kind: 'member' as const, channelId: 'dt1', memberId: 'm1' };
    const message = { title: '提醒', markdown: '会议提醒' };
    expect(await deliver(t, clients, group, message, 'q-1')).toEqual({ delivered: true });
    expect(await deliver(t, clients, member, message, 'q-2')).toEqual({ delivered: true });
    expect(await quotaOf()).toEqual([
      { org: 'o1', platform: 'dingtalk', kind: 'webhook', month: '2026-12', used: 1, budget: 5 },
      { org: 'o1', platform: 'dingtalk', kind: 'api', month: '2026-12', used: 1, budget: 5000 },
    ]);
    expect(await warnings()).toEqual([]);
  });

  it('never stops a call when the count cannot be made (Redis unreachable)', async () => {
    const broken = new Redis('redis://127.0.0.1:1', {
      lazyConnect: true,
      maxRetriesPerRequest: 0,
      enableOfflineQueue: false,
      retryStrategy: () => null,
    });
    const counter = new QuotaCounter({ db: t.db, redis: broken, logger: t.logger, clock: t.clock, prefix: t.config.QUEUE_PREFIX });
    const channel = (await getChannel(t.db, 'dt1'))!;
    await expect(counter.count(channel, 'webhook')).resolves.toBeUndefined();
    broken.disconnect();
  });

  it('tells the org admins privately, once, at 80 % and at 100 %', async () => {
    const clients = new PlatformClients(t);
    const group = { kind: 'chat' as const, channelId: 'dt1', chatId: 'cid' };
    for (let i = 0; i < 6; i++) await deliver(t, clients, group, { title: '提醒', markdown: `第 ${i} 条` }, `q-g${i}`);
    const told = await warnings();
    expect(told).toHaveLength(2);
    for (const w of told) expect(JSON.parse(w.target)).toEqual({ kind: 'member', channelId: 'dt1', memberId: 'adm' });
    const [eighty, hundred] = told.map((w) => (JSON.parse(w.body) as { markdown: string }).markdown);
    expect(eighty).toBe('本单位钉钉本月 Webhook 和 Stream 调用已用 4 次，达到每月额度 5 次的 80%。提醒和通知将尽量合并发送。');
    expect(hundred).toContain('已用 5 次，达到每月额度 5 次。');
    expect((await quotaOf())[0]).toMatchObject({ kind: 'webhook', used: 7, budget: 5 });
  });
});

describe.each(DIALECTS)('reminders with the DingTalk budget low on %s', (dialect) => {
  let fake: FakePlatform;
  let t: TestApp;
  let workers: { close(): Promise<void> };

  beforeAll(async () => {
    fake = await startFakePlatform();
    t = await startTestApp(dialect, {
      now: Date.now(),
      env: { DINGTALK_OAPI_BASE: fake.url, DINGTALK_API_BASE: fake.url, REMINDER_OFFSETS: '4s,2s', ABSENT_NUDGE_AFTER: '1h' },
    });
    const now = Date.now();
    await putOrg(t.db, { id: 'o1', name: '机关工委', timezone: 'Asia/Shanghai', digest_cron: null }, now);
    await putChannel(t.db, 'o1', 'dt1', { platform: 'dingtalk', appKey: 'k', appSecret: 's', robotCode: 'r' }, now);
    await putBranch(t.db, 'o1', 'b1', '第一党支部', [{ channel_id: 'dt1', chat_id: 'cid', webhook: 'robot-token', secret: null }], now);
    // 2,400 of the 3,000 Webhook&Stream calls already made this month.
    await t.redis.set(`${t.config.QUEUE_PREFIX}:quota:o1:dingtalk:webhook:${monthKey(now, 'Asia/Shanghai')}`, '2400');
    workers = await startWorkers({ ...t });
  });
  afterAll(async () => {
    await workers?.close();
    await t?.close();
    await fake?.close();
  });

  it('sends one reminder instead of two: the earlier gives way to the later', async () => {
    const meeting = meetingRow({ org_id: 'o1', code: 'QTA', starts_at: Date.now() + 6_000 });
    await insertMeeting(t.db, meeting);
    await planAndRelay(t.db, t.queues, meeting, { offsets: [4_000, 2_000], nudgeAfter: 3_600_000 }, Date.now());
    await fake.waitFor((r) => r.path === '/robot/send', 15_000, 2);
    const titles = fake.requests
      .filter((r) => r.path === '/robot/send')
      .map((r) => (r.body as { markdown: { title: string } }).markdown.title);
    expect(titles).toEqual(['会议提醒', '会议开始']);
    const rows = await t.db
      .selectFrom('meeting_reminders')
      .select(['kind', 'offset_ms', 'state', 'reason'])
      .where('meeting_id', '=', meeting.id)
      .orderBy('due_at')
      .execute();
    expect(rows.map((r) => [r.kind, Number(r.offset_ms), r.state])).toEqual([
      ['remind', 4_000, 'dropped'],
      ['remind', 2_000, 'sent'],
      ['start', 0, 'sent'],
      ['nudge', 3_600_000, 'planned'],
    ]);
    expect(rows[0]!.reason).toContain('the DingTalk budget is running low');
  });
});
