import { randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { openDb } from '../../db/connect.ts';
import type { Database } from '../../db/schema.ts';
import { createLogger } from '../../src/core/logger.ts';
import { createRedis } from '../../src/core/redis.ts';
import { seedBranches } from '../helpers/branches.ts';
import { countOf } from '../helpers/db.ts';
import { DT_SECRET, dingtalkCallback, signedHeaders } from '../helpers/dingtalk.ts';
import { freePort } from '../helpers/private-redis.ts';
import { type ServiceProcess, startService } from '../helpers/service.ts';
import { faultDatabases } from '../helpers/fault-databases.ts';

// The group commit of chat messages under SIGKILL: 3,000 汇报 from 40 members, 48 at a
// time, and the service killed while they arrive. Every message answered 2xx before the kill is in
// the database the kill left (nothing else runs at that moment); then the service starts again on
// the same port, the senders retry what was not answered, and every message is stored exactly once.

const MESSAGES = 3_000;
const MEMBERS = 40;
const CONCURRENCY = 48;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe.each(faultDatabases('batch'))('the service killed mid-batch on %s', (dialect, url) => {
  const prefix = `tongxin-faults-batch-${randomBytes(4).toString('hex')}`;
  let service: ServiceProcess | undefined;
  let db: Kysely<Database>;

  afterAll(async () => {
    await service?.stop('SIGKILL');
    await db?.destroy();
    const redis = createRedis('redis://127.0.0.1:6379', createLogger('silent'));
    const keys = await redis.keys(`${prefix}:*`);
    if (keys.length) await redis.del(...keys);
    await redis.quit();
  });

  it('loses no acknowledged message and stores every message once', async () => {
    db = await openDb(url);
    await seedBranches(db, { branches: 1, robot: 'batch-robot-', appSecret: DT_SECRET, members: MEMBERS });
    const port = await freePort();
    const env = { DATABASE_URL: url, QUEUE_PREFIX: prefix, ROLE: 'web' };
    service = await startService(env, port);

    const bodies = Array.from({ length: MESSAGES }, (_, i) =>
      JSON.stringify(
        dingtalkCallback(`汇报 企业 第${i}次走访园区企业`, {
          msgId: `batch-${i}`,
          senderStaffId: `dm0-${i % MEMBERS}`,
          conversationId: 'cid-0',
        }),
      ),
    );
    const acked = new Set<number>();
    let killed = false;
    const ackedBeforeKill: number[] = [];
    let next = 0;
    async function send(i: number): Promise<void> {
      for (;;) {
        try {
          const res = await fetch(`http://127.0.0.1:${port}/webhooks/dingtalk/dt1`, {
            method: 'POST',
            headers: signedHeaders(Date.now()),
            body: bodies[i],
            signal: AbortSignal.timeout(5_000),
          });
          await res.arrayBuffer();
          if (res.status === 200) {
            acked.add(i);
            if (!killed) ackedBeforeKill.push(i);
            return;
          }
        } catch {
          // refused or reset while the service is down: the platform tries again
        }
        await sleep(200);
      }
    }
    const senders = Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next < MESSAGES) await send(next++);
      }),
    );

    while (acked.size < MESSAGES / 3) await sleep(5);
    await service.stop('SIGKILL');
    killed = true;
    // Nothing runs now: the database holds exactly what was committed.
    const atKill = new Set((await db.selectFrom('service_reports').select('source').execute()).map((r) => r.source));
    const lost = ackedBeforeKill.filter((i) => !atKill.has(`batch-${i}`));
    expect(lost).toEqual([]);

    service = await startService(env, port);
    await senders;
    const rows = await db.selectFrom('service_reports').select('source').execute();
    const sources = new Set(rows.map((r) => r.source));
    expect(rows.length).toBe(MESSAGES);
    expect(sources.size).toBe(MESSAGES);
    expect(await countOf(db, 'inbound_events')).toBe(MESSAGES);
    console.info(
      `figures (${dialect}): SIGKILL after ${ackedBeforeKill.length} of ${MESSAGES} answers; ${atKill.size} reports committed at the kill ` +
        `(${atKill.size - ackedBeforeKill.length} of them not yet answered); after the restart ${rows.length} reports, ${sources.size} distinct`,
    );
  }, 120_000);
});
