import { randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDb } from '../../db/connect.ts';
import { insertMeeting } from '../../db/meetings.ts';
import type { Database } from '../../db/schema.ts';
import { seedBranches } from '../helpers/branches.ts';
import { countOf, meetingRow } from '../helpers/db.ts';
import { DT_SECRET, dingtalkCallback, signedHeaders } from '../helpers/dingtalk.ts';
import { type FakePlatform, startFakePlatform } from '../helpers/fake-platform.ts';
import { type PrivateRedis, freePort, startPrivateRedis } from '../helpers/private-redis.ts';
import { type ServiceProcess, sendLikeAPlatform, startService } from '../helpers/service.ts';
import { faultDatabases } from '../helpers/fault-databases.ts';

// Redis stopped during a burst of 1,000 callbacks, the service SIGKILLed during the outage, both
// restarted: every command recorded once, every effect carried out once. The burst:
// 990 四服务 reports from 100 members and one 提醒 from each of 10 branch secretaries, sent as a
// platform sends them (retried on a 503 or a refused connection).

const BRANCHES = 10;
const PER_BRANCH = 10;
const REPORTS_EACH = 99 / 10;
const ROBOT_TOKEN = 'outage-robot-token-';
const MOBILE = '13987654321';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** Meeting codes use letters without look-alikes (no I, L, O). */
const meetingCode = (b: number) => `R${'ABCDEFGHJK'[b]}Q`;

async function seed(db: Kysely<Database>) {
  await seedBranches(db, {
    branches: BRANCHES,
    robot: ROBOT_TOKEN,
    appSecret: DT_SECRET,
    secretaries: true,
    members: PER_BRANCH,
    mobile: MOBILE,
  });
  // Check-in is open (it opens 30 minutes before the start): 提醒 is allowed.
  for (let b = 0; b < BRANCHES; b++) {
    await insertMeeting(
      db,
      meetingRow({ branch_id: `b${b}`, code: meetingCode(b), starts_at: Date.now() + 10 * 60_000, created_by: `s${b}` }),
    );
  }
}

describe.each(faultDatabases('outage'))('Redis down and the service killed during a burst, on %s', (_dialect, url) => {
  let redis: PrivateRedis;
  let fake: FakePlatform;
  let db: Kysely<Database>;
  const services: ServiceProcess[] = [];

  beforeAll(async () => {
    redis = await startPrivateRedis();
    fake = await startFakePlatform();
    db = await openDb(url);
    await seed(db);
  });
  afterAll(async () => {
    for (const s of services) await s.stop('SIGKILL');
    await db.destroy();
    await fake.close();
    await redis.close();
  });

  it('records every command once and carries out every effect once', async () => {
    const port = await freePort();
    const env = {
      ROLE: 'all',
      DATABASE_URL: url,
      REDIS_URL: redis.url,
      QUEUE_PREFIX: `tongxin-outage-${randomBytes(4).toString('hex')}`,
      DINGTALK_OAPI_BASE: fake.url,
    };
    services.push(await startService(env, port));
    const requests = [];
    for (let b = 0; b < BRANCHES; b++) {
      for (let m = 0; m < PER_BRANCH; m++) {
        for (let r = 0; r < Math.ceil(REPORTS_EACH); r++) {
          if (requests.length >= 990) break;
          const text = `汇报 企业 第${b}支部党员${m}第${r}次走访企业，协调解决实际困难`;
          requests.push({ staff: `dm${b}-${m}`, text, chat: `cid-${b}` });
        }
      }
    }
    // The 提醒s fall in the middle of the burst, while Redis is down.
    for (let b = 0; b < BRANCHES; b++)
      requests.splice(400 + b * 20, 0, { staff: `ds${b}`, text: `提醒 ${meetingCode(b)}`, chat: `cid-${b}` });
    expect(requests).toHaveLength(1000);
    const posts = requests.map((r) => ({
      path: '/webhooks/dingtalk/dt1',
      headers: () => signedHeaders(Date.now()),
      body: JSON.stringify(dingtalkCallback(r.text, { senderStaffId: r.staff, conversationId: r.chat })),
    }));

    const burst = sendLikeAPlatform(() => `http://127.0.0.1:${port}`, posts, { concurrency: 16, retryMs: 300, giveUpAfterMs: 60_000 });
    const stats = { redisDownAt: 0, killedAt: 0 };
    const progress = async (n: number) => {
      while ((await countOf(db, 'inbound_events')) < n) await sleep(20);
    };
    await progress(300);
    await redis.kill();
    stats.redisDownAt = await countOf(db, 'inbound_events');
    await progress(600);
    await services[0]!.stop('SIGKILL');
    stats.killedAt = await countOf(db, 'inbound_events');
    await sleep(1_000);
    await redis.start();
    services.push(await startService(env, port));
    const { answers, unanswered } = await burst;

    expect(unanswered).toBe(0);
    expect(answers.every((a) => a.status === 200 || a.status === 503)).toBe(true);
    expect(await countOf(db, 'inbound_events')).toBe(1000);
    expect(await countOf(db, 'service_reports')).toBe(990);
    const sources = await db.selectFrom('service_reports').select('source').distinct().execute();
    expect(sources).toHaveLength(990);

    // Each 提醒's nudge reaches its branch's group once (DingTalk drops a repeated msgUuid).
    const nudges = await fake.waitFor((r) => r.path === '/robot/send', 30_000, BRANCHES);
    await sleep(2_000);
    const sent = fake.requests.filter((r) => r.path === '/robot/send');
    const byUuid = new Map(sent.map((r) => [(r.body as { msgUuid: string }).msgUuid, r.query.access_token]));
    expect(byUuid.size).toBe(BRANCHES);
    expect(new Set(byUuid.values()).size).toBe(BRANCHES);
    expect(nudges.every((r) => (r.body as { markdown: { title: string } }).markdown.title === '签到提醒')).toBe(true);
    expect(stats.redisDownAt).toBeLessThan(stats.killedAt);
    console.info(
      `figures: Redis stopped after ${stats.redisDownAt} and the service SIGKILLed after ${stats.killedAt} of 1,000 callbacks: ` +
        `${answers.length} answers (${answers.filter((a) => a.status === 503).length} of them 503), 1,000 commands recorded once, ` +
        `${byUuid.size} nudges sent once each`,
    );

    const log = services.map((s) => s.log()).join('\n');
    expect(log).toContain('listening on');
    for (const secret of [DT_SECRET, ROBOT_TOKEN, MOBILE]) expect(log).not.toContain(secret);
  }, 150_000);
});
