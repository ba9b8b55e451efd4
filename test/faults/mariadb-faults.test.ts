import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { putBranch } from '../../db/branches.ts';
import { putChannel } from '../../db/channels.ts';
import { openDb } from '../../db/connect.ts';
import { putMember } from '../../db/members.ts';
import { putOrg } from '../../db/orgs.ts';
import { QUEUE_NAMES, createQueues } from '../../jobs/queues.ts';
import { countOf, memberRow } from '../helpers/db.ts';
import { DT_SECRET, dingtalkCallback, signedHeaders } from '../helpers/dingtalk.ts';
import { type PrivateMariadb, startPrivateMariadb } from '../helpers/private-mariadb.ts';
import { freePort } from '../helpers/private-redis.ts';
import { type ServiceProcess, sendLikeAPlatform, startService } from '../helpers/service.ts';

// MariaDB hung (SIGSTOP) for 10 s, then stopped for 10 s, during a burst of 1,000 callbacks sent
// as a platform sends them: every answer within 1 s, each a 200 or a 503; after
// recovery every message stored once — none lost, none doubled.

const MEMBERS = 50;
const MOBILE = '13700001111';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('MariaDB hung and stopped during a burst', () => {
  let mariadb: PrivateMariadb;
  let service: ServiceProcess | undefined;
  const prefix = `tongxin-dbfault-${randomBytes(4).toString('hex')}`;

  beforeAll(async () => {
    mariadb = await startPrivateMariadb();
    const db = await openDb(`${mariadb.url}/tongxin`);
    const now = Date.now();
    await putOrg(db, { id: 'org1', name: '机关工委', timezone: 'Asia/Shanghai', digest_cron: null }, now);
    await putChannel(db, 'org1', 'dt1', { platform: 'dingtalk', appKey: 'k', appSecret: DT_SECRET, robotCode: 'r' }, now);
    await putBranch(db, 'org1', 'b1', '第一党支部', [], now);
    for (let m = 0; m < MEMBERS; m++) {
      await putMember(db, memberRow({ id: `m${m}`, name: `党员${m}`, accounts: { dingtalk: `dm${m}` }, mobile: MOBILE }), now);
    }
    await db.destroy();
  });
  afterAll(async () => {
    await service?.stop('SIGKILL');
    const queues = createQueues('redis://127.0.0.1:6379', prefix);
    await Promise.all(QUEUE_NAMES.map((name) => queues[name].obliterate({ force: true })));
    await queues.close();
    await mariadb.close();
  });

  it('answers every callback within 1 s with a 200 or a 503, and stores each message once', async () => {
    const port = await freePort();
    service = await startService({ ROLE: 'web', DATABASE_URL: `${mariadb.url}/tongxin`, QUEUE_PREFIX: prefix }, port);
    const posts = Array.from({ length: 1000 }, (_, i) => ({
      path: '/webhooks/dingtalk/dt1',
      headers: () => signedHeaders(Date.now()),
      body: JSON.stringify(dingtalkCallback(`汇报 群众 第${i}次走访群众，解决急难愁盼问题`, { senderStaffId: `dm${i % MEMBERS}` })),
    }));
    // Platforms retry a 503 after a few seconds; sooner here, to press harder.
    const burst = sendLikeAPlatform(() => `http://127.0.0.1:${port}`, posts, { concurrency: 32, retryMs: 500, giveUpAfterMs: 120_000 });
    const answeredCount = async (n: number) => {
      const db = await openDb(`${mariadb.url}/tongxin`);
      try {
        while ((await countOf(db, 'inbound_events')) < n) await sleep(50);
      } finally {
        await db.destroy();
      }
    };
    await answeredCount(200);
    mariadb.hang();
    await sleep(10_000);
    mariadb.resume();
    await answeredCount(600);
    await mariadb.stop();
    await sleep(10_000);
    await mariadb.start();
    const { answers, unanswered } = await burst;

    expect(unanswered).toBe(0);
    const statuses = new Set(answers.map((a) => a.status));
    expect([...statuses].sort()).toEqual([200, 503]);
    const slowest = Math.max(...answers.map((a) => a.ms));
    expect(slowest).toBeLessThan(1_000);

    const db = await openDb(`${mariadb.url}/tongxin`);
    try {
      expect(await countOf(db, 'inbound_events')).toBe(1000);
      expect(await countOf(db, 'service_reports')).toBe(1000);
      expect(await db.selectFrom('service_reports').select('source').distinct().execute()).toHaveLength(1000);
    } finally {
      await db.destroy();
    }
    console.info(
      `figures: MariaDB hung 10 s and stopped 10 s: ${answers.length} answers for 1,000 callbacks, ` +
        `${answers.filter((a) => a.status === 503).length} of them 503, slowest ${Math.round(slowest)} ms; 0 lost, 0 doubled`,
    );
    const log = service.log();
    for (const secret of [DT_SECRET, MOBILE]) expect(log).not.toContain(secret);
  }, 170_000);
});
