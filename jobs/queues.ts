import { type ConnectionOptions, Queue } from 'bullmq';

// The three queues of SPEC §1, under QUEUE_PREFIX. BullMQ is given connection options, not a
// client, so that it opens (and on close quits) its own connections, blocking ones included.

export const QUEUE_NAMES = ['reminders', 'digests', 'outbound'] as const;
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

export type Queues = Record<QueueName, Queue> & { close(): Promise<void> };

export function createQueues(redisUrl: string, prefix: string): Queues {
  const make = (name: QueueName) => new Queue(name, { connection: bullConnection(redisUrl), prefix });
  const queues = { reminders: make('reminders'), digests: make('digests'), outbound: make('outbound') };
  return {
    ...queues,
    async close() {
      await Promise.all(Object.values(queues).map((q) => q.close()));
    },
  };
}
