import { Redis } from 'ioredis';
import type { Logger } from 'pino';

/**
 * The shared Redis connection. BullMQ needs maxRetriesPerRequest null; while Redis is down, commands
 * wait and the outage is logged once (with how to start one), not once per retry.
 */
export function createRedis(url: string, logger: Logger): Redis {
  const redis = new Redis(url, { maxRetriesPerRequest: null, lazyConnect: false });
  let down = false;
  redis.on('error', (err: Error & { code?: string }) => {
    if (down) return;
    down = true;
    const { host, port } = new URL(url);
    logger.warn(
      `Redis at ${host} is unreachable (${err.code ?? err.message}); start one with: redis-server --daemonize yes --port ${port || 6379}`,
    );
  });
  redis.on('ready', () => {
    if (down) logger.info('Redis is reachable again');
    down = false;
  });
  return redis;
}

/** PING with a deadline, for /healthz: a down Redis must not hang the probe. */
export async function pingRedis(redis: Redis, timeoutMs = 500): Promise<boolean> {
  if (redis.status !== 'ready') return false;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), timeoutMs);
  });
  try {
    return await Promise.race([redis.ping().then((r) => r === 'PONG'), timeout]);
  } catch {
    return false;
  } finally {
    clearTimeout(timer);
  }
}

/**
 * BullMQ needs Redis to keep every key: under an eviction policy other than noeviction, Redis may
 * drop jobs when memory runs short. Logged at start; managed Redis that refuses CONFIG is let be.
 */
export async function warnOnEviction(redis: Redis, logger: Logger): Promise<void> {
  try {
    const [, policy] = (await redis.config('GET', 'maxmemory-policy')) as [string, string];
    if (policy && policy !== 'noeviction') {
      logger.warn(`Redis maxmemory-policy is ${policy}: set it to noeviction, or Redis may drop queued jobs when memory runs short`);
    }
  } catch {
    // CONFIG is disabled on some managed Redis services; docs/operations.md says what to set there.
  }
}
