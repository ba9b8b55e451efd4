import { listChannelRefs } from '../platforms/index.ts';
import { Hono } from 'hono';
import type { ServiceDeps } from './deps.ts';
import { addDays, localDate } from '../domain/calendar.ts';
import { previewDigest } from '../render/digest-preview.ts';
import { digestWindow } from '../domain/digest/window.ts';
import { isoWeek, isoWeekOfDate, isoWeekRange } from '../domain/iso-week.ts';
import { audienceOf } from '../domain/targets.ts';
import { isoWithOffset } from '../domain/time.ts';
import { getBranch, listOrgChats } from '../../db/branches.ts';
import { loadDigestInput } from '../../db/digest-facts.ts';
import { getOrg } from '../../db/orgs.ts';
import { digestTarget, runWeeklyDigest } from '../../jobs/digest-run.ts';
import { apiActing, audit } from './acting.ts';
import { Problem, badField, check, handle, idParam, readText } from './http.ts';
import { runSchema } from './schemas.ts';

// Weekly digests: a branch's digest of a week computed and rendered without
// pushing anything, and the week's digests run now — pushed at most once per branch and week, so
// that a second run (or the schedule's) sends nothing more.

const WEEK_REASON = 'expects an ISO week such as 2026-W48';

/** The week text if it names an ISO week; else 400 on `week`. */
function checkWeek(week: string): string {
  if (!isoWeekRange(week)) throw badField('week', WEEK_REASON);
  return week;
}

export function digestRoutes(deps: Pick<ServiceDeps, 'db' | 'clock' | 'logger' | 'queues' | 'config'>): Hono {
  const { db, clock } = deps;
  const checkinCloses = deps.config.CHECKIN_CLOSES;
  const app = new Hono();

  app.get(
    '/orgs/:org/branches/:branch/digest',
    handle(async (c) => {
      const orgId = idParam(c, 'org');
      const branchId = idParam(c, 'branch');
      const now = clock.now();
      const org = await getOrg(db, orgId);
      if (!org) throw new Problem(404, `unknown org ${orgId}`);
      const text = c.req.query('week');
      const week = text === undefined || text === '' ? isoWeek(now, org.timezone) : checkWeek(text.trim());
      const input = await loadDigestInput(db, orgId, week, now, branchId);
      const facts = input?.branches[0];
      if (!input || !facts) throw new Problem(404, `unknown branch ${branchId}`);
      // Rendered for where the digest would go, so that the parts are the ones a run would push.
      const [channels, chats] = await Promise.all([listChannelRefs(db, orgId), listOrgChats(db, orgId)]);
      const to = digestTarget(facts, channels, chats);
      const digest = previewDigest(
        { ...input, facts, checkinCloses },
        { format: to?.format ?? 'dingtalk', audience: to ? audienceOf(to.target) : 'private' },
        now,
      );
      const { figures, window } = digest;
      return c.json({
        week: figures.week,
        branch: figures.branch,
        from: isoWithOffset(window.from, org.timezone),
        to: isoWithOffset(window.to, org.timezone),
        asOf: isoWithOffset(window.asOf, org.timezone),
        target: to ? { ...to.target, platform: to.format } : null,
        quarter: figures.quarter,
        meetings: figures.meetings,
        notHeld: figures.notHeld,
        reports: figures.reports,
        coverage: figures.coverage,
        gaps: figures.gaps,
        change: figures.change,
        title: digest.title,
        parts: digest.parts,
        markdown: digest.parts.join('\n\n'),
      });
    }),
  );

  app.post(
    '/orgs/:org/digests/run',
    handle(async (c) => {
      const orgId = idParam(c, 'org');
      const raw = await readText(c);
      let value: unknown = {};
      if (raw.trim() !== '') {
        try {
          value = JSON.parse(raw);
        } catch {
          throw badField('body', 'expects a JSON object');
        }
      }
      const body = check(runSchema, value);
      const org = await getOrg(db, orgId);
      if (!org) throw new Problem(404, `unknown org ${orgId}`);
      const now = clock.now();
      // The default is the week just ended, as the schedule's Monday run reports it.
      const week = body.week === undefined ? isoWeekOfDate(addDays(localDate(now, org.timezone), -7)) : checkWeek(body.week.trim());
      // A week not yet begun has nothing to report, and its claim would keep the real digest from being sent.
      if (digestWindow(week, org.timezone, now)!.from > now) throw badField('week', 'has not begun yet');
      if (body.branch !== undefined && !(await getBranch(db, orgId, body.branch)))
        throw badField('branch', `no branch ${body.branch} in this org`);
      const results = await runWeeklyDigest(
        { db, outbound: deps.queues.outbound, logger: deps.logger, clock, checkinCloses },
        orgId,
        week,
        body.branch,
      );
      const outcomes = results.map((r) => ({ branch: r.branch, outcome: r.outcome, parts: r.parts ?? 0 }));
      const detail = { week, branch: body.branch ?? null, queued: outcomes.filter((r) => r.outcome === 'queued').length };
      await db
        .transaction()
        .execute((trx) =>
          audit(trx, apiActing(c, deps.config), { at: clock.now(), orgId, action: 'digests.run', object: `org:${orgId}`, detail }),
        );
      return c.json({ week, results: outcomes });
    }),
  );

  return app;
}
