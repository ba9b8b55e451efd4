import type { Redis } from 'ioredis';

// An access token (WeCom gettoken, DingTalk oauth2) shared by every process through Redis, and
// fetched at most once at a time per process, so that a burst of sends makes one token call.

/** Cached tokens expire this much before the platform's expiry, so none is used at the edge of it. */
const MARGIN_S = 300;

// Drops the cached token only while it is still the one the platform rejected: another process
// may already have stored a fresh one.
const DROP_IF_SAME = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end return 0";

export class SharedToken {
  private loading: Promise<string> | null = null;

  /** `fetchToken` asks the platform (it throws the platform's own token error when it cannot). */
  constructor(
    private readonly redis: Redis,
    private readonly key: string,
    private readonly fetchToken: () => Promise<{ token: string; expiresInS: number }>,
  ) {}

  get(): Promise<string> {
    this.loading ??= this.load().finally(() => {
      this.loading = null;
    });
    return this.loading;
  }

  /** A token other than `stale`: a load already in flight may have read `stale` before it was dropped. */
  async fresh(stale: string): Promise<string> {
    await this.redis.eval(DROP_IF_SAME, 1, this.key, stale);
    const token = await this.get();
    return token === stale ? this.get() : token;
  }

  private async load(): Promise<string> {
    const cached = await this.redis.get(this.key);
    if (cached) return cached;
    const { token, expiresInS } = await this.fetchToken();
    const ttl = expiresInS - MARGIN_S;
    if (ttl > 0) await this.redis.set(this.key, token, 'EX', ttl);
    return token;
  }
}

/** A platform's expiry in seconds, 7200 when it gave none. */
export function expirySeconds(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) ? Math.floor(value) : 7200;
}
