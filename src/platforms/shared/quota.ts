import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { listOrgChannelConfigs } from '../../../db/channels.ts';
import { recordDelivery } from '../../../db/deliveries.ts';
import { listOrgAdmins } from '../../../db/members.ts';
import { getOrg } from '../../../db/orgs.ts';
import type { Db } from '../../../db/schema.ts';
import type { Clock } from '../../core/clock.ts';
import type { Channel } from '../../domain/channels.ts';
import { deliveryId } from '../../domain/outbound.ts';
import { DINGTALK_BUDGET, type QuotaKind, levelsReached, monthKey, quotaWarning } from '../../domain/quota.ts';
import type { AccountPlatform } from '../../domain/records.ts';
import { privateTarget } from '../../domain/targets.ts';
import { adapterFor, channelRef } from '../index.ts';

// Calls to the platforms, counted per org, platform, kind and month in Redis: a count
// is bumped on every call, where a database write would slow every send. Redis losing its data
// restarts the month's counts (a warning may then come late); the platform's own answer (90020)
// still stops what exceeds the quota.

/** Calls are counted by the platform whose accounts they reach: both WeCom kinds share WeCom's. */
export type QuotaPlatform = AccountPlatform;

const KINDS: QuotaKind[] = ['webhook', 'api'];
const KEEP_S = 40 * 86_400;

export interface QuotaUse {
  platform: QuotaPlatform;
  kind: QuotaKind;
  month: string;
  used: number;
  /** DingTalk's monthly budget; WeCom has no monthly quota, only rates. */
  budget: number | null;
}

/** The org's DingTalk budget: the smallest its DingTalk channels set, else the standard edition's. */
export function budgetOf(channels: Channel[], kind: QuotaKind): number {
  const set = channels.flatMap((c) =>
    c.config.platform === 'dingtalk' && c.config.monthlyBudget?.[kind] ? [c.config.monthlyBudget[kind]] : [],
  );
  return set.length ? Math.min(...set) : DINGTALK_BUDGET[kind];
}

/** The platform a channel's calls count against; none for the terminal demo's, which calls nothing. */
const quotaPlatformOf = (channel: Channel): QuotaPlatform | null => adapterFor(channel).quota;

export class QuotaCounter {
  constructor(private readonly deps: { db: Db; redis: Redis; logger: Logger; clock: Clock; prefix: string }) {}

  private key(orgId: string, platform: QuotaPlatform, kind: QuotaKind, month: string): string {
    return `${this.deps.prefix}:quota:${orgId}:${platform}:${kind}:${month}`;
  }

  /**
   * Counts `n` calls of `kind` made through `channel`; tells the org's admins when a DingTalk
   * budget's 80 % or 100 % is reached. Never throws: a count that fails must not stop the call.
   */
  async count(channel: Channel, kind: QuotaKind, n = 1): Promise<void> {
    try {
      await this.add(channel, kind, n);
    } catch (err) {
      this.deps.logger.warn({ err, channel: channel.id, kind }, 'a platform call could not be counted');
    }
  }

  private async add(channel: Channel, kind: QuotaKind, n: number): Promise<void> {
    const platform = quotaPlatformOf(channel);
    if (!platform) return;
    const now = this.deps.clock.now();
    const org = await getOrg(this.deps.db, channel.orgId);
    if (!org) return;
    const month = monthKey(now, org.timezone);
    const key = this.key(org.id, platform, kind, month);
    const results = await this.deps.redis.multi().incrby(key, n).expire(key, KEEP_S).exec();
    const after = Number(results?.[0]?.[1] ?? n);
    if (platform !== 'dingtalk') return;
    const channels = await listOrgChannelConfigs(this.deps.db, org.id);
    const budget = budgetOf(channels, kind);
    for (const percent of levelsReached(after - n, after, budget)) await this.warn(org.id, channels, kind, after, budget, percent, month);
  }

  /** This month's counts of the org, for each platform it has channels of, each kind. */
  async usage(orgId: string, tz: string): Promise<QuotaUse[]> {
    const month = monthKey(this.deps.clock.now(), tz);
    const channels = await listOrgChannelConfigs(this.deps.db, orgId);
    const platforms = [...new Set(channels.flatMap((c) => quotaPlatformOf(c) ?? []))].sort();
    if (platforms.length === 0) return [];
    const keys = platforms.flatMap((p) => KINDS.map((k) => [p, k] as const));
    const counts = await this.deps.redis.mget(...keys.map(([p, k]) => this.key(orgId, p, k, month)));
    return keys.map(([platform, kind], i) => ({
      platform,
      kind,
      month,
      used: Number(counts[i] ?? 0),
      budget: platform === 'dingtalk' ? budgetOf(channels, kind) : null,
    }));
  }

  private async warn(orgId: string, channels: Channel[], kind: QuotaKind, used: number, budget: number, percent: number, month: string) {
    const admins = await listOrgAdmins(this.deps.db, orgId);
    const now = this.deps.clock.now();
    let told = 0;
    for (const admin of admins) {
      const to = privateTarget(admin, channels.map(channelRef));
      if (!to) continue;
      // Recorded, not sent: the workers' relay queues it, once (the id is the same for a repeat).
      await recordDelivery(
        this.deps.db,
        {
          id: deliveryId('quota', [orgId, kind, month, percent, admin.id]),
          orgId,
          target: to.target,
          message: { title: '钉钉调用额度提醒', markdown: quotaWarning(kind, used, budget, percent) },
        },
        now,
      );
      told++;
    }
    this.deps.logger.warn(
      { org: orgId, kind, used, budget },
      `DingTalk ${kind} calls reached ${percent}% of the monthly budget; ${told} org admin(s) told`,
    );
  }
}
