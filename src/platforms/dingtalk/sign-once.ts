import { createHash } from 'node:crypto';
import DataLoader from 'dataloader';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { within } from '../../core/deadline.ts';
import { oncePer } from '../../core/throttle.ts';
import { MAX_CLOCK_SKEW_MS } from '../shared/callback-time.ts';

// A DingTalk callback's `sign` covers only its timestamp: whoever saw one header pair could send any
// body under it for an hour. So a pair carries one message only: the first message id it comes
// with is kept (in Redis, shared by every process, until the pair is too old to be accepted), and
// the pair with another message is turned away. DingTalk signs at the millisecond, so two genuine
// messages may share a pair; the second is answered 503, which DingTalk sends again, newly signed.
// The pairs of callbacks that arrive together are claimed together, in one script: a burst costs
// Redis a round trip per turn of the event loop, not one a callback.

/** Keeps each pair's first message id (KEYS; ARGV: id, ms to keep, …): 1 where the id kept is the one given, else 0. */
const CLAIM = `local taken = {}
for i, key in ipairs(KEYS) do
  local id = ARGV[2 * i - 1]
  if redis.call('set', key, id, 'NX', 'PX', ARGV[2 * i]) or redis.call('get', key) == id then taken[i] = 1 else taken[i] = 0 end
end
return taken`;

interface Claim {
  key: string;
  messageId: string;
  keepMs: number;
}

/** How long Redis may take before this process decides alone. */
const REDIS_WAIT_MS = 100;
/** Pairs kept in this process while Redis cannot be asked; past this many, the oldest go. */
const LOCAL_MAX = 100_000;

export class SignOnce {
  /** While Redis does not answer: this process's own record, oldest first. */
  private readonly local = new Map<string, { messageId: string; until: number }>();
  private readonly warnAlone = oncePer(60_000);
  private readonly warnReused = oncePer(60_000);
  private readonly claims: DataLoader<Claim, boolean>;

  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly logger: Logger,
  ) {
    this.claims = new DataLoader(
      async (batch) => {
        const keys = batch.map((c) => c.key);
        const args = batch.flatMap((c) => [c.messageId, String(c.keepMs)]);
        const taken = (await this.redis.eval(CLAIM, keys.length, ...keys, ...args)) as number[];
        return taken.map((t) => t === 1);
      },
      // Gathered until the event loop has read every callback that arrived with this one.
      { cache: false, batchScheduleFn: (send) => setImmediate(send) },
    );
  }

  /** Whether the pair `(timestamp, sign)` of `channelId` may carry `messageId`: the first it came with, or that one again. */
  async claim(channelId: string, timestamp: string, sign: string, messageId: string, now: number): Promise<boolean> {
    const key = `${this.prefix}:dingtalk-sign:${channelId}:${createHash('sha256').update(`${timestamp}\n${sign}`).digest('base64url')}`;
    // Kept for as long as the timestamp is accepted, and a minute more.
    const keepMs = Math.max(Number(timestamp) + MAX_CLOCK_SKEW_MS - now, 0) + 60_000;
    let accepted: boolean | undefined;
    if (this.redis.status === 'ready') {
      accepted = await within(this.claims.load({ key, messageId, keepMs }), REDIS_WAIT_MS, 'Redis').catch(() => undefined);
    }
    if (accepted === undefined) {
      this.warnAlone(() =>
        this.logger.warn('DingTalk callback signatures are checked for reuse in this process only: Redis does not answer'),
      );
      accepted = this.claimLocally(key, messageId, now + keepMs, now);
    }
    if (!accepted)
      this.warnReused(() =>
        this.logger.warn({ channel: channelId }, 'a DingTalk callback signature came with a second message: answered 503'),
      );
    return accepted;
  }

  private claimLocally(key: string, messageId: string, until: number, now: number): boolean {
    const kept = this.local.get(key);
    if (kept && kept.until > now) return kept.messageId === messageId;
    this.local.delete(key);
    this.local.set(key, { messageId, until });
    for (const [old, entry] of this.local) {
      if (this.local.size <= LOCAL_MAX && entry.until > now) break;
      this.local.delete(old);
    }
    return true;
  }
}
