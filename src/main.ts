import { serve } from '@hono/node-server';
import { ConfigError, loadConfig } from './config.ts';
import { createLogger } from './logger.ts';
import { createRedis } from './redis.ts';
import { createApp } from './app.ts';
import { systemClock } from './clock.ts';
import { dialectOf, openDb } from '../db/connect.ts';

// The Node entry: the only file that knows about process, ports and signals.

let config;
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
const app = createApp({ config, db, redis, clock: systemClock, logger });

const server = serve({ fetch: app.fetch, port: config.PORT }, (info) => {
  logger.info(`tongxin listening on http://localhost:${info.port} (${dialectOf(config.DATABASE_URL)} database)`);
});

let stopping = false;
async function stop(signal: string) {
  if (stopping) return;
  stopping = true;
  logger.info(`${signal}: shutting down`);
  server.close();
  await Promise.allSettled([db.destroy(), redis.quit()]);
  process.exit(0);
}
process.on('SIGTERM', () => void stop('SIGTERM'));
process.on('SIGINT', () => void stop('SIGINT'));
