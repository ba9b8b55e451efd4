import { Hono } from 'hono';
import { pingDb } from '../db/connect.ts';
import { recentFailures } from '../db/deliveries.ts';
import { runCommand } from '../handlers/index.ts';
import { createEffectRunner } from '../jobs/effects.ts';
import { reminderTiming } from '../jobs/reminders.ts';
import { DASHBOARD_PATH, queueDashboard } from './admin/dashboard.ts';
import type { ServiceDeps } from './admin/deps.ts';
import { adminRoutes } from './admin/routes.ts';
import { settingsFrom } from './chat/context.ts';
import { dispatch } from './chat/dispatch.ts';
import { withDeadline } from './chat/handle.ts';
import type { ChatMessage, Reply } from './chat/message.ts';
import { pingRedis } from './core/redis.ts';
import { ChannelDirectory } from './platforms/channel-directory.ts';
import { dingtalkReceiver } from './platforms/dingtalk/receiver.ts';
import { wecomReceiver, wecomUrlCheck } from './platforms/wecom/receiver.ts';

export type AppDeps = ServiceDeps;

/** The chat layer assembled: a message in, its reply out, through the command table of handlers/. */
export function createDispatch(
  deps: Pick<ServiceDeps, 'config' | 'db' | 'clock' | 'logger' | 'queues'>,
): (message: ChatMessage) => Promise<Reply | null> {
  const dispatchDeps = {
    db: deps.db,
    clock: deps.clock,
    logger: deps.logger,
    settings: settingsFrom(deps.config),
    runEffects: createEffectRunner({ ...deps, timing: reminderTiming(deps.config) }),
    runCommand,
  };
  return (message) => dispatch(dispatchDeps, message);
}

/** The whole HTTP surface, built from its dependencies so that tests run it on real ones. */
export function createApp(deps: AppDeps): Hono {
  const app = new Hono();
  const channels = new ChannelDirectory(deps.db, deps.clock);
  const receiverDeps = { channels, clock: deps.clock, handle: withDeadline(createDispatch(deps), deps.logger) };

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

  app.post('/webhooks/dingtalk/:channel', dingtalkReceiver(receiverDeps));
  app.get('/webhooks/wecom/:channel', wecomUrlCheck(receiverDeps));
  app.post('/webhooks/wecom/:channel', wecomReceiver(receiverDeps));

  app.route(DASHBOARD_PATH, queueDashboard(deps));
  app.route('/admin', adminRoutes({ ...deps, channels }));

  app.onError((err, c) => {
    deps.logger.error({ err, path: c.req.path }, 'request failed');
    return c.json({ error: 'internal error' }, 500);
  });
  return app;
}
