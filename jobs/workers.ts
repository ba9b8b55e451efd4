import type { Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { Clock } from '../src/core/clock.ts';
import type { Config } from '../src/core/config.ts';
import type { Database } from '../db/schema.ts';
import type { Queues } from './queues.ts';
import { type OutboundWorkerOptions, createOutboundWorker, sweepDeliveries } from './outbound.ts';
import { createReminderWorker, reconcileReminders, reminderTiming, scheduleReconcile } from './reminders.ts';
import { createDigestWorker, syncOrgSchedulers } from './digests.ts';

export interface WorkerDeps {
  config: Config;
  db: Kysely<Database>;
  redis: Redis;
  logger: Logger;
  clock: Clock;
  queues: Queues;
}

/** Starts every worker of the process (ROLE worker or all) and makes good what a restart missed. */
export async function startWorkers(
  deps: WorkerDeps,
  options: { outbound?: OutboundWorkerOptions } = {},
): Promise<{ close(): Promise<void> }> {
  const { config, db, logger, queues, clock } = deps;
  const timing = reminderTiming(config);
  const reconcile = async () => {
    const now = clock.now();
    const meetings = await reconcileReminders(db, queues.reminders, timing, now);
    const deliveries = await sweepDeliveries(db, queues.outbound, now);
    // Per-org compliance and digest schedulers: picks up an org's new cron or time zone.
    const schedulers = await syncOrgSchedulers(queues, db, config);
    logger.debug({ meetings, deliveries, schedulers }, 'reconciled reminders, deliveries and schedulers');
  };
  const workers: Worker[] = [
    createOutboundWorker({ ...deps, redisUrl: config.REDIS_URL }, options.outbound),
    createReminderWorker({
      db,
      outbound: queues.outbound,
      logger,
      redisUrl: config.REDIS_URL,
      prefix: config.QUEUE_PREFIX,
      now: () => clock.now(),
      reconcile,
    }),
    createDigestWorker({
      db,
      outbound: queues.outbound,
      digests: queues.digests,
      logger,
      redisUrl: config.REDIS_URL,
      prefix: config.QUEUE_PREFIX,
      now: () => clock.now(),
    }),
  ];
  for (const worker of workers) {
    worker.on('failed', (job, err) => logger.warn({ queue: worker.name, job: job?.id, err: err.message }, 'job failed'));
    worker.on('error', (err) => logger.error({ queue: worker.name, err: err.message }, 'worker error'));
  }
  await scheduleReconcile(queues.reminders);
  await reconcile();
  logger.info(`workers running: ${workers.map((w) => w.name).join(', ')}`);
  return {
    // close() lets jobs in flight finish: a SIGTERM never cuts a send in half.
    async close() {
      await Promise.all(workers.map((w) => w.close()));
    },
  };
}
