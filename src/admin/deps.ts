import type { Redis } from 'ioredis';
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { Database } from '../../db/schema.ts';
import type { Queues } from '../../jobs/queues.ts';
import type { Clock } from '../core/clock.ts';
import type { Config } from '../core/config.ts';

/** The running service's parts, built by the entry point and passed down: the app, its routes, the workers. */
export interface ServiceDeps {
  config: Config;
  db: Kysely<Database>;
  redis: Redis;
  clock: Clock;
  logger: Logger;
  queues: Queues;
}
