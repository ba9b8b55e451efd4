import { listChannelRefs } from '../src/platforms/index.ts';
import type { Queue } from 'bullmq';
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { Database } from '../db/schema.ts';
import { listBranchChats, listOrgBranches } from '../db/branches.ts';
import { listBranchMembers } from '../db/members.ts';
import { loadWorkCalendar } from '../db/calendar.ts';
import { listBranchMeetings } from '../db/meetings.ts';
import { getOrg } from '../db/orgs.ts';
import { type IsoDate, localDateTime } from '../src/domain/calendar.ts';
import { COMPLIANCE_HOUR, type ComplianceKind, type ComplianceNotice, complianceNotices } from '../src/domain/compliance.ts';
import { type Target, deliveryId, rateKeyOf } from '../src/domain/outbound.ts';
import { typesDue } from '../src/domain/meetings.ts';
import { chatTarget, secretaryTargets } from '../src/domain/targets.ts';
import { periodRange } from '../src/domain/time.ts';
import { enqueueDelivery } from './outbound.ts';
import type { Clock } from '../src/core/clock.ts';

// The compliance job: one job scheduler per org on the `digests` queue, every day at
// 09:00 org time; the rule itself is src/domain/compliance.ts. Deliveries have deterministic ids (org,
// branch, date, kind, target), so that a re-run of the same day — a retry, a second scheduler
// firing, a manual run — sends nothing twice.

export const COMPLIANCE_JOB = 'compliance';
export const COMPLIANCE_PATTERN = `0 ${COMPLIANCE_HOUR} * * *`;
export const complianceSchedulerId = (orgId: string) => `compliance-${orgId}`;

export interface ComplianceDeps {
  db: Kysely<Database>;
  outbound: Queue;
  logger: Logger;
  clock: Clock;
}

export interface ComplianceRun {
  kinds: ComplianceKind[];
  notices: number;
  /** Deliveries enqueued (a re-run enqueues the same ids again, which change nothing). */
  deliveries: number;
  gaps: number[];
}

/** The log line of a year with no holiday data: reported, never silently treated as Monday–Friday. */
export const gapMessage = (year: number) =>
  `no holiday data for ${year}: treated as Monday–Friday; add overrides with PUT /admin/calendar/:date`;

export function logCalendarGaps(logger: Logger, gaps: number[], context: Record<string, unknown>): void {
  for (const year of gaps) logger.warn({ ...context, year }, gapMessage(year));
}

/** `chats`: every bound group of the branch; `secretary`: the secretaries privately, else those groups. */
async function targetsOf(db: Kysely<Database>, orgId: string, notice: ComplianceNotice): Promise<Target[]> {
  const [chats, channels] = await Promise.all([listBranchChats(db, orgId, notice.branchId), listChannelRefs(db, orgId)]);
  if (notice.to === 'chats') return chats.map((c) => chatTarget(c, channels).target);
  return secretaryTargets(await listBranchMembers(db, orgId, notice.branchId), channels, chats).map((a) => a.target);
}

/** Runs the compliance rule of one org for one local date (the scheduler's job, and tests, call this). */
export async function runComplianceForOrg(deps: ComplianceDeps, orgId: string, date: IsoDate): Promise<ComplianceRun> {
  const { db, logger } = deps;
  const org = await getOrg(db, orgId);
  if (!org) return { kinds: [], notices: 0, deliveries: 0, gaps: [] };
  const calendar = await loadWorkCalendar(db);
  const tz = org.timezone;
  const { from, to } = periodRange('year', localDateTime(date, tz, { hour: COMPLIANCE_HOUR }), tz);
  const branchRows = await listOrgBranches(db, orgId);
  // The calendar decides first: most days nothing is due and no meeting needs reading.
  const probe = complianceNotices({ date, tz, calendar, branches: [] });
  const branches = probe.kinds.length
    ? await Promise.all(
        branchRows.map(async (b) => ({
          ...b,
          meetings: await listBranchMeetings(db, orgId, b.id, from, to),
          types: typesDue(await listBranchMembers(db, orgId, b.id)),
        })),
      )
    : [];
  const result = complianceNotices({ date, tz, calendar, branches });
  logCalendarGaps(logger, result.gaps, { org: orgId, date });

  let deliveries = 0;
  const now = deps.clock.now();
  for (const notice of result.notices) {
    const targets = await targetsOf(db, orgId, notice);
    if (targets.length === 0)
      logger.warn({ org: orgId, branch: notice.branchId, kind: notice.kind }, 'compliance notice has nowhere to go');
    for (const target of targets) {
      await enqueueDelivery(
        db,
        deps.outbound,
        {
          id: deliveryId('compliance', [orgId, notice.branchId, date, notice.kind, rateKeyOf(target)]),
          orgId,
          target,
          message: notice.message,
        },
        now,
      );
      deliveries++;
    }
  }
  if (result.kinds.length)
    logger.info({ org: orgId, date, kinds: result.kinds, notices: result.notices.length, deliveries }, 'compliance notices enqueued');
  return { kinds: result.kinds, notices: result.notices.length, deliveries, gaps: result.gaps };
}
