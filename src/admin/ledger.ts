import { PassThrough, Readable } from 'node:stream';
import { type Context, Hono } from 'hono';
import type { ServiceDeps } from './deps.ts';
import { XLSX, overviewRow, writeOverviewXlsx } from '../domain/ledger.ts';
import { periodRange, quarterKey, quarterOfKey } from '../domain/time.ts';
import { ledgerFile } from '../chat/files.ts';
import { listMeetingsOfBranches } from '../../db/meetings.ts';
import { listMembersOfBranches } from '../../db/members.ts';
import { listReportTagsOfBranches } from '../../db/reports.ts';
import { listBranchesByName } from '../../db/branches.ts';
import { attachment, badField, fileResponse, handle } from './http.ts';
import { orgBranch, orgOfPath } from './path.ts';

// SPEC §9.3 `GET …/branches/:branch/ledger.xlsx?quarter=2026-Q4`: the branch's quarterly 三会一课台账;
// `GET /admin/orgs/:org/ledger.xlsx?quarter=`: the org overview, a row a branch, streamed.

/** The quarter of `?quarter=2026-Q4`, this quarter when absent. */
function quarterAsked(c: Context, now: number, tz: string): { from: number; to: number; label: string } {
  const text = c.req.query('quarter');
  const quarter = quarterOfKey(text || quarterKey(now, tz), tz);
  if (!quarter) throw badField('quarter', 'expects a quarter such as 2026-Q4');
  return quarter;
}

/** Branches read and written per page of the org overview: memory stays bounded whatever the org's size. */
const OVERVIEW_PAGE = 100;

export function ledgerRoutes(deps: Pick<ServiceDeps, 'db' | 'clock' | 'config' | 'logger'>): Hono {
  const { db, clock } = deps;
  const app = new Hono();

  app.get(
    '/orgs/:org/branches/:branch/ledger.xlsx',
    handle(async (c) => {
      const { org, branch } = await orgBranch(db, c);
      const quarter = quarterAsked(c, clock.now(), org.timezone);
      const file = await ledgerFile(db, org, branch, quarter, { now: clock.now(), checkinCloses: deps.config.CHECKIN_CLOSES });
      return fileResponse(c, file, 'ledger.xlsx');
    }),
  );

  app.get(
    '/orgs/:org/ledger.xlsx',
    handle(async (c) => {
      const org = await orgOfPath(db, c);
      const orgId = org.id;
      const tz = org.timezone;
      const now = clock.now();
      const quarter = quarterAsked(c, now, tz);
      // A past quarter is counted as of its end; 组织生活会 over its year.
      const asOf = Math.min(now, quarter.to - 1);
      const year = periodRange('year', asOf, tz);
      async function* pages() {
        let after: { name: string; id: string } | null = null;
        for (;;) {
          const branches = await listBranchesByName(db, orgId, after, OVERVIEW_PAGE);
          if (branches.length === 0) return;
          const ids = branches.map((b) => b.id);
          const [meetings, members, reports] = await Promise.all([
            listMeetingsOfBranches(db, orgId, ids, year.from, year.to),
            listMembersOfBranches(db, orgId, ids),
            listReportTagsOfBranches(db, orgId, ids, quarter.from, quarter.to),
          ]);
          yield branches.map((b) =>
            overviewRow(
              b,
              meetings.filter((m) => m.branch_id === b.id),
              members.filter((m) => m.branch_id === b.id),
              reports.filter((r) => r.branch_id === b.id),
              { ...quarter, asOf, tz },
            ),
          );
          after = branches.at(-1)!;
        }
      }
      const label = quarter.label;
      const out = new PassThrough();
      writeOverviewXlsx(out, `${org.name} ${label} 三会一课汇总`, pages()).catch((err: unknown) => {
        deps.logger.error({ err, org: orgId }, 'org overview failed while streaming');
        out.destroy(err as Error);
      });
      return c.body(Readable.toWeb(out) as ReadableStream, 200, {
        'content-type': XLSX,
        'content-disposition': attachment(`${org.name}${label}三会一课汇总.xlsx`, 'overview.xlsx'),
      });
    }),
  );

  return app;
}
