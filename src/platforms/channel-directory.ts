import type { Kysely } from 'kysely';
import type { Clock } from '../core/clock.ts';
import { within } from '../core/deadline.ts';
import type { Channel } from '../domain/channels.ts';
import type { Database } from '../../db/schema.ts';
import { getChannel } from '../../db/channels.ts';

/** The part of a webhook's 1 s a channel lookup may take (see ANSWER_DEADLINE_MS). */
export const CHANNEL_LOOKUP_MS = 200;

/**
 * Channels by id for the webhooks, cached briefly: every callback needs one, and they change only
 * through the admin API, which invalidates this process's copy (other processes see it within TTL).
 */
export class ChannelDirectory {
  private readonly cache = new Map<string, { channel: Channel | undefined; until: number }>();

  constructor(
    private readonly db: Kysely<Database>,
    private readonly clock: Clock,
    /** CACHE_TTL: how long another process's change may go unseen. */
    private readonly ttlMs: number,
  ) {}

  /** Throws when the database cannot answer in time: the webhook answers 503 and the platform retries. */
  async get(id: string): Promise<Channel | undefined> {
    const now = this.clock.now();
    const hit = this.cache.get(id);
    if (hit && hit.until > now) return hit.channel;
    const channel = await within(getChannel(this.db, id), CHANNEL_LOOKUP_MS, 'the channel lookup');
    // Unknown ids are not cached: a flood of made-up ids must not grow the map.
    if (channel) this.cache.set(id, { channel, until: now + this.ttlMs });
    return channel;
  }

  invalidate(id: string): void {
    this.cache.delete(id);
  }
}
