import type { Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { putBranch } from '../db/branches.ts';
import { putChannel } from '../db/channels.ts';
import { insertMeeting } from '../db/meetings.ts';
import { putMember } from '../db/members.ts';
import { putOrg } from '../db/orgs.ts';
import type { Database, Meeting } from '../db/schema.ts';
import { startWorkers } from '../jobs/workers.ts';
import { reminderTiming } from '../src/chat/context.ts';
import { createLogger } from '../src/core/logger.ts';
import { warnOnEviction } from '../src/core/redis.ts';
import { Redis } from 'ioredis';
import { type TestApp, startTestApp } from './helpers/app.ts';
import { DIALECTS, meetingRow, memberRow } from './helpers/db.ts';
import { DT_SECRET, dingtalkCallback, signedHeaders } from './helpers/dingtalk.ts';
import { type FakePlatform, type RecordedRequest, startFakePlatform } from './helpers/fake-platform.ts';
import { type PrivateRedis, startPrivateRedis } from './helpers/private-redis.ts';
import { planAndRelay } from './helpers/reminders.ts';

// Redis is a rebuildable copy of what the database holds. On a Redis of the test's own:
// emptied while the service runs, and down while a command is answered and its process dies.

const GROUP = 'cidGroupF==';
const text = (r: RecordedRequest) => (r.body as { markdown: { text: string } }).markdown.text;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function seed(db: Kysely<Database>, now: number) {
  await putOrg(db, { id: 'org1', name: '机关工委', timezone: 'Asia/Shanghai', digest_cron: null }, now);
  await putChannel(db, 'org1', 'dt1', { platform: 'dingtalk', appKey: 'k', appSecret: DT_SECRET, robotCode: 'r' }, now);
  await putBranch(db, 'org1', 'b1', '第一党支部', [{ channel_id: 'dt1', chat_id: GROUP, webhook: 'robot-f', secret: null }], now);
  await putMember(db, memberRow({ id: 'sec', name: '李书记', role: 'secretary', accounts: { dingtalk: 'dt-sec' } }), now);
  await putMember(db, memberRow({ id: 'm1', name: '张一', accounts: { dingtalk: 'dt-m1' } }), now);
}

async function meeting(db: Kysely<Database>, startsAt: number, code: string): Promise<Meeting> {
  const row = meetingRow({ code, starts_at: startsAt, created_by: 'sec' });
  await insertMeeting(db, row);
  return row;
}

describe.each(DIALECTS)('Redis faults on %s', (dialect) => {
  let redis: PrivateRedis;
  let fake: FakePlatform;
  let t: TestApp;
  let workers: { close(): Promise<void> } | undefined;
  const pushesAbout = (code: string) => fake.requests.filter((r) => r.path === '/robot/send' && text(r).includes(code));

  beforeAll(async () => {
    redis = await startPrivateRedis();
    fake = await startFakePlatform();
    t = await startTestApp(dialect, {
      now: Date.now(),
      env: { REDIS_URL: redis.url, REMINDER_OFFSETS: '4s,2s', ABSENT_NUDGE_AFTER: '2s', DINGTALK_OAPI_BASE: fake.url },
    });
    await seed(t.db, Date.now());
  });
  afterAll(async () => {
    await workers?.close();
    await t.close();
    await fake.close();
    await redis.close();
  });

  it('an emptied Redis is noticed and rebuilt: every reminder still arrives once, and the schedulers are back', async () => {
    workers = await startWorkers({ ...t }, { intervals: { relay: 200, epoch: 300 } });
    const start = Date.now() + 7_000;
    const m = await meeting(t.db, start, 'EMP');
    t.clock.set(Date.now());
    await planAndRelay(t.db, t.queues, m, reminderTiming(t.config), t.clock.now());
    expect(await t.queues.reminders.count()).toBe(4);
    expect((await t.queues.digests.getJobSchedulers()).map((s) => s.key).sort()).toEqual(['compliance-org1', 'digest-org1']);

    // As a restart without persistence or a failover to an empty replica: every job and scheduler is gone.
    await sleep(500);
    await redis.flush();
    expect(await t.queues.reminders.count()).toBe(0);

    const got = await fake.waitFor((r) => r.path === '/robot/send' && text(r).includes('EMP'), 15_000, 4);
    const titles = got.map((r) => (r.body as { markdown: { title: string } }).markdown.title);
    expect(titles).toEqual(['会议提醒', '会议提醒', '会议开始', '签到提醒']);
    expect(Math.abs(got[2]!.at - start)).toBeLessThan(1_500);
    expect((await t.queues.digests.getJobSchedulers()).map((s) => s.key).sort()).toEqual(['compliance-org1', 'digest-org1']);
    // The weekly digest's next run is armed again: a delayed job of its scheduler.
    const armed = (await t.queues.digests.getDelayed()).map((j) => j.repeatJobKey);
    expect(armed).toContain('digest-org1');
    await sleep(1_000);
    expect(pushesAbout('EMP')).toHaveLength(4);
    await workers.close();
    workers = undefined;
  }, 30_000);

  it('提醒 answered while Redis is down is recorded with the command, and sent once a worker runs again', async () => {
    const start = Date.now() + 5 * 60_000;
    await meeting(t.db, start, 'DWN');
    await redis.kill();
    // Check-in has opened (30 min before the start): 提醒 is allowed.
    t.clock.set(Date.now());
    const res = await t.app.request('/webhooks/dingtalk/dt1', {
      method: 'POST',
      headers: signedHeaders(t.clock.now()),
      body: JSON.stringify(dingtalkCallback('提醒 DWN', { senderStaffId: 'dt-sec', conversationId: GROUP })),
    });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { markdown: { text: string } }).markdown.text).toContain('已在群里提醒');
    const rows = await t.db.selectFrom('deliveries').selectAll().where('body', 'like', '%DWN%').execute();
    expect(rows.map((r) => [r.state, r.relayed_at])).toEqual([['queued', null]]);
    expect(rows[0]!.id.length).toBeLessThanOrEqual(64);

    // The process that answered is gone; Redis comes back (empty); a new worker relays the outbox.
    await redis.start();
    workers = await startWorkers({ ...t }, { intervals: { relay: 200, epoch: 300 } });
    const [nudge] = await fake.waitFor((r) => r.path === '/robot/send' && text(r).includes('DWN'), 10_000, 1);
    expect(text(nudge!)).toContain('即将开始');
    expect(text(nudge!)).toContain('请发送「@同心 签到」');
    expect((nudge!.body as { at: { atUserIds: string[] } }).at.atUserIds.sort()).toEqual(['dt-m1', 'dt-sec']);
    await sleep(1_000);
    expect(pushesAbout('DWN')).toHaveLength(1);
  }, 30_000);
});

describe('a Redis that may evict keys', () => {
  it('is named in a warning at start, with the policy to set', async () => {
    const redis = await startPrivateRedis();
    const client = new Redis(redis.url);
    const lines: string[] = [];
    const logger = createLogger('info', { write: (line: string) => void lines.push(line) });
    try {
      await warnOnEviction(client, logger);
      expect(lines).toEqual([]);
      await client.config('SET', 'maxmemory-policy', 'allkeys-lru');
      await warnOnEviction(client, logger);
      expect(lines).toHaveLength(1);
      expect(JSON.parse(lines[0]!).msg).toMatch(/maxmemory-policy is allkeys-lru: set it to noeviction/);
    } finally {
      client.disconnect();
      await redis.close();
    }
  });
});
