import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { HonoAdapter } from '@bull-board/hono';
import { serveStatic } from '@hono/node-server/serve-static';
import { Hono, type MiddlewareHandler } from 'hono';
import type { Redis } from 'ioredis';
import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.ts';
import type { Clock } from '../core/clock.ts';
import type { Config } from '../core/config.ts';
import { QUEUE_NAMES, type Queues } from '../../jobs/queues.ts';
import { type Acting, apiActing, audit } from './acting.ts';
import { adminAuth } from './auth.ts';
import { PAGE_POLICY, pageHeaders } from './security-headers.ts';

export const DASHBOARD_PATH = '/admin/queues';

/** What the guard tells the dashboard: true when the viewer may only look (the read-only board). */
export type DashboardEnv = { Variables: { queuesReadOnly?: boolean } };

// bull-board's page asks Google Fonts for its typeface: on an intranet (or where that host is not
// reachable) the page waits for it. The system's fonts do as well, so the link is taken out.
const EXTERNAL_FONT = /<link[^>]+href="https:\/\/fonts\.googleapis\.com[^"]*"[^>]*>/g;

// bull-board's scripts are its own files (its one inline <script> is a JSON data block, which never
// runs), so scripts stay as strict as the console's. Its page and UI style elements inline (style
// attributes on the loading screen, <style> in it and in an SVG icon), so inline styles are let
// through here, and only here; its page sets <base href>.
const DASHBOARD_POLICY = {
  ...PAGE_POLICY,
  styleSrc: ["'self'", "'unsafe-inline'"],
  baseUri: ["'self'"],
};

const ownAssetsOnly: MiddlewareHandler = async (c, next) => {
  await next();
  if (!c.res.headers.get('content-type')?.startsWith('text/html')) return;
  const page = (await c.res.text()).replace(EXTERNAL_FONT, '');
  c.res = new Response(page, { status: c.res.status, headers: c.res.headers });
};

/** A link of the board's header menu: the console's board leads back to the console. */
export type BoardLink = { text: string; url: string };

/** One bull-board at `basePath`, as a Hono app that answers the whole path; read-only boards hide every action and refuse it. */
function board(queues: Queues, basePath: string, readOnlyMode: boolean, links: BoardLink[]): Hono {
  const serverAdapter = new HonoAdapter(serveStatic).setBasePath(basePath);
  createBullBoard({
    queues: QUEUE_NAMES.map((name) => new BullMQAdapter(queues[name], { readOnlyMode })),
    serverAdapter,
    options: { uiConfig: { boardTitle: '同心 queues', miscLinks: links } },
  });
  const app = new Hono().route(basePath, serverAdapter.registerPlugin());
  // Errors go on to the service's own handler, which logs them as every other route's.
  app.onError((err) => {
    throw err;
  });
  return app;
}

/**
 * The queue dashboard (bull-board) at `basePath` behind `guard`: the page, its static files (served
 * from node_modules with @hono/node-server's serveStatic, so Node only) and its API alike. The
 * guard sets `queuesReadOnly` for a viewer who gets the read-only board; `links` go in its header menu.
 */
export function queueDashboard(
  deps: { queues: Queues },
  basePath: string,
  guard: MiddlewareHandler<DashboardEnv>,
  links: BoardLink[] = [],
): Hono<DashboardEnv> {
  const full = board(deps.queues, basePath, false, links);
  const readOnly = board(deps.queues, basePath, true, links);
  const app = new Hono<DashboardEnv>();
  app.use('*', pageHeaders(DASHBOARD_POLICY));
  app.use('*', guard);
  app.use('*', ownAssetsOnly);
  app.all('*', (c) => (c.get('queuesReadOnly') ? readOnly : full).fetch(c.req.raw, c.env));
  return app;
}

/** The methods that only read: every other request to the dashboard is a write. */
export const READS: ReadonlySet<string> = new Set(['GET', 'HEAD']);

/**
 * Puts each write of the dashboard (retry, promote, remove, pause…) on the trail once it is
 * answered, as done or refused; `acting` is who sent it, null for a request nobody may make.
 */
export async function auditQueueWrite(
  deps: { db: Kysely<Database>; clock: Clock },
  acting: Acting | null,
  basePath: string,
  c: { req: { method: string; path: string }; res: Response },
): Promise<void> {
  if (!acting || READS.has(c.req.method)) return;
  const object = `queues:${c.req.method} ${c.req.path.slice(basePath.length) || '/'}`;
  await audit(deps.db, acting, { at: deps.clock.now(), orgId: null, action: 'queues.write', object, result: c.res.ok ? 'ok' : 'refused' });
}

/** At /admin/queues behind the admin API's bearer check: 404 when ADMIN_TOKEN is unset, 401 without the right token. */
export function adminQueueDashboard(deps: { config: Config; queues: Queues; redis: Redis; clock: Clock; db: Kysely<Database> }) {
  const auth = adminAuth(deps);
  const guard: MiddlewareHandler<DashboardEnv> = (c, next) =>
    auth(c, async () => {
      await next();
      await auditQueueWrite(deps, apiActing(c, deps.config), DASHBOARD_PATH, c);
    });
  return queueDashboard(deps, DASHBOARD_PATH, guard);
}
