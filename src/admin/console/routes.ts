import { Hono, type MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import type { ServiceDeps } from '../deps.ts';
import { CONSOLE_PATH } from '../../chat/context.ts';
import { queueDashboard } from '../dashboard.ts';
import { ASSET_PATH, assetRoutes } from './assets.ts';
import { loginRoutes } from './login.ts';
import { meetingPages } from './meetings.ts';
import { QUEUES_PATH, seesQueues } from './nav.ts';
import { orgPages } from './org-pages.ts';
import { memberPages } from './members.ts';
import { overviewRoutes } from './overview.ts';
import { reportPages } from './reports.ts';
import { type ConsoleEnv, requireViewer, viewerOf } from './session.ts';

// The console (SPEC §9.4) at /console: on only when PUBLIC_URL says where the service is reached,
// since its sign-in links must point there. Pages are server-rendered; writes carry a CSRF token.

export function consoleRoutes(deps: ServiceDeps): Hono<ConsoleEnv> {
  const app = new Hono<ConsoleEnv>();
  if (!deps.config.PUBLIC_URL) {
    app.all('*', (c) => c.text('控制台未开启：请设置 PUBLIC_URL。', 404));
    return app;
  }
  app.use('*', async (c, next) => {
    await next();
    // Pages are per person and never framed by another site.
    c.header('x-frame-options', 'DENY');
    c.header('x-content-type-options', 'nosniff');
    if (!c.res.headers.get('cache-control')) c.header('cache-control', 'no-store');
  });
  // Forms are small; the largest body is a roster's CSV (the admin API's import takes 2 MB too).
  app.use('*', bodyLimit({ maxSize: 2 * 1024 * 1024, onError: (c) => c.text('提交的内容太大：名单文件请小于 2 MB。', 413) }));
  app.route(ASSET_PATH, assetRoutes());
  app.route('/', loginRoutes(deps));
  // The queue dashboard behind the console's session: no proxy adding a bearer token is needed.
  const queueGuard: MiddlewareHandler = async (c, next) => {
    const viewer = await viewerOf(c, deps);
    if (!viewer) return c.redirect(`${CONSOLE_PATH}/login`, 303);
    if (!(await seesQueues(viewer, deps))) return c.text('未找到', 404);
    await next();
  };
  app.route(QUEUES_PATH.slice(CONSOLE_PATH.length), queueDashboard(deps, QUEUES_PATH, queueGuard));
  app.use('*', requireViewer(deps));
  app.route('/', overviewRoutes(deps));
  app.route('/', meetingPages(deps));
  app.route('/', memberPages(deps));
  app.route('/', reportPages(deps));
  app.route('/', orgPages(deps));
  return app;
}
