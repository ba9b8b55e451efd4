import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type RelayAnswer, RelayServer, leaseKey, relaySend } from '../src/platforms/shared/socket-relay.ts';

// The relay that carries a push from any process to the one holding a channel's long connection,
// on a real Redis: the holder sends what it takes and answers; with nobody to take it the sender
// hears so, and a holder that comes late never sends a stale request.

const logger = pino({ level: process.env.LOG_LEVEL ?? 'silent' });
const QUICK = { claimMs: 300, ackMs: 300 };

describe('the socket relay', () => {
  const prefix = `tongxin-test-${randomBytes(4).toString('hex')}`;
  let redis: Redis;
  const servers: RelayServer[] = [];
  let channel = 0;

  /** A channel of its own for each case, its lease held or not. */
  const newChannel = async (held: boolean) => {
    const id = `ch${++channel}`;
    if (held) await redis.set(leaseKey(prefix, id), 'holder', 'PX', 60_000);
    return id;
  };
  const serve = (channelId: string, send: (payload: unknown) => Promise<RelayAnswer>) => {
    const server = new RelayServer({ redis, prefix, channelId, logger, send });
    servers.push(server);
    server.start();
    return server;
  };

  beforeAll(() => {
    redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', { maxRetriesPerRequest: null });
  });
  afterEach(() => {
    for (const s of servers.splice(0)) s.stop();
  });
  afterAll(async () => {
    const keys = await redis.keys(`${prefix}:*`);
    if (keys.length) await redis.del(...keys);
    await redis.quit();
  });

  it('carries a request to the holder and its answer back, in order', async () => {
    const id = await newChannel(true);
    const sent: unknown[] = [];
    serve(id, async (payload) => {
      sent.push(payload);
      return { sent: true };
    });
    expect(await relaySend(redis, prefix, id, { n: 1 }, QUICK)).toEqual({ sent: true });
    expect(await relaySend(redis, prefix, id, { n: 2 }, QUICK)).toEqual({ sent: true });
    expect(sent).toEqual([{ n: 1 }, { n: 2 }]);
  });

  it("passes on the holder's refusal", async () => {
    const id = await newChannel(true);
    serve(id, async () => ({ sent: false, errcode: 45009, reason: 'limited' }));
    expect(await relaySend(redis, prefix, id, {}, QUICK)).toEqual({ sent: false, errcode: 45009, reason: 'limited' });
  });

  it('says not sent at once where no process holds the connection, and leaves no request', async () => {
    const id = await newChannel(false);
    expect(await relaySend(redis, prefix, id, {}, QUICK)).toEqual({ sent: false, reason: 'no process holds the long connection' });
    expect(await redis.keys(`${prefix}:relay:*${id}*`)).toEqual([]);
  });

  it('withdraws a request nobody took in time; a holder that comes later never sends it', async () => {
    const id = await newChannel(true);
    const outcome = await relaySend(redis, prefix, id, { stale: true }, QUICK);
    expect(outcome).toEqual({ sent: false, reason: 'the long connection did not take the message in time' });
    const sent: unknown[] = [];
    serve(id, async (payload) => {
      sent.push(payload);
      return { sent: true };
    });
    // A fresh request behind the stale one is served; the stale one is not.
    expect(await relaySend(redis, prefix, id, { fresh: true }, QUICK)).toEqual({ sent: true });
    expect(sent).toEqual([{ fresh: true }]);
  });

  it('says it may have been sent when the holder took it and never answered', async () => {
    const id = await newChannel(true);
    let taken = 0;
    serve(id, () => {
      taken++;
      return new Promise<RelayAnswer>(() => {});
    });
    expect(await relaySend(redis, prefix, id, {}, QUICK)).toEqual({
      sent: 'unknown',
      reason: 'the long connection took the message but did not answer in time',
    });
    expect(taken).toBe(1);
  });

  it('a stopped holder takes nothing more', async () => {
    const id = await newChannel(true);
    const sent: unknown[] = [];
    const server = serve(id, async (payload) => {
      sent.push(payload);
      return { sent: true };
    });
    server.stop();
    expect((await relaySend(redis, prefix, id, {}, QUICK)).sent).toBe(false);
    expect(sent).toEqual([]);
  });
});
