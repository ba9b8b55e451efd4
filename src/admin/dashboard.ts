import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { HonoAdapter } from '@bull-board/hono';
import { serveStatic } from '@hono/node-server/serve-static';
import { Hono } from 'hono';
import type { Config } from '../core/config.ts';
import { QUEUE_NAMES, type Queues } from '../../jobs/queues.ts';
import { adminAuth } from './auth.ts';

export const DASHBOARD_PATH = '/admin/queues';

/**
 * The queue dashboard (bull-board) at /admin/queues, behind the admin API's bearer check: 404 when
 * ADMIN_TOKEN is unset, 401 without the right token — the page, its static files and its API alike.
 * Node only (it serves its UI's files from node_modules with @hono/node-server's serveStatic).
 */
export function queueDashboard(deps: { config: Pick<Config, 'ADMIN_TOKEN'>; queues: Queues }): Hono {
  const serverAdapter = new HonoAdapter(serveStatic).setBasePath(DASHBOARD_PATH);
  createBullBoard({
    queues: QUEUE_NAMES.map((name) => new BullMQAdapter(deps.queues[name])),
    serverAdapter,
    options: { uiConfig: { boardTitle: '同心 queues' } },
  });
  const app = new Hono();
  app.use('*', adminAuth(deps.config.ADMIN_TOKEN));
  app.route('/', serverAdapter.registerPlugin());
  return app;
}
