import { Redis } from 'ioredis';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkRedisEpoch } from '../jobs/relay.ts';
import { type TestApp, startTestApp } from './helpers/app.ts';
import { DIALECTS } from './helpers/db.ts';

// The Redis epoch check says what it found: a first start on a fresh database is routine (info);
// an epoch the database does not know, once it knew one, means Redis lost its copy (warn).

describe.each(DIALECTS)('the Redis epoch check on %s', (dialect) => {
  let t: TestApp;
  let redis: Redis;
  const logged: { level: number; msg: string }[] = [];
  const logger = pino({ level: 'info' }, { write: (line: string) => void logged.push(JSON.parse(line)) });

  beforeAll(async () => {
    t = await startTestApp(dialect);
    redis = new Redis(t.config.REDIS_URL, { maxRetriesPerRequest: null });
  });
  afterAll(async () => {
    const keys = await redis.keys(`${t.config.QUEUE_PREFIX}:*`);
    if (keys.length) await redis.del(...keys);
    await redis.quit();
    await t.close();
  });

  it('logs a first start as info, a lost Redis as a warning, and nothing when all is well', async () => {
    const deps = { db: t.db, queues: t.queues, clock: t.clock, redis, prefix: t.config.QUEUE_PREFIX, logger };
    let rebuilds = 0;
    const rebuild = async () => void rebuilds++;
    expect(await checkRedisEpoch(deps, rebuild)).toBe(true);
    expect(await checkRedisEpoch(deps, rebuild)).toBe(false);
    await redis.del(`${t.config.QUEUE_PREFIX}:epoch`);
    expect(await checkRedisEpoch(deps, rebuild)).toBe(true);
    expect(rebuilds).toBe(2);
    expect(logged.map((l) => [l.level, l.msg.split(':')[0]])).toEqual([
      [30, 'first start on this database'],
      [40, 'Redis holds no copy of the schedule (new, emptied or failed over)'],
    ]);
  });
});
