import { Hono, type MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { getCookie, setCookie } from 'hono/cookie';
import type { ServiceDeps } from '../deps.ts';
import { CONSOLE_PATH } from '../../chat/context.ts';
import { sameToken } from '../auth.ts';
import { type DashboardEnv, READS, auditQueueWrite, queueDashboard } from '../dashboard.ts';
import { ASSET_PATH, assetRoutes } from './assets.ts';
import { directoryPages } from './directory.ts';
import { loginRoutes } from './login.ts';
import { meetingPages } from './meetings.ts';
import { QUEUES_PATH, mayQueues } from './nav.ts';
import { orgPages } from './org-pages.ts';
import { memberPages } from './members.ts';
import { overviewRoutes } from './overview.ts';
import { reportPages } from './reports.ts';
import { type ConsoleEnv, actingOf, requireViewer, sameOrigin, viewerOf } from './session.ts';

// The console at /console: on only when PUBLIC_URL says where the service is reached, since its
// sign-in links must point there. Pages are server-rendered; writes carry a CSRF token.

// bull-board's requests (axios) carry the value of this cookie in this header on their own, to
// their own origin: the dashboard's writes carry the session's CSRF token that way.
const XSRF_COOKIE = 'XSRF-TOKEN';
const XSRF_HEADER = 'x-xsrf-token';

export function consoleRoutes(deps: ServiceDeps): Hono<ConsoleEnv> {
  const app = new Hono<ConsoleEnv>();
  if (!deps.config.PUBLIC_URL) {
    app.all('*', (c) => c.text('控制台未开启：请设置 PUBLIC_URL。', 404));
    return app;
  }
  const secureCookies = deps.config.PUBLIC_URL.startsWith('https://');
  app.use('*', async (c, next) => {
    await next();
    // Pages are per person.
    if (!c.res.headers.get('cache-control')) c.header('cache-control', 'no-store');
  });
  // Forms are small; the largest body is a roster's CSV (the admin API's import takes 2 MB too).
  app.use('*', bodyLimit({ maxSize: 2 * 1024 * 1024, onError: (c) => c.text('提交的内容太大：名单文件请小于 2 MB。', 413) }));
  app.route(ASSET_PATH, assetRoutes());
  app.route('/', loginRoutes(deps));
  // The queue dashboard behind the console's session: no proxy adding a bearer token is needed.
  // Only IT changes the queues; an org admin gets the read-only board. A write needs this site's
  // Origin (a sibling site's page could send a CORS-simple POST on the SameSite cookie) and the
  // session's CSRF token, which the dashboard's API answers hand back in the XSRF cookie; those
  // answers, and not the page, carry it, so that an open dashboard, which polls them, gets the
  // token of a session started since.
  const queueGuard: MiddlewareHandler<DashboardEnv> = async (c, next) => {
    const api = c.req.path.startsWith(`${QUEUES_PATH}/api/`);
    // The open dashboard polls its API every few seconds: that is not the person at work.
    const viewer = await viewerOf(c, deps, { touch: !(api && READS.has(c.req.method)) });
    if (!viewer) return c.redirect(`${CONSOLE_PATH}/login`, 303);
    if (!(await mayQueues(viewer, 'queues.read', deps))) return c.text('未找到', 404);
    const readOnly = !(await mayQueues(viewer, 'queues.write', deps));
    const acting = actingOf(c, deps, viewer);
    if (!READS.has(c.req.method)) {
      const token = c.req.header(XSRF_HEADER);
      const refusal = readOnly
        ? c.json({ error: '只能查看队列，不能操作。' }, 403)
        : !c.req.header('origin') || !sameOrigin(c, deps) || !token || !sameToken(token, viewer.csrf)
          ? c.json({ error: '请求已过期，请刷新页面后重试。' }, 403)
          : null;
      if (refusal) {
        await auditQueueWrite(deps, acting, QUEUES_PATH, { req: c.req, res: refusal });
        return refusal;
      }
    }
    c.set('queuesReadOnly', readOnly);
    await next();
    await auditQueueWrite(deps, acting, QUEUES_PATH, c);
    if (!readOnly && api && c.req.method === 'GET' && c.res.ok && getCookie(c, XSRF_COOKIE) !== viewer.csrf) {
      setCookie(c, XSRF_COOKIE, viewer.csrf, { path: QUEUES_PATH, sameSite: 'Strict', secure: secureCookies });
    }
  };
  // bull-board's own header has no way out; its menu gets one back to the console.
  const back = [{ text: '返回控制台', url: CONSOLE_PATH }];
  app.route(QUEUES_PATH.slice(CONSOLE_PATH.length), queueDashboard(deps, QUEUES_PATH, queueGuard, back));
  app.use('*', requireViewer(deps));
  app.route('/', overviewRoutes(deps));
  app.route('/', meetingPages(deps));
  app.route('/', memberPages(deps));
  app.route('/', reportPages(deps));
  app.route('/', orgPages(deps));
  app.route('/', directoryPages(deps));
  return app;
}
