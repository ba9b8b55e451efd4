import type { Redis } from 'ioredis';

// Open-source BullMQ limits only a whole queue; a robot's own limit (20 a minute on both
// platforms) is counted here: a sliding window of send times per robot, checked and taken
// atomically in Redis so that any number of workers share it.

const SCRIPT = `
local key, now, window, limit, member = KEYS[1], tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]), ARGV[4]
redis.call('ZREMRANGEBYSCORE', key, '-inf', now - window)
if redis.call('ZCARD', key) < limit then
  redis.call('ZADD', key, now, member)
  redis.call('PEXPIRE', key, window)
  return 0
end
local oldest = redis.call('ZRANGE', key, 0, 0, 'WITHSCORES')
return tonumber(oldest[2]) + window - now + 1
`;

export interface RateLimit {
  limit: number;
  windowMs: number;
}

/** Both platforms allow 20 messages a minute to one group robot. */
export const ROBOT_RATE: RateLimit = { limit: 20, windowMs: 60_000 };

/**
 * Takes one send slot of `key` at `now`: 0 when taken, else how many ms until one frees up.
 * `member` must be unique per send (the delivery id).
 */
export async function takeSlot(redis: Redis, key: string, rate: RateLimit, now: number, member: string): Promise<number> {
  // A tenth of the window (at most a second) spare: the platform counts arrival times, a little
  // after ours.
  const window = rate.windowMs + Math.min(1_000, Math.round(rate.windowMs / 10));
  const wait = await redis.eval(SCRIPT, 1, key, now, window, rate.limit, member);
  return Number(wait);
}
