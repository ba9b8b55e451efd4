import type { Kysely } from 'kysely';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { putBranch } from '../db/branches.ts';
import { putChannel } from '../db/channels.ts';
import { putMember } from '../db/members.ts';
import { putOrg } from '../db/orgs.ts';
import type { Database } from '../db/schema.ts';
import { createHandle } from '../src/app.ts';
import { createRedis } from '../src/core/redis.ts';
import { LongConnections, type LongConnectionsDeps } from '../src/platforms/long-connections.ts';
import { type TestApp, startTestApp } from './helpers/app.ts';
import { DIALECTS, memberRow, openTestDb } from './helpers/db.ts';
import { dingtalkCallback } from './helpers/dingtalk.ts';
import { type FakePlatform, startFakePlatform } from './helpers/fake-platform.ts';
import { type StreamGateway, attachStreamGateway } from './helpers/fake-stream-gateway.ts';
import { startPrivateRedis } from './helpers/private-redis.ts';

// A holder keeps a channel's connection only while it can both keep the lease and record what
// arrives: one whose database or Redis fails lets the connection go, so that the gateway never sees
// two sockets and no frame is ACKed by a process that cannot store it.

const SYNC_MS = 200;
const LEASE_MS = 1_000;
const OPTIONS = { syncMs: SYNC_MS, leaseMs: LEASE_MS, heartbeatMs: 200, backoff: { minMs: 50, maxMs: 400 } };
const NOW = Date.now();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function seed(db: Kysely<Database>) {
  await putOrg(db, { id: 'o1', name: '机关工委', timezone: 'Asia/Shanghai', digest_cron: null }, NOW);
  await putChannel(db, 'o1', 'ds1', { platform: 'dingtalk', mode: 'stream', appKey: 'k1', appSecret: 's1', robotCode: 'r1' }, NOW);
  await putBranch(db, 'o1', 'b1', '第一党支部', [{ channel_id: 'ds1', chat_id: 'cidGroupA==', webhook: null, secret: null }], NOW);
  await putMember(db, memberRow({ org_id: 'o1', id: 'm1', name: '王一', accounts: { dingtalk: 'dt-m1' } }), NOW);
}

describe.each(DIALECTS)('a long-connection holder that fails, on %s', (dialect) => {
  let fake: FakePlatform;
  let gateway: StreamGateway;
  let t: TestApp;
  const holders: LongConnections[] = [];

  beforeAll(async () => {
    fake = await startFakePlatform();
    gateway = attachStreamGateway(fake);
    t = await startTestApp(dialect, { now: NOW, env: { DINGTALK_API_BASE: fake.url, DINGTALK_OAPI_BASE: fake.url } });
    await seed(t.db);
  });
  afterEach(async () => {
    for (const h of holders.splice(0)) await h.stop();
    await gateway.waitFor(() => gateway.sockets.size === 0);
  });
  afterAll(async () => {
    await t?.close();
    await fake?.close();
  });

  const holder = (deps: Partial<LongConnectionsDeps> = {}) => {
    const h = new LongConnections({ ...t, handle: createHandle(t), ...deps }, OPTIONS);
    holders.push(h);
    return h;
  };

  it('whose database is gone lets the channel go to a healthy one: one socket, each frame recorded once', async () => {
    const own = await openTestDb(dialect);
    try {
      await seed(own.db);
      const a = holder({ db: own.db, handle: createHandle({ ...t, db: own.db }) });
      await a.start();
      await gateway.waitFor(() => a.connected('ds1'));

      await own.db.destroy();
      const b = holder();
      await b.start();
      await gateway.waitFor(() => b.connected('ds1'), 4 * LEASE_MS);
      // A few lease periods on, still the one holder and the one socket.
      await sleep(2 * LEASE_MS);
      expect(a.connected('ds1')).toBe(false);
      expect(a.holding()).toEqual([]);
      expect(b.holding()).toEqual(['ds1']);
      expect(gateway.sockets.size).toBe(1);

      const body = dingtalkCallback('@同心 汇报 企业 走访某公司', {
        senderStaffId: 'dt-m1',
        sessionWebhook: `${fake.url}/robot/sendBySession?session=s1`,
      });
      const messageId = gateway.pushRobotMessage(body);
      await fake.waitFor((r) => r.path === '/robot/sendBySession');
      const rows = await t.db.selectFrom('service_reports').select('text').where('source', '=', body.msgId).execute();
      expect(rows).toEqual([{ text: '走访某公司' }]);
      expect(gateway.received.filter((f) => f.headers?.messageId === messageId)).toHaveLength(1);
    } finally {
      await own.close();
    }
  });

  it('whose Redis stops answering closes its socket within a lease and a sync, and takes nothing meanwhile', async () => {
    const redis = await startPrivateRedis();
    const client = createRedis(redis.url, t.logger);
    const a = new LongConnections({ ...t, redis: client, handle: createHandle(t) }, OPTIONS);
    try {
      await a.start();
      await gateway.waitFor(() => a.connected('ds1'));

      await redis.kill();
      await gateway.waitFor(() => gateway.sockets.size === 0, LEASE_MS + SYNC_MS + 500);
      expect(a.holding()).toEqual([]);
      await sleep(3 * SYNC_MS);
      expect(gateway.sockets.size).toBe(0);
      expect(a.connected('ds1')).toBe(false);
    } finally {
      // Whatever still waits on the dead Redis fails now, so that stop() ends.
      client.disconnect();
      await a.stop();
      await redis.close();
    }
  });
});
