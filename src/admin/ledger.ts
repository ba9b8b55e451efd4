import { Hono } from 'hono';
import type { ServiceDeps } from './deps.ts';
import { XLSX, ledgerXlsx } from '../domain/ledger.ts';
import { byRole } from '../domain/meetings.ts';
import { fromLocal, periodRange, quarterName, toLocal } from '../domain/time.ts';
import { listAttendanceOf } from '../../db/attendance.ts';
import { listBranchMeetings } from '../../db/meetings.ts';
import { listBranchRoster } from '../../db/members.ts';
import { listReports } from '../../db/reports.ts';
import { badField, handle } from './http.ts';
import { orgBranch } from './meetings.ts';

// SPEC §9.3 `GET …/branches/:branch/ledger.xlsx?quarter=2026-Q4`: the branch's quarterly 三会一课台账.

const QUARTER = /^(\d{4})-Q([1-4])$/;

export function ledgerRoutes(deps: Pick<ServiceDeps, 'db' | 'clock' | 'config'>): Hono {
  const { db, clock } = deps;
  const app = new Hono();

  app.get(
    '/orgs/:org/branches/:branch/ledger.xlsx',
    handle(async (c) => {
      const { org, branch } = await orgBranch(db, c);
      const [orgId, branchId] = [org.id, branch.id];
      const tz = org.timezone;
      const now = clock.now();
      const text = c.req.query('quarter');
      let start = periodRange('quarter', now, tz).from;
      if (text !== undefined && text !== '') {
        const m = QUARTER.exec(text.trim());
        if (!m) throw badField('quarter', 'expects a quarter such as 2026-Q4');
        start = fromLocal({ year: Number(m[1]), month: (Number(m[2]) - 1) * 3 + 1, day: 1 }, tz);
      }
      const { from, to } = periodRange('quarter', start, tz);
      const [meetings, members, reports] = await Promise.all([
        listBranchMeetings(db, orgId, branchId, from, to),
        listBranchRoster(db, orgId, branchId),
        listReports(db, orgId, { branchId }, from, to),
      ]);
      const attendance = await listAttendanceOf(
        db,
        meetings.map((m) => m.id),
      );
      const local = toLocal(from, tz);
      const quarterLabel = quarterName(local.year, local.month);
      const file = await ledgerXlsx({
        branch,
        quarterLabel,
        tz,
        now,
        checkinCloses: deps.config.CHECKIN_CLOSES,
        meetings,
        members: members.sort(byRole),
        attendance,
        reports,
      });
      const name = `${branch.name}${quarterLabel}三会一课台账.xlsx`;
      return c.body(new Uint8Array(file), 200, {
        'content-type': XLSX,
        'content-disposition': `attachment; filename="ledger.xlsx"; filename*=UTF-8''${encodeURIComponent(name)}`,
      });
    }),
  );

  return app;
}
