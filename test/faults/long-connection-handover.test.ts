import { randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import { createPool } from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { putBranch } from '../../db/branches.ts';
import { putChannel } from '../../db/channels.ts';
import { openDb } from '../../db/connect.ts';
import { putMember } from '../../db/members.ts';
import { putOrg } from '../../db/orgs.ts';
import type { Database } from '../../db/schema.ts';
import { memberRow } from '../helpers/db.ts';
import { dingtalkCallback } from '../helpers/dingtalk.ts';
import { type FakePlatform, startFakePlatform } from '../helpers/fake-platform.ts';
import { type StreamGateway, attachStreamGateway } from '../helpers/fake-stream-gateway.ts';
import { type ServiceProcess, startService } from '../helpers/service.ts';

// One DingTalk Stream channel, service processes that each want it: exactly one holds
// the connection; SIGKILL the holder and another connects within 30 s (the lease runs out); SIGTERM
// it and the next connects within 5 s (the lease is released); no message is handled twice.

const mysqlName = `tongxin_handover_${process.pid}`;
const url = `mysql://root@127.0.0.1:3306/${mysqlName}`;

describe('a long connection handed over between processes', () => {
  let fake: FakePlatform;
  let gateway: StreamGateway;
  let db: Kysely<Database>;
  const prefix = `tongxin-handover-${randomBytes(4).toString('hex')}`;
  const services: ServiceProcess[] = [];

  beforeAll(async () => {
    fake = await startFakePlatform();
    gateway = attachStreamGateway(fake);
    db = await openDb(url);
    const now = Date.now();
    await putOrg(db, { id: 'o1', name: '机关工委', timezone: 'Asia/Shanghai', digest_cron: null }, now);
    await putChannel(db, 'o1', 'ds1', { platform: 'dingtalk', mode: 'stream', appKey: 'k1', appSecret: 's1', robotCode: 'r1' }, now);
    await putBranch(db, 'o1', 'b1', '第一党支部', [{ channel_id: 'ds1', chat_id: 'cidGroupA==', webhook: null, secret: null }], now);
    await putMember(db, memberRow({ org_id: 'o1', id: 'm1', name: '王一', accounts: { dingtalk: 'dt-m1' } }), now);
  });
  afterAll(async () => {
    for (const s of services) await s.stop('SIGKILL');
    await db.destroy();
    await fake.close();
    const pool = createPool({ uri: 'mysql://root@127.0.0.1:3306' });
    await pool.query(`DROP DATABASE IF EXISTS \`${mysqlName}\``);
    await pool.end();
  });

  const start = async () => {
    const service = await startService({
      ROLE: 'web',
      DATABASE_URL: url,
      QUEUE_PREFIX: prefix,
      DINGTALK_API_BASE: fake.url,
      DINGTALK_OAPI_BASE: fake.url,
    });
    services.push(service);
    return service;
  };
  const report = (text: string) =>
    dingtalkCallback(`@同心 汇报 企业 ${text}`, { senderStaffId: 'dt-m1', sessionWebhook: `${fake.url}/robot/sendBySession?session=h` });
  const stored = async (msgId: string) =>
    (await db.selectFrom('service_reports').select('id').where('source', '=', msgId).execute()).length;
  const waitStored = (msgId: string) => poll(() => stored(msgId), 1);

  async function poll(read: () => Promise<number>, want: number, timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while ((await read()) < want) {
      if (Date.now() > deadline) throw new Error(`not stored within ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  it('is held by one process at a time and handed over on SIGKILL and on SIGTERM, each message handled once', async () => {
    const a = await start();
    await gateway.waitFor(() => gateway.sockets.size === 1, 15_000);
    const b = await start();
    // B has synced a few times by now (every 2 s): still the one connection.
    await new Promise((r) => setTimeout(r, 4_000));
    expect(gateway.sockets.size).toBe(1);
    expect(gateway.opened).toHaveLength(1);

    const first = report('走访某公司，协调解决用电难题');
    gateway.pushRobotMessage(first);
    await waitStored(first.msgId);

    const killed = Date.now();
    await a.stop('SIGKILL');
    await gateway.waitFor(() => gateway.opened.length === 2 && gateway.sockets.size === 1, 30_000);
    const afterKill = Date.now() - killed;
    expect(afterKill).toBeLessThan(30_000);

    const second = report('为企业办理用电报装手续');
    gateway.pushRobotMessage(second);
    await waitStored(second.msgId);

    const c = await start();
    const stopped = Date.now();
    await b.stop('SIGTERM');
    // A failure says which signal ended the process and what it logged last.
    expect(b.child.exitCode, `ended by ${b.child.signalCode}: ${b.log().slice(-1500)}`).toBe(0);
    await gateway.waitFor(() => gateway.opened.length === 3 && gateway.sockets.size === 1, 5_000);
    const afterStop = Date.now() - stopped;
    expect(afterStop).toBeLessThan(5_000);

    // DingTalk sends both again, as it does when an ACK is lost: recorded once each all the same.
    gateway.pushRobotMessage(first);
    gateway.pushRobotMessage(second);
    const third = report('协助企业申报专项资金');
    gateway.pushRobotMessage(third);
    await waitStored(third.msgId);
    await new Promise((r) => setTimeout(r, 500));
    expect([await stored(first.msgId), await stored(second.msgId), await stored(third.msgId)]).toEqual([1, 1, 1]);
    console.info(
      `figures: one Stream channel, three processes: taken over ${afterKill} ms after the holder's SIGKILL, ` +
        `${afterStop} ms after its SIGTERM; 5 frames (2 of them again) stored 3 times`,
    );
    await c.stop('SIGTERM');
  }, 90_000);
});
