import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { within } from '../../core/deadline.ts';

// Sending over a long connection from any process: the connection is held by exactly one process
// (long-connections.ts), the sender may be another (a worker), or the same one, which goes the same
// way. The sender leaves the request in Redis under a key that lives `claimMs` (its deadline), puts
// its id on the channel's list and waits for the answer on a key of its own. The holder serves the
// list: it takes a request only while its key lives (a holder that comes late never sends a stale
// push), marks it taken, sends, waits for the platform's acknowledgement and answers. A sender that
// hears nothing in time withdraws its request: withdrawn before it was taken, it was never sent;
// taken, it may have been (at least once: a retry may repeat it).

/** The key of a channel's long-connection lease: a request is left only where a process holds one. */
export const leaseKey = (prefix: string, channelId: string) => `${prefix}:lease:channel:${channelId}`;

/**
 * What the holder answers: sent (the platform acknowledged it), not sent and why, or `unknown`: sent
 * to the platform, which did not acknowledge it in time, so that it may have taken it.
 */
export type RelayAnswer = { sent: true } | { sent: false; reason: string; errcode?: number } | { sent: 'unknown'; reason: string };

export interface RelayTiming {
  /** How long a request waits to be taken: its deadline. */
  claimMs: number;
  /** How long the holder waits for the platform's acknowledgement. */
  ackMs: number;
}

export const RELAY_TIMING: RelayTiming = { claimMs: 5_000, ackMs: 5_000 };

/** How long a taken mark and an answer are kept: past any sender's wait. */
const KEEP_MS = 60_000;

const keys = (prefix: string) => ({
  list: (channelId: string) => `${prefix}:relay:${channelId}`,
  request: (id: string) => `${prefix}:relay:request:${id}`,
  answer: (id: string) => `${prefix}:relay:answer:${id}`,
});

/** A connection of its own, whose outages the shared connection it was duplicated from already reports. */
const quiet = (connection: Redis): Redis => connection.on('error', () => {});

/** Takes a request whose key still holds it: the payload, its key left as a taken mark (''); null when past its deadline or taken. */
const TAKE = `local v = redis.call('get', KEYS[1])
if not v or v == '' then return false end
redis.call('set', KEYS[1], '', 'PX', ARGV[1])
return v`;

/** Withdraws a request: what its key held (the payload: never taken; '': taken), then nothing. */
const WITHDRAW = `local v = redis.call('get', KEYS[1])
redis.call('del', KEYS[1])
return v`;

/**
 * Sends `payload` through the long connection of `channelId`, held by whichever process holds its
 * lease. Not sent (`sent: false`) when no process holds it or none took the request in time;
 * `unknown` when one took it and could not say whether the platform has it.
 */
export async function relaySend(
  redis: Redis,
  prefix: string,
  channelId: string,
  payload: unknown,
  timing: RelayTiming = RELAY_TIMING,
): Promise<RelayAnswer> {
  if (!(await redis.exists(leaseKey(prefix, channelId)))) return { sent: false, reason: 'no process holds the long connection' };
  const k = keys(prefix);
  const id = randomUUID();
  await redis
    .multi()
    .set(k.request(id), JSON.stringify(payload), 'PX', timing.claimMs)
    .lpush(k.list(channelId), id)
    // A list nobody serves goes with its last request.
    .pexpire(k.list(channelId), timing.claimMs)
    .exec();
  const waitMs = timing.claimMs + timing.ackMs + 1_000;
  // A wait blocks its connection: one of its own, closed after.
  const blocking = quiet(redis.duplicate());
  let got: [string, string] | null;
  try {
    got = await within(blocking.blpop(k.answer(id), Math.ceil(waitMs / 1_000)), waitMs + 2_000, 'the relay');
  } finally {
    blocking.disconnect();
  }
  if (got) return JSON.parse(got[1]) as RelayAnswer;
  const held = (await redis.eval(WITHDRAW, 1, k.request(id))) as string | null;
  return held === ''
    ? { sent: 'unknown', reason: 'the long connection took the message but did not answer in time' }
    : { sent: false, reason: 'the long connection did not take the message in time' };
}

/** The holder's side: serves a channel's list while its connection lives. */
export class RelayServer {
  private blocking: Redis | undefined;

  constructor(
    private readonly opts: {
      redis: Redis;
      prefix: string;
      channelId: string;
      logger: Logger;
      /** Sends one request's payload and says what came of it. */
      send(payload: unknown): Promise<RelayAnswer>;
    },
  ) {}

  start(): void {
    if (this.blocking) return;
    const blocking = quiet(this.opts.redis.duplicate());
    this.blocking = blocking;
    void this.serve(blocking);
  }

  /** Stops taking requests; one taken is still sent and answered. One popped as it stops is not taken: its sender hears nothing and retries. */
  stop(): void {
    const blocking = this.blocking;
    this.blocking = undefined;
    blocking?.disconnect();
  }

  private async serve(blocking: Redis): Promise<void> {
    const list = keys(this.opts.prefix).list(this.opts.channelId);
    while (this.blocking === blocking) {
      let popped: [string, string] | null;
      try {
        popped = await blocking.brpop(list, 5);
      } catch (err) {
        if (this.blocking !== blocking) return;
        this.opts.logger.warn({ err }, 'relay: could not read the requests, trying again');
        await new Promise((resolve) => setTimeout(resolve, 1_000));
        continue;
      }
      if (popped && this.blocking === blocking) void this.take(popped[1]);
    }
  }

  private async take(id: string): Promise<void> {
    const { redis, logger } = this.opts;
    const k = keys(this.opts.prefix);
    try {
      const payload = (await redis.eval(TAKE, 1, k.request(id), KEEP_MS)) as string | null;
      if (payload === null) {
        logger.debug({ request: id }, 'relay: a request past its deadline, dropped');
        return;
      }
      const answer = await this.opts.send(JSON.parse(payload));
      await redis.multi().rpush(k.answer(id), JSON.stringify(answer)).pexpire(k.answer(id), KEEP_MS).exec();
    } catch (err) {
      logger.warn({ err, request: id }, 'relay: a request could not be served');
    }
  }
}
