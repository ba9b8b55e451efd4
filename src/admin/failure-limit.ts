import type { Redis } from 'ioredis';
import type { Clock } from '../core/clock.ts';
import { within } from '../core/deadline.ts';

// Guesses at a secret, limited per client address: an attempt takes a place before its guess is
// compared, and past MAX_FAILURES places it is refused without being compared, so that of any
// number sent at once at most MAX_FAILURES are ever judged. A success, and a refusal, give the
// place back; a failure keeps it for FAILURE_WINDOW_MS from that failure. Redis keeps the count for
// every process; when it is down or does not answer in REDIS_WAIT_MS, this process counts on its
// own, by the same rule.

const MAX_FAILURES = 5;
const FAILURE_WINDOW_MS = 15 * 60_000;
const REDIS_WAIT_MS = 200;
// Places are also held for the instant a right guess is being compared: a burst of requests with
// the right token may find them all taken, so a refused attempt tries again a little later.
const RETRIES = 3;
const RETRY_MS = 50;
// Once an in-process count has this many addresses, the expired ones are dropped.
const LOCAL_SWEEP_AT = 10_000;

// A place is given back only to a key that still lives: DECR would make an expired one anew, with no expiry.
const GIVE_BACK = `local n = tonumber(redis.call('GET', KEYS[1]) or '0')
if n > 0 then return redis.call('DECR', KEYS[1]) end
return 0`;

export type Outcome = 'passed' | 'failed' | 'refused';

interface Place {
  count: number;
  giveBack(): Promise<void>;
  keep(): Promise<void>;
}

interface LocalCount {
  count: number;
  until: number;
}

const local = new Map<string, LocalCount>();

const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** `work`'s result, or undefined when it fails or takes longer than REDIS_WAIT_MS. */
const inTime = <T>(work: Promise<T>): Promise<T | undefined> => within(work, REDIS_WAIT_MS, 'Redis').catch(() => undefined);

export class FailureLimit {
  constructor(
    private readonly deps: { redis: Redis; clock: Clock },
    /** The Redis key of an address is this, a colon, and the address. */
    private readonly keyPrefix: string,
  ) {}

  /** Runs `check` on a guess from `address`, unless the address has no attempt left. */
  async attempt(address: string, check: () => boolean): Promise<Outcome> {
    const key = `${this.keyPrefix}:${address}`;
    for (let tries = 0; ; tries++) {
      const place = await this.take(key);
      if (place.count <= MAX_FAILURES) {
        const passed = check();
        await (passed ? place.giveBack() : place.keep());
        return passed ? 'passed' : 'failed';
      }
      await place.giveBack();
      if (tries === RETRIES) return 'refused';
      await wait(RETRY_MS);
    }
  }

  private async take(key: string): Promise<Place> {
    const { redis } = this.deps;
    if (redis.status === 'ready') {
      const sent = redis
        .multi()
        .set(key, 0, 'PX', FAILURE_WINDOW_MS, 'NX')
        .incr(key)
        .exec()
        .then((replies) => {
          const [err, count] = replies?.[1] ?? [];
          return !err && typeof count === 'number' ? count : undefined;
        });
      const count = await inTime(sent);
      if (count !== undefined) {
        return {
          count,
          giveBack: async () => void (await inTime(redis.eval(GIVE_BACK, 1, key))),
          keep: async () => void (await inTime(redis.pexpire(key, FAILURE_WINDOW_MS))),
        };
      }
      // Counted here instead; a place Redis grants too late is given back when it comes.
      sent.then((late) => (late === undefined ? undefined : redis.eval(GIVE_BACK, 1, key))).catch(() => {});
    }
    return this.takeLocal(key);
  }

  private takeLocal(key: string): Place {
    const now = this.deps.clock.now();
    if (local.size >= LOCAL_SWEEP_AT) {
      for (const [k, entry] of local) if (entry.until <= now) local.delete(k);
    }
    let entry = local.get(key);
    if (!entry || entry.until <= now) {
      entry = { count: 0, until: now + FAILURE_WINDOW_MS };
      local.set(key, entry);
    }
    entry.count += 1;
    const held = entry;
    return {
      count: held.count,
      giveBack: async () => {
        held.count = Math.max(0, held.count - 1);
      },
      keep: async () => {
        held.until = this.deps.clock.now() + FAILURE_WINDOW_MS;
      },
    };
  }
}
