import { randomBytes } from 'node:crypto';
import type { Hono } from 'hono';
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { Redis } from 'ioredis';
import { createRedis } from '../../src/core/redis.ts';
import { createApp } from '../../src/app.ts';
import { QUEUE_NAMES, type Queues, createQueues } from '../../jobs/queues.ts';
import { ManualClock } from '../../src/core/clock.ts';
import { type Config, loadConfig } from '../../src/core/config.ts';
import { createLogger } from '../../src/core/logger.ts';
import type { Database } from '../../db/schema.ts';
import { type TestDialect, openTestDb } from './db.ts';

export const ADMIN_TOKEN = 'test-admin-token-0123456789abcdefghij';

export interface TestApp {
  app: Hono;
  db: Kysely<Database>;
  clock: ManualClock;
  config: Config;
  queues: Queues;
  redis: Redis;
  logger: Logger;
  /** An admin API call with the bearer token and a JSON body. */
  admin(method: string, path: string, body?: unknown): Promise<Response>;
  close(): Promise<void>;
}

/** The real app on a fresh database of `dialect`, real Redis, a settable clock. */
export async function startTestApp(dialect: TestDialect, options: { now?: number; env?: Record<string, string> } = {}): Promise<TestApp> {
  const testDb = await openTestDb(dialect);
  const config = loadConfig({
    DATABASE_URL: testDb.url,
    ADMIN_TOKEN,
    QUEUE_PREFIX: `tongxin-test-${randomBytes(4).toString('hex')}`,
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'silent',
    ...options.env,
  });
  const redis = createRedis(config.REDIS_URL, createLogger(config.LOG_LEVEL));
  const clock = new ManualClock(options.now ?? Date.UTC(2026, 10, 28, 2, 0, 0));
  const logger = createLogger(config.LOG_LEVEL);
  const queues = createQueues(config.REDIS_URL, config.QUEUE_PREFIX, logger);
  const app = createApp({ config, db: testDb.db, redis, clock, logger, queues });
  return {
    app,
    db: testDb.db,
    clock,
    config,
    queues,
    redis,
    logger,
    admin: (method, path, body) =>
      Promise.resolve(
        app.request(path, {
          method,
          headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
          body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
        }),
      ),
    async close() {
      await Promise.all(QUEUE_NAMES.map((name) => queues[name].obliterate({ force: true })));
      await queues.close();
      // Whatever else the run left under its prefix (token caches, quota counts, leases).
      const keys = await redis.keys(`${config.QUEUE_PREFIX}:*`);
      if (keys.length) await redis.del(...keys);
      await testDb.close();
      await redis.quit();
    },
  };
}
