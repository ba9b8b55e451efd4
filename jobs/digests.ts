import { type Job, type Queue, Worker } from 'bullmq';
import type { Kysely } from 'kysely';
import type { Config } from '../src/core/config.ts';
import type { Database } from '../db/schema.ts';
import { loadWorkCalendar } from '../db/calendar.ts';
import { getOrg, listOrgSchedules } from '../db/orgs.ts';
import { localDate, localDateTime } from '../src/domain/calendar.ts';
import { isoWeek } from '../src/domain/iso-week.ts';
import { toLocal } from '../src/domain/time.ts';
import { COMPLIANCE_JOB, COMPLIANCE_PATTERN, complianceSchedulerId, logCalendarGaps, runComplianceForOrg } from './compliance.ts';
import { WORKER_LOCK, bullConnection } from './queues.ts';
import { type DigestDeps, runWeeklyDigest } from './digest-run.ts';

// The `digests` queue: per org, two job schedulers in the org's time zone —
// `compliance-<org>` every day at 09:00 (jobs/compliance.ts) and `digest-<org>` on the org's cron
// (orgs.digest_cron, else DIGEST_CRON). A digest falling on a day that is not a working day is
// deferred to the next working day at the same local time, as one delayed job per org and week.

export const DIGEST_JOB = 'digest';
export const DEFERRED_DIGEST_JOB = 'digest-deferred';
export const digestSchedulerId = (orgId: string) => `digest-${orgId}`;
export const deferredDigestJobId = (orgId: string, week: string) => `digest-deferred-${orgId}-${week}`;

export interface OrgJobData {
  orgId: string;
}

export interface DeferredDigestData extends OrgJobData {
  /** The ISO week of the day the digest was due, kept when the working day falls in the next week. */
  week: string;
}

const SCHEDULED_JOB_OPTIONS = { removeOnComplete: true, removeOnFail: 100, attempts: 3, backoff: { type: 'exponential', delay: 10_000 } };
/** Kept a while after it ran, so that adding the same deferred digest again is a no-op. */
const DEFERRED_JOB_OPTIONS = { ...SCHEDULED_JOB_OPTIONS, removeOnComplete: { age: 14 * 24 * 3600 }, removeOnFail: { age: 14 * 24 * 3600 } };

const SCHEDULER_PREFIXES = ['compliance-', 'digest-'];

/**
 * Makes the `digests` queue hold exactly one compliance and one digest scheduler per org, with the
 * org's time zone and cron; removes those of orgs that are gone. Cheap to call again: a scheduler
 * already as wanted is left alone. Run at worker start and with every reconcile, so that an org's
 * new cron or time zone is picked up within minutes.
 */
export async function syncOrgSchedulers(
  queues: { digests: Queue },
  db: Kysely<Database>,
  config: Pick<Config, 'DIGEST_CRON'>,
): Promise<{ orgs: number; upserted: number; removed: number }> {
  const queue = queues.digests;
  const orgs = await listOrgSchedules(db);
  const existing = new Map((await queue.getJobSchedulers(0, -1)).map((s) => [s.key, s]));
  const wanted = new Set<string>();
  let upserted = 0;
  for (const org of orgs) {
    const plans = [
      { id: complianceSchedulerId(org.id), name: COMPLIANCE_JOB, pattern: COMPLIANCE_PATTERN },
      { id: digestSchedulerId(org.id), name: DIGEST_JOB, pattern: org.digest_cron?.trim() || config.DIGEST_CRON },
    ];
    for (const plan of plans) {
      wanted.add(plan.id);
      const have = existing.get(plan.id);
      if (have && have.pattern === plan.pattern && have.tz === org.timezone && have.name === plan.name) continue;
      const data: OrgJobData = { orgId: org.id };
      await queue.upsertJobScheduler(
        plan.id,
        { pattern: plan.pattern, tz: org.timezone },
        { name: plan.name, data, opts: SCHEDULED_JOB_OPTIONS },
      );
      upserted++;
    }
  }
  let removed = 0;
  for (const id of existing.keys()) {
    if (wanted.has(id) || !SCHEDULER_PREFIXES.some((p) => id.startsWith(p))) continue;
    if (await queue.removeJobScheduler(id)) removed++;
  }
  return { orgs: orgs.length, upserted, removed };
}

export interface DigestJobDeps extends DigestDeps {
  /** The queue deferred digests are added to. */
  digests: Queue;
}

/**
 * The digest scheduler's job, fired at `firedAt`: on a working day (org zone) runs the week's
 * digests; on any other day adds one delayed job for the next working day at the same local time.
 */
export async function processDigestJob(deps: DigestJobDeps, orgId: string, firedAt: number): Promise<string> {
  const org = await getOrg(deps.db, orgId);
  if (!org) return 'unknown org';
  const tz = org.timezone;
  const date = localDate(firedAt, tz);
  // Monday 09:00 reports the week just ended; a cron later in the week reports that week so far.
  const week = isoWeek(firedAt - 86_400_000, tz);
  const calendar = await loadWorkCalendar(deps.db);
  const today = calendar.dayKind(date);
  const gaps = new Set<number>(today.source === 'weekday-guess' ? [Number(date.slice(0, 4))] : []);
  if (today.workday) {
    logCalendarGaps(deps.logger, [...gaps], { org: orgId, date });
    await runWeeklyDigest(deps, orgId, week);
    return `ran ${week}`;
  }
  const next = calendar.nextWorkday(date);
  for (const year of next.gaps) gaps.add(year);
  logCalendarGaps(
    deps.logger,
    [...gaps].sort((a, b) => a - b),
    { org: orgId, date },
  );
  const { hour, minute } = toLocal(firedAt, tz);
  const runAt = localDateTime(next.date, tz, { hour, minute });
  const data: DeferredDigestData = { orgId, week };
  await deps.digests.add(DEFERRED_DIGEST_JOB, data, {
    ...DEFERRED_JOB_OPTIONS,
    jobId: deferredDigestJobId(orgId, week),
    delay: Math.max(0, runAt - deps.clock.now()),
  });
  deps.logger.info(
    { org: orgId, week, from: date, to: next.date, holiday: today.holidayName },
    `weekly digest of ${week} deferred from ${date}${today.holidayName ? ` (${today.holidayName})` : ''} to the working day ${next.date}`,
  );
  return `deferred to ${next.date}`;
}

export interface DigestWorkerDeps extends DigestJobDeps {
  redisUrl: string;
  prefix: string;
}

/** When a scheduler's job was due (its `prevMillis`), else when it was added. */
const firedAtOf = (job: Job) => job.opts.prevMillis ?? job.timestamp;

export function createDigestWorker(deps: DigestWorkerDeps): Worker {
  async function process(job: Job<OrgJobData | DeferredDigestData>): Promise<string> {
    const { orgId } = job.data;
    switch (job.name) {
      case COMPLIANCE_JOB: {
        const org = await getOrg(deps.db, orgId);
        if (!org) return 'unknown org';
        const run = await runComplianceForOrg(deps, orgId, localDate(firedAtOf(job), org.timezone));
        return run.kinds.length ? `${run.kinds.join(', ')}: ${run.deliveries} deliveries` : 'nothing due';
      }
      case DIGEST_JOB:
        return processDigestJob(deps, orgId, firedAtOf(job));
      case DEFERRED_DIGEST_JOB:
        await runWeeklyDigest(deps, orgId, (job.data as DeferredDigestData).week);
        return `ran ${(job.data as DeferredDigestData).week}`;
      default:
        return `unknown job ${job.name}`;
    }
  }
  return new Worker('digests', process, { connection: bullConnection(deps.redisUrl), prefix: deps.prefix, concurrency: 2, ...WORKER_LOCK });
}
