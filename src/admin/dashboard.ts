import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { HonoAdapter } from '@bull-board/hono';
import { serveStatic } from '@hono/node-server/serve-static';
import { Hono, type MiddlewareHandler } from 'hono';
import type { Config } from '../core/config.ts';
import { QUEUE_NAMES, type Queues } from '../../jobs/queues.ts';
import { adminAuth } from './auth.ts';

export const DASHBOARD_PATH = '/admin/queues';

// bull-board's page asks Google Fonts for its typeface: on an intranet (or where that host is not
// reachable) the page waits for it. The system's fonts do as well, so the link is taken out.
const EXTERNAL_FONT = /<link[^>]+href="https:\/\/fonts\.googleapis\.com[^"]*"[^>]*>/g;

const ownAssetsOnly: MiddlewareHandler = async (c, next) => {
  await next();
  if (!c.res.headers.get('content-type')?.startsWith('text/html')) return;
  const page = (await c.res.text()).replace(EXTERNAL_FONT, '');
  c.res = new Response(page, { status: c.res.status, headers: c.res.headers });
};

/**
 * The queue dashboard (bull-board) at `basePath` behind `guard`: the page, its static files (served
 * from node_modules with @hono/node-server's serveStatic, so Node only) and its API alike.
 */
export function queueDashboard(deps: { queues: Queues }, basePath: string, guard: MiddlewareHandler): Hono {
  const serverAdapter = new HonoAdapter(serveStatic).setBasePath(basePath);
  createBullBoard({
    queues: QUEUE_NAMES.map((name) => new BullMQAdapter(deps.queues[name])),
    serverAdapter,
    options: { uiConfig: { boardTitle: '同心 queues' } },
  });
  const app = new Hono();
  app.use('*', guard);
  app.use('*', ownAssetsOnly);
  app.route('/', serverAdapter.registerPlugin());
  return app;
}

/** At /admin/queues behind the admin API's bearer check: 404 when ADMIN_TOKEN is unset, 401 without the right token. */
export const adminQueueDashboard = (deps: { config: Pick<Config, 'ADMIN_TOKEN'>; queues: Queues }) =>
  queueDashboard(deps, DASHBOARD_PATH, adminAuth(deps.config.ADMIN_TOKEN));
