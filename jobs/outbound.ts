import { randomUUID } from 'node:crypto';
import { DelayedError, type Job, type Queue, UnrecoverableError, Worker } from 'bullmq';
import { type Clock, systemClock } from '../src/core/clock.ts';
import type { Db } from '../db/schema.ts';
import {
  claimDelivery,
  claimForMerge,
  finishDelivery,
  getDelivery,
  listMergedInto,
  markDeliveriesRelayed,
  queuedForRateKey,
  recordAttempt,
  recordDelivery,
  releaseDelivery,
} from '../db/deliveries.ts';
import { deliver, robotOf } from '../src/platforms/deliver.ts';
import { type DeliverDeps, PlatformClients } from '../src/platforms/shared/clients.ts';
import type { SendResult } from '../src/platforms/shared/send-result.ts';
import { type Delivery, type OutboundMessage, type Target, mergeMessages } from '../src/domain/outbound.ts';
import { ROBOT_RATE, type RateLimit, takeSlot } from './rate-limit.ts';
import { WORKER_LOCK, bullConnection } from './queues.ts';

// The outbound queue: every message the service sends goes through here. A `deliveries`
// row per message holds its state; the job only names the row. Retries back off exponentially;
// a robot at its limit, or a platform's rate-limit answer, delays the job without costing an
// attempt; a permanent error fails at once; messages queued for one chat are merged.

export const DELIVERY_ATTEMPTS = 8;
/** Merging keeps a message inside WeCom's 4096-byte markdown limit, the smaller of the two platforms'. */
const MERGE_BYTES = 4000;
const MERGE_BATCH = 50;

const jobId = (deliveryId: string) => `deliver-${deliveryId}`;

/** The queue job of a recorded delivery; a second add of the same id is ignored by BullMQ. */
const deliveryJob = (deliveryId: string) => ({
  name: 'deliver',
  data: { deliveryId },
  opts: {
    jobId: jobId(deliveryId),
    attempts: DELIVERY_ATTEMPTS,
    backoff: { type: 'exponential', delay: 2_000 },
    removeOnComplete: true,
    removeOnFail: 1_000,
  },
});

/** Jobs added per round trip to Redis. */
const RELAY_BATCH = 500;

/** Adds the jobs of recorded deliveries, a batch a round trip (the weekly digest relays 1,000 at once), then notes that the queue has them. */
export async function relayDeliveries(db: Db, queue: Queue, ids: readonly string[], now: number): Promise<void> {
  for (let i = 0; i < ids.length; i += RELAY_BATCH) await queue.addBulk(ids.slice(i, i + RELAY_BATCH).map(deliveryJob));
  await markDeliveriesRelayed(db, ids, now);
}

/** Records one message and relays it at once (outside a command's transaction). */
export async function enqueueDelivery(db: Db, queue: Queue, delivery: Delivery, now: number): Promise<void> {
  await recordDelivery(db, delivery, now);
  await relayDeliveries(db, queue, [delivery.id], now);
}

export interface OutboundWorkerOptions {
  rate?: RateLimit;
  /** How long a platform's rate-limit answer delays the message. */
  rateLimitedDelayMs?: number;
  concurrency?: number;
  /**
   * The worker's time: wall-clock by default, as BullMQ's delays and the platforms' per-minute limits
   * are; never a test's stopped clock.
   */
  clock?: Clock;
}

export interface OutboundWorkerDeps extends DeliverDeps {
  redisUrl: string;
}

export function createOutboundWorker(deps: OutboundWorkerDeps, options: OutboundWorkerOptions = {}): Worker {
  const rate = options.rate ?? ROBOT_RATE;
  const rateLimitedDelayMs = options.rateLimitedDelayMs ?? rate.windowMs;
  const clock = options.clock ?? systemClock;
  const clients = new PlatformClients(deps);
  const { db, redis, logger } = deps;

  const delay = async (job: Job, ms: number, token: string | undefined): Promise<never> => {
    await job.moveToDelayed(clock.now() + ms, token);
    throw new DelayedError();
  };

  async function process(job: Job<{ deliveryId: string }>, token?: string): Promise<string> {
    const own = await getDelivery(db, job.data.deliveryId);
    if (!own || !(await claimDelivery(db, own.id, clock.now()))) return 'already handled';
    const carried = await listMergedInto(db, own.id);
    const target = JSON.parse(own.target) as Target;

    // The robot's slot is taken as late as possible, just before the send, so that the times
    // counted are the times the platform sees.
    // Counted per robot actually used, which two chats may share.
    const robot = await robotOf(db, target);
    const slot = { key: `${deps.config.QUEUE_PREFIX}:robot-rate:${robot}`, member: `${own.id}:${randomUUID()}` };
    const wait = await takeSlot(redis, slot.key, rate, clock.now(), slot.member);
    if (wait > 0) {
      // While it waits, a delivery carrying nothing goes back to queued, so that whichever job
      // gets the robot's next slot can carry it along (its own job then finds it merged).
      if (carried.length === 0) await releaseDelivery(db, own.id, clock.now());
      return delay(job, wait, token);
    }

    const batch = [own, ...carried];
    let bytes = batch.reduce((n, d) => n + Buffer.byteLength(d.body), 0);
    // Only group robots have the per-minute limit that merging works around; private messages
    // (and the parts of one split digest) go one by one.
    const mergeable = target.kind === 'chat' ? await queuedForRateKey(db, own.rate_key, own.id, MERGE_BATCH) : [];
    for (const other of mergeable) {
      bytes += Buffer.byteLength(other.body);
      if (bytes > MERGE_BYTES) break;
      if (await claimForMerge(db, other.id, own.id, clock.now())) batch.push(other);
    }
    const message = mergeMessages(batch.map((d) => JSON.parse(d.body) as OutboundMessage));

    let result: SendResult;
    try {
      result = await deliver(deps, clients, target, message, own.id);
    } catch (err) {
      // A sender throws only on content it must not send (over the platform's limit): not retryable.
      result = { delivered: false, kind: 'permanent', reason: (err as Error).message };
    }
    const now = clock.now();
    if (result.delivered) {
      await finishDelivery(db, own.id, 'sent', null, now);
      return batch.length > 1 ? `sent with ${batch.length - 1} merged` : 'sent';
    }
    await recordAttempt(db, own.id, result.reason, now);
    if (result.kind === 'rate-limited') {
      logger.warn({ delivery: own.id, robot: own.rate_key }, `outbound rate-limited by the platform, retrying in ${rateLimitedDelayMs} ms`);
      return delay(job, rateLimitedDelayMs, token);
    }
    const last = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
    if (result.kind === 'permanent' || last) {
      await finishDelivery(db, own.id, 'failed', result.reason, now);
      logger.error({ delivery: own.id, robot: own.rate_key, errcode: result.errcode }, `outbound delivery failed: ${result.reason}`);
      throw new UnrecoverableError(result.reason);
    }
    throw new Error(result.reason);
  }

  return new Worker('outbound', process, {
    connection: bullConnection(deps.redisUrl),
    prefix: deps.config.QUEUE_PREFIX,
    concurrency: options.concurrency ?? 8,
    ...WORKER_LOCK,
  });
}
