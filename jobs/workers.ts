import type { Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import { purgeAudit, purgeExpired } from '../db/retention.ts';
import type { Database } from '../db/schema.ts';
import { reminderTiming } from '../src/chat/context.ts';
import type { Clock } from '../src/core/clock.ts';
import { warnOnEviction } from '../src/core/redis.ts';
import { oncePer } from '../src/core/throttle.ts';
import type { Config } from '../src/core/config.ts';
import { createDigestWorker, syncOrgSchedulers } from './digests.ts';
import { DIRECTORY_DEBOUNCE_MS, createDirectoryWorker, relayDirectoryChanges, syncDirectorySchedulers } from './directory-sync.ts';
import { type OutboundWorkerOptions, createOutboundWorker } from './outbound.ts';
import type { Queues } from './queues.ts';
import { checkRedisEpoch, relayOutbox, resendStale } from './relay.ts';
import { createReminderWorker, reconcileReminders } from './reminders.ts';
import { QuotaCounter } from '../src/platforms/shared/quota.ts';
import type { DemoTerminal } from '../src/platforms/demo/terminal.ts';
import { DAY_MS } from '../src/core/duration.ts';

export interface WorkerDeps {
  config: Config;
  db: Kysely<Database>;
  redis: Redis;
  logger: Logger;
  clock: Clock;
  queues: Queues;
  /** The terminal demo's: where its channel's pushes are shown. */
  terminal?: DemoTerminal;
}

/**
 * How often the outbox is relayed, Redis's epoch checked (a lost Redis must be noticed within
 * 30 s), the rest reconciled, and what is past RETENTION_DAYS purged.
 */
export const INTERVALS = { relay: 2_000, epoch: 10_000, reconcile: 5 * 60_000, purge: 3_600_000 };

/** Runs `task` every `ms` without overlapping itself; a failure is logged at most once a minute. */
function every(ms: number, name: string, logger: Logger, task: () => Promise<unknown>): () => Promise<void> {
  let running: Promise<void> | null = null;
  const gate = oncePer(60_000);
  const tick = () => {
    running ??= task()
      .then(
        () => undefined,
        (err: Error) => gate(() => logger.warn({ task: name, err }, `${name} failed; retrying every ${ms / 1000} s`)),
      )
      .finally(() => {
        running = null;
      });
  };
  const timer = setInterval(tick, ms);
  return async () => {
    clearInterval(timer);
    await running;
  };
}

/** Starts every worker of the process (ROLE worker or all) and the loops that keep Redis a copy of the database. */
export async function startWorkers(
  deps: WorkerDeps,
  options: {
    outbound?: OutboundWorkerOptions;
    intervals?: Partial<typeof INTERVALS>;
    /** How long a directory change event's sync waits for the events after it (DIRECTORY_DEBOUNCE_MS). */
    directoryDebounceMs?: number;
  } = {},
): Promise<{ close(): Promise<void> }> {
  const { config, db, logger, queues, clock } = deps;
  const intervals = { ...INTERVALS, ...options.intervals };
  const timing = reminderTiming(config);
  const relayDeps = { db, queues, clock };
  const schedulers = async () => ({
    ...(await syncOrgSchedulers(queues, db, config)),
    directory: await syncDirectorySchedulers(queues.directory, db),
  });
  const directoryChanges = () => relayDirectoryChanges(db, queues.directory, clock, options.directoryDebounceMs ?? DIRECTORY_DEBOUNCE_MS);
  const reconcile = async () => {
    const reminders = await reconcileReminders({ db, logger, timing }, queues.reminders, clock.now());
    const deliveries = await resendStale(relayDeps);
    // Per-org compliance, digest and directory schedulers: picks up an org's new cron, time zone or departments.
    logger.debug({ reminders, deliveries, schedulers: await schedulers() }, 'reconciled reminders, deliveries and schedulers');
  };
  const purge = async () => {
    const purged = await purgeExpired(db, clock.now() - config.RETENTION_DAYS * DAY_MS);
    if (purged.inboundEvents + purged.deliveries + purged.links)
      logger.info(purged, `purged what is older than ${config.RETENTION_DAYS} days`);
    const audit = await purgeAudit(db, clock.now() - config.AUDIT_RETENTION_DAYS * 86_400_000);
    if (audit) logger.info({ audit }, `purged the trail older than ${config.AUDIT_RETENTION_DAYS} days`);
  };
  const epoch = () =>
    checkRedisEpoch({ ...relayDeps, redis: deps.redis, prefix: config.QUEUE_PREFIX, logger }, async () => void (await schedulers()));

  const workers: Worker[] = [
    createOutboundWorker({ ...deps, redisUrl: config.REDIS_URL }, options.outbound),
    createReminderWorker({
      db,
      outbound: queues.outbound,
      logger,
      redisUrl: config.REDIS_URL,
      prefix: config.QUEUE_PREFIX,
      timing,
      clock,
      quota: new QuotaCounter({ db, redis: deps.redis, logger, clock, prefix: config.QUEUE_PREFIX }),
    }),
    createDigestWorker({
      db,
      outbound: queues.outbound,
      digests: queues.digests,
      logger,
      redisUrl: config.REDIS_URL,
      prefix: config.QUEUE_PREFIX,
      clock,
      checkinCloses: config.CHECKIN_CLOSES,
    }),
    createDirectoryWorker({ ...deps, outbound: queues.outbound, redisUrl: config.REDIS_URL, prefix: config.QUEUE_PREFIX }),
  ];
  for (const worker of workers) {
    // The error itself, not its message: the logger's serializer keeps SQL values out.
    worker.on('failed', (job, err) => logger.warn({ queue: worker.name, job: job?.id, err }, 'job failed'));
    const gate = oncePer(60_000);
    worker.on('error', (err) =>
      gate(() => logger.error({ queue: worker.name, err }, 'worker error (logged once a minute while it lasts)')),
    );
  }
  // The periodic reconcile was once a job scheduler of this queue; it runs in the process now, so that losing Redis cannot stop it.
  await queues.reminders.removeJobScheduler('reconcile');
  await warnOnEviction(deps.redis, logger);
  if (!(await epoch())) await relayOutbox(relayDeps);
  await reconcile();
  await directoryChanges();
  const stops = [
    every(intervals.relay, 'outbox relay', logger, () => relayOutbox(relayDeps)),
    every(intervals.relay, 'directory change relay', logger, directoryChanges),
    every(intervals.epoch, 'Redis epoch check', logger, epoch),
    every(intervals.reconcile, 'reconcile', logger, reconcile),
    every(intervals.purge, 'retention purge', logger, purge),
  ];
  logger.info(`workers running: ${workers.map((w) => w.name).join(', ')}`);
  return {
    // close() lets jobs in flight finish: a SIGTERM never cuts a send in half.
    async close() {
      await Promise.all(stops.map((stop) => stop()));
      await Promise.all(workers.map((w) => w.close()));
    },
  };
}
