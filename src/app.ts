import { Hono } from 'hono';
import { COMMAND_TABLE } from '../handlers/index.ts';
import { InboundBatcher, batchOptionsFor } from '../db/inbound-batch.ts';
import type { Db } from '../db/schema.ts';
import { createEffectRunner } from '../jobs/effects.ts';
import { DASHBOARD_PATH, adminQueueDashboard } from './admin/dashboard.ts';
import type { ServiceDeps } from './admin/deps.ts';
import { probe } from './admin/health.ts';
import { adminRoutes } from './admin/routes.ts';
import { consoleRoutes } from './admin/console/routes.ts';
import { favicon } from './admin/console/assets.ts';
import { guideRoutes } from './admin/guide.ts';
import { pageHeaders } from './admin/security-headers.ts';
import { type BatchHint, type BatchReads, CONSOLE_PATH, GUIDE_PATH, settingsFrom } from './chat/context.ts';
import { dispatch } from './chat/dispatch.ts';
import { withDeadline } from './chat/handle.ts';
import { RosterCache } from './chat/roster-cache.ts';
import { readCheckinMeetings } from './chat/meeting-lookup.ts';
import type { ChatMessage, Handle, Reply } from './chat/message.ts';
import { ChannelDirectory } from './platforms/channel-directory.ts';
import { listChannelRefs, webhookRoutes } from './platforms/index.ts';
import { receiverDeps } from './platforms/receiver-deps.ts';

/** The chat layer assembled: a message in, its reply out, through the command table of handlers/. */
export function createDispatch(
  deps: Pick<ServiceDeps, 'config' | 'db' | 'clock' | 'logger' | 'queues'>,
): (message: ChatMessage) => Promise<Reply | null> {
  const roster = new RosterCache(deps.db, deps.clock, deps.config.CACHE_TTL);
  const settings = settingsFrom(deps.config);
  // What a batch's commands will read, read for them together: rosters, then 签到's meetings.
  const beforeBatch = async (trx: Db, hints: BatchHint[]): Promise<BatchReads> => {
    await roster.preload(
      trx,
      hints.filter((h) => h.roster),
    );
    return readCheckinMeetings(trx, settings, deps.clock.now(), hints);
  };
  const dispatchDeps = {
    db: deps.db,
    clock: deps.clock,
    logger: deps.logger,
    settings,
    roster,
    writer: new InboundBatcher<BatchHint, BatchReads>(deps.db, batchOptionsFor(deps.db), beforeBatch),
    runEffects: createEffectRunner(deps),
    commands: COMMAND_TABLE,
    channelRefs: listChannelRefs,
  };
  return (message) => dispatch(dispatchDeps, message);
}

/** What every receiver hands a message to: the chat layer under the answer deadline. */
export const createHandle = (deps: Pick<ServiceDeps, 'config' | 'db' | 'clock' | 'logger' | 'queues'>): Handle =>
  withDeadline(createDispatch(deps), deps.logger, deps.config.MAX_IN_FLIGHT);

/** The whole HTTP surface, built from its dependencies so that tests run it on real ones. */
export function createApp(deps: ServiceDeps): Hono {
  const app = new Hono();
  const channels = new ChannelDirectory(deps.db, deps.clock, deps.config.CACHE_TTL);
  const receivers = receiverDeps({
    channels,
    clock: deps.clock,
    handle: createHandle(deps),
    db: deps.db,
    redis: deps.redis,
    keyPrefix: deps.config.QUEUE_PREFIX,
    logger: deps.logger,
  });

  // No token: the state of the parts only; what failed is in GET /admin/health.
  app.get('/healthz', async (c) => {
    const state = await probe(deps);
    return c.json(state, state.db === 'ok' && state.redis === 'ok' ? 200 : 503);
  });

  // Each platform's callbacks, as its adapter routes them.
  for (const route of webhookRoutes()) {
    const path = `/webhooks/${route.segment}/:channel`;
    if (route.get) app.get(path, route.get(receivers));
    app.post(path, route.post(receivers));
  }

  // The pages a browser opens: framed by no one, and only the service's own scripts run in them.
  for (const path of [GUIDE_PATH, CONSOLE_PATH]) app.use(`${path}/*`, pageHeaders());
  app.get('/favicon.ico', favicon);
  app.route(GUIDE_PATH, guideRoutes());
  app.route(CONSOLE_PATH, consoleRoutes(deps));
  app.route(DASHBOARD_PATH, adminQueueDashboard(deps));
  app.route('/admin', adminRoutes({ ...deps, channels }));

  app.onError((err, c) => {
    // The route's pattern, not the path: what a path names (a member, a meeting) is not the log's.
    deps.logger.error({ err, method: c.req.method, route: c.req.routePath }, 'request failed');
    return c.json({ error: 'internal error' }, 500);
  });
  return app;
}
