import { type ConnectionOptions, Queue } from 'bullmq';
import type { Logger } from 'pino';
import { oncePer } from '../src/core/throttle.ts';

// The queues (reminders, outbound, digests, directory), under QUEUE_PREFIX. BullMQ is given connection options, not a
// client, so that it opens (and on close quits) its own connections, blocking ones included.

export const QUEUE_NAMES = ['reminders', 'digests', 'outbound', 'directory'] as const;
export type QueueName = (typeof QUEUE_NAMES)[number];

/** ioredis options from a redis:// URL (BullMQ needs maxRetriesPerRequest null). */
export function bullConnection(url: string): ConnectionOptions {
  const u = new URL(url);
  return {
    host: u.hostname,
    port: u.port ? Number(u.port) : 6379,
    ...(u.username ? { username: decodeURIComponent(u.username) } : {}),
    ...(u.password ? { password: decodeURIComponent(u.password) } : {}),
    ...(u.pathname.length > 1 ? { db: Number(u.pathname.slice(1)) } : {}),
    ...(u.protocol === 'rediss:' ? { tls: {} } : {}),
    maxRetriesPerRequest: null,
  };
}

/**
 * Every worker's lock: held 15 s and renewed every 7.5 s while a job runs, so that a job whose
 * worker died (SIGKILL, a lost machine) is found stalled and taken up again within about 20 s
 * (BullMQ's defaults, 30 s each, leave it for up to a minute).
 */
export const WORKER_LOCK = { lockDuration: 15_000, stalledInterval: 5_000 } as const;

export type Queues = Record<QueueName, Queue> & { close(): Promise<void> };

/** While Redis is down each queue's connection errors on every retry: one line a minute is enough. */
const QUEUE_ERROR_EVERY_MS = 60_000;

/**
 * The queues. With `logger`, a queue's connection errors are one warn line per queue a
 * minute, without a stack (BullMQ, left without an 'error' listener, prints each one's stack).
 */
export function createQueues(redisUrl: string, prefix: string, logger?: Logger): Queues {
  const make = (name: QueueName) => {
    const queue = new Queue(name, { connection: bullConnection(redisUrl), prefix });
    if (logger) {
      const gate = oncePer(QUEUE_ERROR_EVERY_MS);
      queue.on('error', (err: Error & { code?: string }) =>
        gate(() => logger.warn({ queue: name, code: err.code }, `queue ${name}: ${err.message} (logged once a minute while it lasts)`)),
      );
    }
    return queue;
  };
  const queues = { reminders: make('reminders'), digests: make('digests'), outbound: make('outbound'), directory: make('directory') };
  return {
    ...queues,
    async close() {
      await Promise.all(Object.values(queues).map((q) => q.close()));
    },
  };
}
