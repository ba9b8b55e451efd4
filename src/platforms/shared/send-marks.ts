import type { Redis } from 'ioredis';
import type { Logger } from 'pino';

// What one attempt of a send leaves for the later attempts of the same send, where the platform's
// answer to a retry cannot tell them what the earlier attempt did: a push the platform may have
// taken without saying so, a card it made and did not deliver. Kept a day, past every retry of the
// outbound queue.

const KEEP_S = 86_400;

export interface SendMarks {
  set(key: string): Promise<void>;
  /** Whether `key` is marked; null when Redis cannot say, for the caller to take the safe side. */
  has(key: string): Promise<boolean | null>;
}

/** The marks of one `kind` (what they say of the attempt), under the queue's prefix. */
export function sendMarks(deps: { redis: Redis; logger: Logger; keyPrefix: string }, kind: string): SendMarks {
  const full = (key: string) => `${deps.keyPrefix}:send-mark:${kind}:${key}`;
  return {
    async set(key) {
      try {
        await deps.redis.set(full(key), '1', 'EX', KEEP_S);
      } catch (err) {
        deps.logger.warn({ err, kind, key }, 'a send could not be marked for its retries');
      }
    },
    async has(key) {
      try {
        return (await deps.redis.exists(full(key))) === 1;
      } catch (err) {
        deps.logger.warn({ err, kind, key }, "a send's mark could not be read");
        return null;
      }
    },
  };
}
