import { randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import { createPool } from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDb } from '../../db/connect.ts';
import { insertMeeting } from '../../db/meetings.ts';
import type { Database, Meeting } from '../../db/schema.ts';
import { QUEUE_NAMES, createQueues } from '../../jobs/queues.ts';
import { seedBranches } from '../helpers/branches.ts';
import { countOf, meetingRow } from '../helpers/db.ts';
import { until } from '../helpers/eventually.ts';
import { DT_SECRET, dingtalkCallback, signedHeaders } from '../helpers/dingtalk.ts';
import { type FakePlatform, startFakePlatform } from '../helpers/fake-platform.ts';
import { freePort } from '../helpers/private-redis.ts';
import { planAndRelay } from '../helpers/reminders.ts';
import { type ServiceProcess, sendLikeAPlatform, startService } from '../helpers/service.ts';

// Scale-out: two ROLE=web and two ROLE=worker processes on one MariaDB and one Redis,
// one worker SIGKILLed in the middle of a burst of 1,000 callbacks while 40 meetings start: every
// push — 40 start notices and the 20 nudges of 提醒 — arrives once; every command is recorded once.

const BRANCHES = 20;
const STARTING = 40;
const mysqlName = `tongxin_scale_${process.pid}`;
const url = `mysql://root@127.0.0.1:3306/${mysqlName}`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const CODES = 'ABCDEFGHJKMNPQRSTUVWXYZ23456789';
const code = (n: number) => `S${CODES[Math.floor(n / CODES.length)]}${CODES[n % CODES.length]}`;

async function meeting(db: Kysely<Database>, branch: number, n: number, startsAt: number): Promise<Meeting> {
  const row = meetingRow({ branch_id: `b${branch}`, code: code(n), starts_at: startsAt });
  await insertMeeting(db, row);
  return row;
}

describe('two web and two worker processes, one worker killed mid-burst', () => {
  let fake: FakePlatform;
  let db: Kysely<Database>;
  const prefix = `tongxin-scale-${randomBytes(4).toString('hex')}`;
  const services: ServiceProcess[] = [];

  beforeAll(async () => {
    fake = await startFakePlatform();
    db = await openDb(url);
    await seedBranches(db, { branches: BRANCHES, robot: 'scale-robot-', appSecret: DT_SECRET, secretaries: true, members: 1 });
  });
  afterAll(async () => {
    for (const s of services) await s.stop('SIGKILL');
    const queues = createQueues('redis://127.0.0.1:6379', prefix);
    await Promise.all(QUEUE_NAMES.map((name) => queues[name].obliterate({ force: true })));
    await queues.close();
    await db.destroy();
    await fake.close();
    const pool = createPool({ uri: 'mysql://root@127.0.0.1:3306' });
    await pool.query(`DROP DATABASE IF EXISTS \`${mysqlName}\``);
    await pool.end();
  });

  it('sends every push once and records every command once', async () => {
    const env = { DATABASE_URL: url, QUEUE_PREFIX: prefix, DINGTALK_OAPI_BASE: fake.url, REMINDER_OFFSETS: '1d', ABSENT_NUDGE_AFTER: '1h' };
    const webPorts = [await freePort(), await freePort()];
    for (const port of webPorts) services.push(await startService({ ...env, ROLE: 'web' }, port));
    const workers = [await startService({ ...env, ROLE: 'worker' }), await startService({ ...env, ROLE: 'worker' })];
    services.push(...workers);

    // One meeting per branch open for check-in (提醒), and 40 more starting during the burst.
    const t0 = Date.now();
    for (let b = 0; b < BRANCHES; b++) await meeting(db, b, b, t0 + 10 * 60_000);
    const queues = createQueues('redis://127.0.0.1:6379', prefix);
    for (let n = 0; n < STARTING; n++) {
      const m = await meeting(db, n % BRANCHES, BRANCHES + n, t0 + 4_000 + n * 150);
      await planAndRelay(db, queues, m, { offsets: [86_400_000], nudgeAfter: 3_600_000 }, t0);
    }
    await queues.close();
    // Every 50th callback is a 提醒, one per branch; the rest are reports.
    const posts = Array.from({ length: 1000 }, (_, i) => {
      const remind = i % 50 === 25;
      const b = remind ? Math.floor(i / 50) : i % BRANCHES;
      const text = remind ? `提醒 ${code(b)}` : `汇报 项目 第${i}次服务重点项目，推进落地`;
      return {
        path: '/webhooks/dingtalk/dt1',
        headers: () => signedHeaders(Date.now()),
        body: JSON.stringify(dingtalkCallback(text, { senderStaffId: remind ? `ds${b}` : `dm${b}-0`, conversationId: `cid-${b}` })),
      };
    });
    let turn = 0;
    const burst = sendLikeAPlatform(() => `http://127.0.0.1:${webPorts[turn++ % 2]}`, posts, {
      concurrency: 16,
      retryMs: 300,
      giveUpAfterMs: 60_000,
    });
    await fake.waitFor((r) => r.path === '/robot/send', 20_000, 10);
    await workers[0]!.stop('SIGKILL');
    const { unanswered } = await burst;
    expect(unanswered).toBe(0);

    // A job the killed worker held is taken up again once its lock expires; one it had sent is sent
    // again under the same msgUuid, which DingTalk takes once: pushes are counted by msgUuid.
    const pushes = () => {
      const sent = fake.requests.filter((r) => r.path === '/robot/send');
      return { sent, byUuid: new Map(sent.map((r) => [(r.body as { msgUuid: string }).msgUuid, r])) };
    };
    await until(() => pushes().byUuid.size >= STARTING + BRANCHES, 90_000, 'every push, once each');
    await sleep(2_000);
    const { sent, byUuid } = pushes();
    expect(byUuid.size).toBe(STARTING + BRANCHES);
    const titles = [...byUuid.values()].map((r) => (r.body as { markdown: { title: string } }).markdown.title);
    expect(titles.filter((t) => t === '会议开始')).toHaveLength(STARTING);
    expect(titles.filter((t) => t === '签到提醒')).toHaveLength(BRANCHES);
    expect(await countOf(db, 'inbound_events')).toBe(1000);
    console.info(
      `figures: 2 web + 2 workers, one worker SIGKILLed mid-burst: 1,000 callbacks recorded once; ` +
        `${byUuid.size} pushes once each (${sent.length - byUuid.size} repeated sends carried the same msgUuid)`,
    );
  }, 170_000);
});
