import { Hono } from 'hono';
import { loadDigestFacts } from '../../../db/digest-facts.ts';
import { listBranchMeetings } from '../../../db/meetings.ts';
import { getOrg, listOrgsPage } from '../../../db/orgs.ts';
import { overviewPages } from '../../chat/files.ts';
import { CONSOLE_PATH } from '../../chat/context.ts';
import { periodRange, quarterKey, quarterOfKey } from '../../domain/time.ts';
import type { ServiceDeps } from '../deps.ts';
import { branchFrame, branchOfPath, branchPath, notFound, orgFrame, orgPath, seesOrg } from './nav.ts';
import type { ConsoleEnv } from './session.ts';
import { branchOverviewModel, branchOverviewView, chartedWeeks, orgOverviewView, orgsView } from './views/overview.ts';
import { DAY_MS } from '../../core/duration.ts';

// Where a viewer lands, the org's branches, and a branch's quarter: the routes load what each page
// shows; views/overview.ts computes the charts and lays it out.

type Deps = Pick<ServiceDeps, 'db' | 'clock' | 'config'>;

export function overviewRoutes(deps: Deps): Hono<ConsoleEnv> {
  const { db, clock } = deps;
  const app = new Hono<ConsoleEnv>();

  app.get('/', (c) => {
    const scope = c.get('viewer').scope;
    if (scope.kind === 'all') return c.redirect(`${CONSOLE_PATH}/orgs`, 303);
    if (scope.kind === 'org') return c.redirect(orgPath(scope.orgId), 303);
    return c.redirect(branchPath(scope.orgId, scope.branchId), 303);
  });

  app.get('/orgs', async (c) => {
    const viewer = c.get('viewer');
    if (viewer.scope.kind !== 'all') return notFound(c);
    const orgs = await listOrgsPage(db, '', 500);
    return c.html(
      orgsView({
        viewer: { name: viewer.name, csrf: viewer.csrf },
        orgs: orgs.map((o) => ({ name: o.name, href: orgPath(o.id), timezone: o.timezone })),
      }),
    );
  });

  app.get('/orgs/:org', async (c) => {
    const viewer = c.get('viewer');
    const orgId = c.req.param('org');
    const org = seesOrg(viewer, orgId) ? await getOrg(db, orgId) : undefined;
    if (!org) return notFound(c);
    const now = clock.now();
    const quarter = quarterOfKey(quarterKey(now, org.timezone), org.timezone)!;
    const rows: { name: string | number; href: string; cells: (string | number)[] }[] = [];
    for await (const rowsOfPage of overviewPages(db, org, quarter, now)) {
      for (const {
        branch,
        row: [name, ...cells],
      } of rowsOfPage)
        rows.push({ name: name!, href: branchPath(org.id, branch.id), cells });
    }
    return c.html(orgOverviewView({ frame: await orgFrame(viewer, org, 'branches', deps), quarterLabel: quarter.label, rows }));
  });

  app.get('/orgs/:org/branches/:branch', async (c) => {
    const found = await branchOfPath(c, deps);
    if (!found) return notFound(c);
    const { org, branch } = found;
    const tz = org.timezone;
    const now = clock.now();
    const weeks = [];
    for (const { week, window } of chartedWeeks(now, tz)) {
      const [facts] = await loadDigestFacts(db, org.id, window, branch.id);
      weeks.push({ week, window, facts });
    }
    const upcoming = (await listBranchMeetings(db, org.id, branch.id, now - 30 * DAY_MS, now + 90 * DAY_MS)).filter(
      (m) => m.starts_at >= now,
    );
    const recent = (await listBranchMeetings(db, org.id, branch.id, periodRange('quarter', now, tz).from, now)).reverse();
    const model = branchOverviewModel({
      frame: branchFrame(c.get('viewer'), found, 'overview'),
      tz,
      now,
      checkinCloses: deps.config.CHECKIN_CLOSES,
      quarterLabel: quarterOfKey(quarterKey(now, tz), tz)!.label,
      weeks,
      upcoming,
      recent,
    });
    return c.html(branchOverviewView(model));
  });

  return app;
}
