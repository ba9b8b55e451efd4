import { createHash } from 'node:crypto';
import type { Queue } from 'bullmq';
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { Database } from '../db/schema.ts';
import { listBranchChats } from '../db/branches.ts';
import { loadWorkCalendar } from '../db/calendar.ts';
import { listOrgChannels } from '../db/channels.ts';
import { listBranchMeetings } from '../db/meetings.ts';
import { getOrg } from '../db/orgs.ts';
import { type IsoDate, localDateTime } from '../src/calendar.ts';
import { COMPLIANCE_HOUR, type ComplianceKind, type ComplianceNotice, complianceNotices } from '../src/compliance.ts';
import { type Target, rateKeyOf } from '../src/outbound/message.ts';
import { privateTarget } from '../src/outbound/private-target.ts';
import { periodRange } from '../src/time.ts';
import { enqueueDelivery } from './outbound.ts';

// The compliance job (SPEC §5): one job scheduler per org on the `digests` queue, every day at
// 09:00 org time; the rule itself is src/compliance.ts. Deliveries have deterministic ids (org,
// branch, date, kind, target), so that a re-run of the same day — a retry, a second scheduler
// firing, a manual run — sends nothing twice.

export const COMPLIANCE_JOB = 'compliance';
export const COMPLIANCE_PATTERN = `0 ${COMPLIANCE_HOUR} * * *`;
export const complianceSchedulerId = (orgId: string) => `compliance-${orgId}`;

export interface ComplianceDeps {
  db: Kysely<Database>;
  outbound: Queue;
  logger: Logger;
  now(): number;
}

export interface ComplianceRun {
  kinds: ComplianceKind[];
  notices: number;
  /** Deliveries enqueued (a re-run enqueues the same ids again, which change nothing). */
  deliveries: number;
  gaps: number[];
}

const hash = (text: string, length: number) => createHash('sha1').update(text).digest('hex').slice(0, length);

/** `compliance-<org>-<branch>-<date>-<kind>-<targetHash>`; org and branch hashed when that passes the 64-character column. */
export function complianceDeliveryId(orgId: string, branchId: string, date: IsoDate, kind: ComplianceKind, target: Target): string {
  const targetHash = hash(rateKeyOf(target), 10);
  const id = `compliance-${orgId}-${branchId}-${date}-${kind}-${targetHash}`;
  return id.length <= 64 ? id : `compliance-${hash(`${orgId}|${branchId}`, 12)}-${date}-${kind}-${targetHash}`;
}

/** The log line of a year with no holiday data (SPEC §5: reported, not silently treated as Monday–Friday). */
export const gapMessage = (year: number) =>
  `no holiday data for ${year}: treated as Monday–Friday; add overrides with PUT /admin/calendar/:date`;

export function logCalendarGaps(logger: Logger, gaps: number[], context: Record<string, unknown>): void {
  for (const year of gaps) logger.warn({ ...context, year }, gapMessage(year));
}

/** Where a secretary can be reached privately: a DingTalk or WeCom-app channel of the org that knows them. */
async function secretaryTargets(db: Kysely<Database>, orgId: string, branchId: string): Promise<Target[]> {
  const secretaries = await db
    .selectFrom('members')
    .select(['id', 'dingtalk_user_id', 'wecom_user_id'])
    .where('org_id', '=', orgId)
    .where('branch_id', '=', branchId)
    .where('role', '=', 'secretary')
    .orderBy('id')
    .execute();
  if (secretaries.length === 0) return [];
  const channels = await listOrgChannels(db, orgId);
  return secretaries.flatMap((s) => privateTarget(s, channels)?.target ?? []);
}

async function chatTargets(db: Kysely<Database>, orgId: string, branchId: string): Promise<Target[]> {
  return (await listBranchChats(db, orgId, branchId)).map((c) => ({ kind: 'chat', channelId: c.channel_id, chatId: c.chat_id }));
}

async function targetsOf(deps: ComplianceDeps, orgId: string, notice: ComplianceNotice): Promise<Target[]> {
  if (notice.to === 'chats') return chatTargets(deps.db, orgId, notice.branchId);
  const private_ = await secretaryTargets(deps.db, orgId, notice.branchId);
  if (private_.length) return private_;
  // As the digest does (SPEC §6): no secretary reachable privately, so the branch's group chats.
  deps.logger.info({ org: orgId, branch: notice.branchId }, 'no secretary reachable privately: quarter-end warning goes to the group chats');
  return chatTargets(deps.db, orgId, notice.branchId);
}

/** Runs the compliance rule of one org for one local date (the scheduler's job, and tests, call this). */
export async function runComplianceForOrg(deps: ComplianceDeps, orgId: string, date: IsoDate): Promise<ComplianceRun> {
  const { db, logger } = deps;
  const org = await getOrg(db, orgId);
  if (!org) return { kinds: [], notices: 0, deliveries: 0, gaps: [] };
  const calendar = await loadWorkCalendar(db);
  const tz = org.timezone;
  const { from, to } = periodRange('quarter', localDateTime(date, tz, { hour: COMPLIANCE_HOUR }), tz);
  const branchRows = await db.selectFrom('branches').select(['id', 'name']).where('org_id', '=', orgId).orderBy('id').execute();
  // The calendar decides first: most days nothing is due and no meeting needs reading.
  const probe = complianceNotices({ date, tz, calendar, branches: [] });
  const branches = probe.kinds.length
    ? await Promise.all(branchRows.map(async (b) => ({ ...b, meetings: await listBranchMeetings(db, orgId, b.id, from, to) })))
    : [];
  const result = complianceNotices({ date, tz, calendar, branches });
  logCalendarGaps(logger, result.gaps, { org: orgId, date });

  let deliveries = 0;
  const now = deps.now();
  for (const notice of result.notices) {
    const targets = await targetsOf(deps, orgId, notice);
    if (targets.length === 0) logger.warn({ org: orgId, branch: notice.branchId, kind: notice.kind }, 'compliance notice has nowhere to go');
    for (const target of targets) {
      await enqueueDelivery(
        db,
        deps.outbound,
        { id: complianceDeliveryId(orgId, notice.branchId, date, notice.kind, target), orgId, target, message: notice.message },
        now,
      );
      deliveries++;
    }
  }
  if (result.kinds.length) logger.info({ org: orgId, date, kinds: result.kinds, notices: result.notices.length, deliveries }, 'compliance notices enqueued');
  return { kinds: result.kinds, notices: result.notices.length, deliveries, gaps: result.gaps };
}
