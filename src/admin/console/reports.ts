import { Hono } from 'hono';
import { loadDigestInput } from '../../../db/digest-facts.ts';
import { listBranchDigests } from '../../../db/digests.ts';
import { listBranchRoster } from '../../../db/members.ts';
import { listReports } from '../../../db/reports.ts';
import { isoWeek } from '../../domain/iso-week.ts';
import type { ServiceDeps } from '../deps.ts';
import { branchFrame, onBranch } from './nav.ts';
import type { ConsoleEnv } from './session.ts';
import { digestModel, digestView, reportFilter, reportsModel, reportsView } from './views/reports.ts';

// The branch's 四服务 reports and its 五同 digest: the routes load what the branch's page shows,
// views/reports.ts filters, renders and lays it out.

type Deps = Pick<ServiceDeps, 'db' | 'clock' | 'config'>;

const PAST_DIGESTS = 12;

export function reportPages(deps: Deps): Hono<ConsoleEnv> {
  const { db, clock } = deps;
  const app = new Hono<ConsoleEnv>();
  const base = '/orgs/:org/branches/:branch';

  app.get(
    `${base}/reports`,
    onBranch(deps, async (c, found) => {
      const { org, branch } = found;
      const tz = org.timezone;
      const members = await listBranchRoster(db, org.id, branch.id);
      const filter = reportFilter(c.req.query(), new Set(members.map((m) => m.id)), tz, clock.now());
      const reports = await listReports(db, org.id, { branchId: branch.id }, filter.from, filter.to);
      const frame = branchFrame(c.get('viewer'), found, 'reports');
      return c.html(reportsView(reportsModel({ frame, tz, filter, members, reports })));
    }),
  );

  app.get(
    `${base}/digest`,
    onBranch(deps, async (c, found) => {
      const { org, branch } = found;
      const now = clock.now();
      const input = await loadDigestInput(db, org.id, isoWeek(now, org.timezone), now, branch.id);
      const facts = input?.branches[0];
      const past = await listBranchDigests(db, org.id, branch.id, PAST_DIGESTS);
      const model = digestModel({
        frame: branchFrame(c.get('viewer'), found, 'digest'),
        tz: org.timezone,
        now,
        checkinCloses: deps.config.CHECKIN_CLOSES,
        week: input && facts ? { facts, window: input.window } : null,
        past,
      });
      return c.html(digestView(model));
    }),
  );

  return app;
}
