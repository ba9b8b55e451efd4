import { type Config, ConfigError, loadConfig } from './core/config.ts';
import { createLogger } from './core/logger.ts';
import { createRedis } from './core/redis.ts';
import { serveHttp } from './core/http-server.ts';
import { createApp, createHandle } from './app.ts';
import { LongConnections } from './platforms/long-connections.ts';
import { systemClock } from './core/clock.ts';
import { dialectOf, openDb } from '../db/connect.ts';
import { createQueues } from '../jobs/queues.ts';
import { startWorkers } from '../jobs/workers.ts';

// The Node entry: the only file that knows about process, ports and signals. ROLE=web serves HTTP
// and holds the long connections it wins, ROLE=worker runs the queues' workers, ROLE=all (the
// default) both, in one process.

let config: Config;
try {
  config = loadConfig();
} catch (err) {
  if (!(err instanceof ConfigError)) throw err;
  process.stderr.write(`tongxin: bad configuration: ${err.message}\n`);
  process.exit(1);
}

const logger = createLogger(config.LOG_LEVEL);
let db: Awaited<ReturnType<typeof openDb>>;
try {
  db = await openDb(config.DATABASE_URL);
} catch (err) {
  logger.fatal({ err }, `cannot open the ${dialectOf(config.DATABASE_URL)} database named by DATABASE_URL`);
  process.exit(1);
}
const redis = createRedis(config.REDIS_URL, logger);
const queues = createQueues(config.REDIS_URL, config.QUEUE_PREFIX, logger);
const deps = { config, db, redis, clock: systemClock, logger, queues };

const server =
  config.ROLE === 'worker'
    ? undefined
    : serveHttp(createApp(deps).fetch, { port: config.PORT }, (info) => {
        logger.info(`tongxin listening on http://localhost:${info.port} (${dialectOf(config.DATABASE_URL)} database)`);
      });
let stopping = false;

// Channels that receive over a long connection are held by one web process each (a Redis lease).
const longConnections = config.ROLE === 'worker' ? undefined : new LongConnections({ ...deps, handle: createHandle(deps) });
longConnections?.start().catch((err: unknown) => logger.error({ err }, 'long connections could not start; retrying at the next sync'));

// Workers start once Redis answers (they reconcile first); with Redis down this waits.
const workersStarting = config.ROLE === 'web' ? undefined : startWorkers(deps);
workersStarting?.catch((err: unknown) => {
  if (stopping) return;
  logger.fatal({ err }, 'the queue workers could not start');
  process.exit(1);
});

/** How long a stop waits for workers still starting (Redis down) before it leaves without them. */
const START_WAIT_MS = 5_000;

async function stop(signal: string) {
  if (stopping) return;
  stopping = true;
  logger.info(`${signal}: shutting down`);
  server?.close();
  // Released at once, so that another process takes the channels over without waiting for the lease.
  await longConnections?.stop().catch((err: unknown) => logger.warn({ err }, 'long connections did not stop cleanly'));
  // Workers first: they finish the jobs in flight, which still need the database and Redis.
  const workers = await Promise.race([
    workersStarting?.catch(() => undefined),
    new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), START_WAIT_MS).unref()),
  ]);
  await workers?.close();
  await Promise.allSettled([queues.close(), db.destroy(), redis.quit()]);
  process.exit(0);
}
process.on('SIGTERM', () => void stop('SIGTERM'));
process.on('SIGINT', () => void stop('SIGINT'));
