import { PassThrough, Readable } from 'node:stream';
import { type Context, Hono } from 'hono';
import type { ServiceDeps } from './deps.ts';
import { XLSX, writeOverviewXlsx } from '../render/ledger.ts';
import { quarterKey, quarterOfKey } from '../domain/time.ts';
import { ledgerFile, overviewPages } from '../chat/files.ts';
import { apiActing, audit } from './acting.ts';
import { attachment, badField, fileResponse, handle } from './http.ts';
import { orgBranch, orgOfPath } from './path.ts';

// `GET …/branches/:branch/ledger.xlsx?quarter=2026-Q4`: the branch's quarterly 三会一课台账;
// `GET /admin/orgs/:org/ledger.xlsx?quarter=`: the org overview, a row a branch, streamed.

/** The quarter of `?quarter=2026-Q4`, this quarter when absent. */
function quarterAsked(c: Context, now: number, tz: string): { from: number; to: number; label: string } {
  const text = c.req.query('quarter');
  const quarter = quarterOfKey(text || quarterKey(now, tz), tz);
  if (!quarter) throw badField('quarter', 'expects a quarter such as 2026-Q4');
  return quarter;
}

export function ledgerRoutes(deps: Pick<ServiceDeps, 'db' | 'clock' | 'config' | 'logger'>): Hono {
  const { db, clock } = deps;
  const app = new Hono();

  app.get(
    '/orgs/:org/branches/:branch/ledger.xlsx',
    handle(async (c) => {
      const { org, branch } = await orgBranch(db, c);
      const quarter = quarterAsked(c, clock.now(), org.timezone);
      const file = await ledgerFile(db, org, branch, quarter, { now: clock.now(), checkinCloses: deps.config.CHECKIN_CLOSES });
      await audit(db, apiActing(c, deps.config), {
        at: clock.now(),
        orgId: org.id,
        action: 'file.download',
        object: `branch:${branch.id}`,
        detail: { file: file.name },
      });
      return fileResponse(c, file, 'ledger.xlsx');
    }),
  );

  app.get(
    '/orgs/:org/ledger.xlsx',
    handle(async (c) => {
      const org = await orgOfPath(db, c);
      const quarter = quarterAsked(c, clock.now(), org.timezone);
      const branches = overviewPages(db, org, quarter, clock.now());
      async function* pages() {
        for await (const page of branches) yield page.map((b) => b.row);
      }
      const label = quarter.label;
      await audit(db, apiActing(c, deps.config), {
        at: clock.now(),
        orgId: org.id,
        action: 'file.download',
        object: `org:${org.id}`,
        detail: { quarter: label },
      });
      const out = new PassThrough();
      writeOverviewXlsx(out, `${org.name} ${label} 三会一课汇总`, pages()).catch((err: unknown) => {
        deps.logger.error({ err, org: org.id }, 'org overview failed while streaming');
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
