import { type Job, type Queue, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import { listDirectorySyncChanges, writeAudit } from '../db/audit.ts';
import { listMappedOrgs, listOrgDepartments } from '../db/branch-departments.ts';
import { listOrgBranches } from '../db/branches.ts';
import { listOrgChannels } from '../db/channels.ts';
import { recordDelivery } from '../db/deliveries.ts';
import { getDirectorySync, pendingDirectorySyncs, putDirectoryNotice, serveDirectorySync } from '../db/directory-syncs.ts';
import { listOrgMembers } from '../db/members.ts';
import { getOrg, getOrgForUpdate } from '../db/orgs.ts';
import type { AuditLogTable, Database, Member } from '../db/schema.ts';
import type { Clock } from '../src/core/clock.ts';
import type { Config } from '../src/core/config.ts';
import { DAY_MS } from '../src/core/duration.ts';
import { DIRECTORY_SYNC_ACTOR } from '../src/domain/audit.ts';
import { localDate } from '../src/domain/calendar.ts';
import {
  type SyncedChange,
  branchNotices,
  directoryNoticeMessage,
  pendingByBranch,
  pendingFingerprint,
} from '../src/domain/directory-notice.ts';
import {
  type DepartmentMapping,
  type DirectoryPreview,
  type DirectorySnapshot,
  directoryPreview,
  unambiguousPart,
} from '../src/domain/directory.ts';
import { type Delivery, deliveryId } from '../src/domain/outbound.ts';
import { privateTarget } from '../src/domain/targets.ts';
import type { SendContext } from '../src/platforms/adapter.ts';
import { DirectoryError, readDirectory } from '../src/platforms/directory.ts';
import { listChannelRefs } from '../src/platforms/index.ts';
import { type DirectoryWriter, directoryContext, directoryRefusal, rosterEntry, writeDirectoryChanges } from './directory-apply.ts';
import { relayDeliveries } from './outbound.ts';
import { WORKER_LOCK, bullConnection } from './queues.ts';

// Keeping the roster in step with the directory between an org admin's previews: the `directory`
// queue. Each org whose branches map departments has a job scheduler, every day at 08:00 in its time
// zone; a platform's change event (DingTalk Stream's org events, WeCom's change_contact) is counted in
// the database before the platform is answered (db/directory-syncs.ts), and a job is added from that
// count to run a minute later, so that a burst of events is read once. Either way the sync reads the
// org's directories whole, as a preview does, and applies what is unambiguous — new members in a
// mapped department, names — as the directory sync; moves, departures, conflicts, members who left
// and are listed again and empty departments stay for an org admin, who sees them in her next
// preview. The daily run then tells each affected branch's secretaries privately, in one message a
// day at most, what the sync changed there since they were last told and what awaits an org admin.

export const DIRECTORY_DAILY_JOB = 'directory-daily';
export const DIRECTORY_CHANGED_JOB = 'directory-changed';
/** Every day at 08:00 in the org's time zone: before the working day. */
export const DIRECTORY_SYNC_PATTERN = '0 8 * * *';
export const directorySchedulerId = (orgId: string) => `directory-${orgId}`;
/** A change event's job, named by the events served before it: those that come before it runs share it. */
export const directoryChangedJobId = (orgId: string, served: number) => `directory-changed-${orgId}-${served}`;
/** How long after a change event its sync waits, so that a burst of events is read once. */
export const DIRECTORY_DEBOUNCE_MS = 60_000;

const SCHEDULER_PREFIX = 'directory-';
const JOB_OPTIONS = { removeOnComplete: true, removeOnFail: 100, attempts: 3, backoff: { type: 'exponential', delay: 30_000 } };

export interface DirectoryJobData {
  orgId: string;
  /** A change event's job: the events served when it was added. */
  served?: number;
}

export interface DirectorySyncDeps {
  db: Kysely<Database>;
  redis: Redis;
  logger: Logger;
  clock: Clock;
  config: Pick<Config, 'WECOM_API_BASE' | 'DINGTALK_OAPI_BASE' | 'DINGTALK_API_BASE' | 'QUEUE_PREFIX' | 'CHECKIN_CLOSES' | 'PUBLIC_URL'>;
  /** Where the secretaries' notices go. */
  outbound: Queue;
}

/** The directory sync of one org, as the policy and the trail know it. */
const syncWriter = (orgId: string): DirectoryWriter => ({ actor: { kind: 'directory', orgId }, who: DIRECTORY_SYNC_ACTOR, address: null });

export interface SyncRun {
  /** The preview the sync computed, of which it applied the unambiguous part. */
  preview: DirectoryPreview;
  applied: { newMembers: number; renamed: number };
}

const sameMappings = (a: readonly DepartmentMapping[], b: readonly DepartmentMapping[]) => JSON.stringify(a) === JSON.stringify(b);

/**
 * Applies what is unambiguous in the preview of `snapshot` (the directory as read for `mappings`)
 * against the roster, as the directory sync, in one transaction holding the org: new members in a
 * mapped department and changed names, each decided by the policy and written to the trail, with one
 * `directory.apply` entry when anything was written. Null when the org is gone; `stale` when its
 * mappings changed after the directory was read (read again).
 */
export async function applyUnambiguous(
  deps: Pick<DirectorySyncDeps, 'db' | 'clock'>,
  orgId: string,
  snapshot: DirectorySnapshot,
  mappings: readonly DepartmentMapping[],
): Promise<SyncRun | 'stale' | null> {
  const now = deps.clock.now();
  return deps.db.transaction().execute(async (trx) => {
    if (!(await getOrgForUpdate(trx, orgId))) return null;
    if (!sameMappings(await listOrgDepartments(trx, orgId), mappings)) return 'stale';
    const members = await listOrgMembers(trx, orgId);
    const preview = directoryPreview(snapshot, mappings, members.map(rosterEntry));
    const part = unambiguousPart(preview);
    const applied = { newMembers: part.newMembers.length, renamed: part.renamed.length };
    if (applied.newMembers + applied.renamed === 0) return { preview, applied };
    const writer = syncWriter(orgId);
    const byId = new Map(members.map((m) => [m.id, m]));
    // The policy lets the sync do all of the unambiguous part; a refusal is a fault, not something to leave for later.
    const refused = directoryRefusal(writer.actor, orgId, part, byId);
    if (refused) throw new Error(`the directory sync may not ${refused.action} (${refused.why})`);
    await writeDirectoryChanges(trx, writer, orgId, part, byId, now);
    const pending = {
      moved: preview.moved.length,
      gone: preview.gone.length,
      conflicts: preview.conflicts.length,
      returning: preview.returning.length,
      emptyDepartments: preview.emptyDepartments.length,
    };
    await writeAudit(trx, {
      at: now,
      orgId,
      actor: writer.who,
      action: 'directory.apply',
      object: `org:${orgId}`,
      detail: { basis: preview.basis, ...applied, pending },
      address: null,
      result: 'ok',
    });
    return { preview, applied };
  });
}

/** Reads the org's mapped departments and applies the unambiguous part; null when it maps none. Throws DirectoryError. */
async function syncOrg(deps: DirectorySyncDeps, ctx: SendContext, orgId: string): Promise<SyncRun | null> {
  for (let attempt = 1; ; attempt++) {
    const mappings = await listOrgDepartments(deps.db, orgId);
    if (mappings.length === 0) return null;
    const snapshot = await readDirectory(ctx, await listOrgChannels(deps.db, orgId), mappings);
    const run = await applyUnambiguous(deps, orgId, snapshot, mappings);
    if (run !== 'stale') return run;
    if (attempt === 2) throw new Error('the mapped departments changed twice while the directory was read');
  }
}

/**
 * One sync of the org: the change events counted so far are served by it. A directory the channel
 * may not read, or a department gone from it, is logged and waits for an org admin (retrying would
 * not help); a platform that does not answer fails the job, which is tried again. With `noticeAt`
 * (the daily run's time), the secretaries are told.
 */
export async function runDirectorySync(deps: DirectorySyncDeps, ctx: SendContext, orgId: string, noticeAt?: number): Promise<string> {
  const wanted = (await getDirectorySync(deps.db, orgId))?.wanted ?? 0;
  let run: SyncRun | null;
  try {
    run = await syncOrg(deps, ctx, orgId);
  } catch (err) {
    if (!(err instanceof DirectoryError) || err.failure === 'unavailable') throw err;
    deps.logger.warn(
      { org: orgId, channel: err.channel, code: err.code, department: err.department },
      `directory sync: the directory could not be read (${err.failure}); the roster is left as it is`,
    );
    await serveDirectorySync(deps.db, orgId, wanted, deps.clock.now());
    return `not read: ${err.failure}`;
  }
  await serveDirectorySync(deps.db, orgId, wanted, deps.clock.now());
  if (!run) return 'no departments mapped';
  const told = noticeAt === undefined ? 0 : await tellSecretaries(deps, orgId, run.preview, noticeAt);
  const summary = `${run.applied.newMembers} new, ${run.applied.renamed} renamed`;
  if (run.applied.newMembers + run.applied.renamed + told > 0)
    deps.logger.info({ org: orgId, ...run.applied, told }, `directory sync: ${summary}`);
  return noticeAt === undefined ? summary : `${summary}, ${told} notices`;
}

const detailOf = (row: Pick<AuditLogTable, 'detail'>) => (row.detail ? (JSON.parse(row.detail) as Record<string, unknown>) : {});

/** A change of the trail as the notice tells it; null for one it cannot place. */
function syncedChange(row: Pick<AuditLogTable, 'action' | 'object' | 'detail'>, members: ReadonlyMap<string, Member>): SyncedChange | null {
  const member = row.object?.replace(/^member:/, '') ?? '';
  const [from, to] = (detailOf(row).name as [string | null, string] | undefined) ?? [null, null];
  if (row.action === 'member.create') {
    const branch = (detailOf(row).branchId as [null, string] | undefined)?.[1];
    return branch && to ? { kind: 'added', member, branch, name: to } : null;
  }
  const branch = members.get(member)?.branch_id;
  return branch && from !== null && to ? { kind: 'renamed', member, branch, from, to } : null;
}

/** What the secretaries of an org were last told: the org's local day, and per branch a fingerprint of what waited. */
interface Told {
  date: string;
  branches: Record<string, string>;
}

/**
 * Tells each affected branch's secretaries privately (never in a group: names and counts are
 * theirs), once on the org's local day of `at`: what the sync changed there since they were last
 * told, and what of `preview` awaits an org admin. The messages and what was told are recorded in
 * one transaction; a day already told is not told again (its changes are told the next day), so
 * that a job run again sends nothing twice and leaves nothing out. Returns the messages recorded.
 */
async function tellSecretaries(deps: DirectorySyncDeps, orgId: string, preview: DirectoryPreview, at: number): Promise<number> {
  const { db, clock, logger } = deps;
  const org = await getOrg(db, orgId);
  if (!org) return 0;
  const now = clock.now();
  const date = localDate(at, org.timezone);
  const state = await getDirectorySync(db, orgId);
  const told: Told = state?.noticed ? (JSON.parse(state.noticed) as Told) : { date: '', branches: {} };
  if (told.date === date) return 0;
  const since = state?.noticed_until ?? now - DAY_MS;
  const members = await listOrgMembers(db, orgId);
  const byId = new Map(members.map((m) => [m.id, m]));
  const names = new Map((await listOrgBranches(db, orgId)).map((b) => [b.id, b.name]));
  const branchName = (id: string) => names.get(id) ?? id;
  const changes = (await listDirectorySyncChanges(db, orgId, since, now)).flatMap((row) => syncedChange(row, byId) ?? []);
  const pending = pendingByBranch(preview, (id) => byId.get(id)?.branch_id, branchName);
  const notices = branchNotices(changes, pending, told.branches, branchName);
  const channels = await listChannelRefs(db, orgId);
  const deliveries: Delivery[] = [];
  for (const [branch, notice] of notices) {
    const secretaries = members.filter((m) => m.branch_id === branch && m.role === 'secretary' && m.status === 'active');
    const targets = secretaries.flatMap((s) => {
      const to = privateTarget(s, channels);
      return to ? [{ member: s.id, target: to.target }] : [];
    });
    if (targets.length === 0) logger.warn({ org: orgId, branch }, 'directory sync: no secretary of the branch can be told privately');
    for (const { member, target } of targets)
      deliveries.push({
        id: deliveryId('directory', [orgId, branch, date, member]),
        orgId,
        target,
        message: directoryNoticeMessage(notice),
      });
  }
  const toldNow: Told = { date, branches: Object.fromEntries([...pending].map(([branch, p]) => [branch, pendingFingerprint(p)])) };
  const recorded: string[] = [];
  await db.transaction().execute(async (trx) => {
    for (const d of deliveries) if (await recordDelivery(trx, d, now)) recorded.push(d.id);
    await putDirectoryNotice(trx, orgId, now, JSON.stringify(toldNow), now);
  });
  await relayDeliveries(db, deps.outbound, recorded, now);
  return recorded.length;
}

/**
 * Makes the `directory` queue hold one daily scheduler per org whose branches map departments, in
 * the org's time zone, and no other. Cheap to call again; run at worker start, with every reconcile,
 * and when Redis has lost its data.
 */
export async function syncDirectorySchedulers(
  queue: Queue,
  db: Kysely<Database>,
): Promise<{ orgs: number; upserted: number; removed: number }> {
  const orgs = await listMappedOrgs(db);
  const existing = new Map((await queue.getJobSchedulers(0, -1)).map((s) => [s.key, s]));
  const wanted = new Set<string>();
  let upserted = 0;
  for (const org of orgs) {
    const id = directorySchedulerId(org.id);
    wanted.add(id);
    const have = existing.get(id);
    if (have && have.pattern === DIRECTORY_SYNC_PATTERN && have.tz === org.timezone && have.name === DIRECTORY_DAILY_JOB) continue;
    const data: DirectoryJobData = { orgId: org.id };
    await queue.upsertJobScheduler(
      id,
      { pattern: DIRECTORY_SYNC_PATTERN, tz: org.timezone },
      { name: DIRECTORY_DAILY_JOB, data, opts: JOB_OPTIONS },
    );
    upserted++;
  }
  let removed = 0;
  for (const id of existing.keys()) {
    if (wanted.has(id) || !id.startsWith(SCHEDULER_PREFIX)) continue;
    if (await queue.removeJobScheduler(id)) removed++;
  }
  return { orgs: orgs.length, upserted, removed };
}

/**
 * Adds a job for each org with change events no sync has served, `debounceMs` after its last event;
 * one already in the queue under the same id is left as it is. Every worker runs it every 2 s: a job
 * lost with Redis, or never added, is added again from the database.
 */
export async function relayDirectoryChanges(db: Kysely<Database>, queue: Queue, clock: Clock, debounceMs: number): Promise<number> {
  const pending = await pendingDirectorySyncs(db);
  const now = clock.now();
  for (const row of pending) {
    const data: DirectoryJobData = { orgId: row.org_id, served: row.served };
    await queue.add(DIRECTORY_CHANGED_JOB, data, {
      ...JOB_OPTIONS,
      jobId: directoryChangedJobId(row.org_id, row.served),
      delay: Math.max(0, (row.wanted_at ?? now) + debounceMs - now),
    });
  }
  return pending.length;
}

export interface DirectoryWorkerDeps extends DirectorySyncDeps {
  redisUrl: string;
  prefix: string;
}

/** When a scheduler's job was due (its `prevMillis`), else when it was added. */
const firedAtOf = (job: Job) => job.opts.prevMillis ?? job.timestamp;

/** One sync at a time per process: the platforms' rates are per app, and a read is paced within one process. */
export function createDirectoryWorker(deps: DirectoryWorkerDeps): Worker {
  // One count of calls and one set of API clients for the worker's life, so that its reads share their pacing.
  const ctx = directoryContext(deps);
  async function process(job: Job<DirectoryJobData>): Promise<string> {
    const { orgId, served } = job.data;
    switch (job.name) {
      case DIRECTORY_DAILY_JOB:
        return runDirectorySync(deps, ctx, orgId, firedAtOf(job));
      case DIRECTORY_CHANGED_JOB: {
        // The daily run may have served these events since the job was added.
        if (((await getDirectorySync(deps.db, orgId))?.served ?? 0) > (served ?? 0)) return 'served already';
        return runDirectorySync(deps, ctx, orgId);
      }
      default:
        return `unknown job ${job.name}`;
    }
  }
  return new Worker('directory', process, {
    connection: bullConnection(deps.redisUrl),
    prefix: deps.prefix,
    concurrency: 1,
    ...WORKER_LOCK,
  });
}
