import type { Redis } from 'ioredis';
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import { type Clock, systemClock } from '../../core/clock.ts';
import type { Config } from '../../core/config.ts';
import type { Database } from '../../../db/schema.ts';
import type { DemoTerminal } from '../demo/terminal.ts';
import { QuotaCounter } from './quota.ts';

// What every platform's sender shares: the service's parts, the count of calls made, and its
// platform API clients, one per channel, so that their token caches (in Redis) are reused.

export interface DeliverDeps {
  db: Kysely<Database>;
  redis: Redis;
  logger: Logger;
  /** The month calls are counted under; the system's clock when absent. */
  clock?: Clock;
  config: Pick<Config, 'WECOM_API_BASE' | 'DINGTALK_OAPI_BASE' | 'DINGTALK_API_BASE' | 'QUEUE_PREFIX' | 'CHECKIN_CLOSES' | 'PUBLIC_URL'>;
  /** The terminal the demo's channel shows its pushes in; only the terminal demo has one. */
  terminal?: DemoTerminal;
}

/** The count of platform calls, and the API clients the platforms' adapters keep in it (api-cache.ts). */
export class PlatformClients {
  readonly quota: QuotaCounter;

  constructor(readonly deps: DeliverDeps) {
    this.quota = new QuotaCounter({ ...deps, clock: deps.clock ?? systemClock, prefix: deps.config.QUEUE_PREFIX });
  }

  /** What every API client is made with besides its credentials and base. */
  common() {
    return { redis: this.deps.redis, logger: this.deps.logger, keyPrefix: this.deps.config.QUEUE_PREFIX };
  }
}
