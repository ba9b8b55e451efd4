import { Hono } from 'hono';
import type { ServiceDeps } from '../deps.ts';
import { ASSET_PATH, assetRoutes } from './assets.ts';
import { loginRoutes } from './login.ts';
import { overviewRoutes } from './overview.ts';
import { type ConsoleEnv, requireViewer } from './session.ts';

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
  app.route(ASSET_PATH, assetRoutes());
  app.route('/', loginRoutes(deps));
  app.use('*', requireViewer(deps));
  app.route('/', overviewRoutes(deps));
  return app;
}
