import { Hono } from 'hono';
import type { Redis } from 'ioredis';
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { Clock } from './clock.ts';
import type { Config } from './config.ts';
import { ChannelDirectory } from './channel-directory.ts';
import { settingsFrom } from './commands/context.ts';
import { adminRoutes } from './admin/routes.ts';
import { DASHBOARD_PATH, queueDashboard } from './admin/dashboard.ts';
import { dingtalkReceiver } from './platforms/dingtalk/receiver.ts';
import { wecomReceiver, wecomUrlCheck } from './platforms/wecom/receiver.ts';
import type { Database } from '../db/schema.ts';
import { pingDb } from '../db/connect.ts';
import { recentFailures } from '../db/deliveries.ts';
import { pingRedis } from './redis.ts';
import type { Queues } from '../jobs/queues.ts';
import { createEffectRunner } from '../jobs/effects.ts';
import { reminderTiming } from '../jobs/reminders.ts';

export interface AppDeps {
  config: Config;
  db: Kysely<Database>;
  redis: Redis;
  clock: Clock;
  logger: Logger;
  queues: Queues;
}

/** The whole HTTP surface, built from its dependencies so that tests run it on real ones. */
export function createApp(deps: AppDeps): Hono {
  const app = new Hono();
  const channels = new ChannelDirectory(deps.db);
  const settings = settingsFrom(deps.config);
  const runEffects = createEffectRunner({ ...deps, timing: reminderTiming(deps.config) });

  app.get('/healthz', async (c) => {
    const [db, redis] = await Promise.all([
      pingDb(deps.db).then(
        () => 'ok',
        () => 'down',
      ),
      pingRedis(deps.redis).then((up) => (up ? 'ok' : 'down')),
    ]);
    const status = db === 'ok' && redis === 'ok' ? 200 : 503;
    if (c.req.query('details') === undefined || db !== 'ok') return c.json({ db, redis }, status);
    // The last deliveries of the past day that failed for good (a bad robot key, a refused IP),
    // shown here as well as in the log.
    const failed = await recentFailures(deps.db, deps.clock.now() - 86_400_000, 10);
    return c.json({ db, redis, failedDeliveries: failed.map((f) => ({ id: f.id, error: f.last_error })) }, status);
  });

  app.post('/webhooks/dingtalk/:channel', dingtalkReceiver({ ...deps, settings, runEffects, channels, oapiBase: deps.config.DINGTALK_OAPI_BASE }));
  const wecom = { ...deps, settings, runEffects, channels, apiBase: deps.config.WECOM_API_BASE };
  app.get('/webhooks/wecom/:channel', wecomUrlCheck(wecom));
  app.post('/webhooks/wecom/:channel', wecomReceiver(wecom));

  app.route(DASHBOARD_PATH, queueDashboard(deps));
  app.route('/admin', adminRoutes({ ...deps, channels }));

  app.onError((err, c) => {
    deps.logger.error({ err, path: c.req.path }, 'request failed');
    return c.json({ error: 'internal error' }, 500);
  });
  return app;
}
