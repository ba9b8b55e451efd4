import { type Job, type Queue, Worker } from 'bullmq';
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import { listAttendance } from '../db/attendance.ts';
import { listBranchChats } from '../db/branches.ts';
import { botNames } from '../db/channels.ts';
import { recordDelivery } from '../db/deliveries.ts';
import { getMeeting } from '../db/meetings.ts';
import { listBranchRoster } from '../db/members.ts';
import { getOrg } from '../db/orgs.ts';
import { endReminder, getReminder, markReminderRelayed, overdueReminders } from '../db/reminders.ts';
import type { Database, MeetingReminderTable, ReminderKind } from '../db/schema.ts';
import { meetingAttendance } from '../src/domain/meetings.ts';
import { deliveryId, rateKeyOf } from '../src/domain/outbound.ts';
import { type ReminderTiming, lateReason, reminderJobId, reminderNotice } from '../src/domain/reminders.ts';
import { toChat } from '../src/domain/targets.ts';
import { relayDeliveries } from './outbound.ts';
import type { QuotaCounter } from '../src/platforms/shared/quota.ts';
import { WORKER_LOCK, bullConnection } from './queues.ts';
import type { Clock } from '../src/core/clock.ts';

// Meeting reminders. `meeting_reminders` is the record; the `reminders` queue holds
// a job per planned reminder, a copy that can be rebuilt at any time. A job sends its reminder only
// while the row is still planned for the same start, so a moved or cancelled meeting's old jobs do
// nothing, and a job run twice sends once. A reminder that comes due too late to be useful (no
// worker ran) is dropped, logged and listed in GET /admin/health.

export interface ReminderData {
  meetingId: string;
  kind: ReminderKind;
  offset: number;
  /** The start the job was planned for. */
  startsAt: number;
}

const JOB_OPTIONS = { removeOnComplete: true, removeOnFail: 1_000, attempts: 5, backoff: { type: 'exponential', delay: 2_000 } };

/** Adds the jobs of planned reminders (BullMQ ignores a job id it holds already), then notes that the queue has them. */
export async function relayReminders(db: Kysely<Database>, queue: Queue, rows: MeetingReminderTable[], now: number): Promise<void> {
  for (const row of rows) {
    const startsAt = row.starts_at;
    const data: ReminderData = { meetingId: row.meeting_id, kind: row.kind, offset: row.offset_ms, startsAt };
    const jobId = reminderJobId(row.meeting_id, row.kind, data.offset, startsAt);
    await queue.add(row.kind, data, { ...JOB_OPTIONS, jobId, delay: Math.max(0, row.due_at - now) });
    await markReminderRelayed(db, { ...row, starts_at: startsAt }, now);
  }
}

export interface ReminderWorkerDeps {
  db: Kysely<Database>;
  outbound: Queue;
  logger: Logger;
  redisUrl: string;
  prefix: string;
  timing: ReminderTiming;
  clock: Clock;
  /** The org's platform calls this month: as the DingTalk budget runs low, reminders are merged. */
  quota?: QuotaCounter;
}

/** Whether the org has used 80 % or more of a monthly budget this month (a platform with one: DingTalk). */
async function budgetLow(quota: QuotaCounter | undefined, orgId: string, tz: string): Promise<boolean> {
  if (!quota) return false;
  const uses = await quota.usage(orgId, tz);
  return uses.some((u) => u.budget !== null && u.used >= u.budget * 0.8);
}

/** Drops a planned reminder that can no longer be useful, once, with a log line. */
async function drop(
  deps: Pick<ReminderWorkerDeps, 'db' | 'logger'>,
  row: MeetingReminderTable,
  reason: string,
  now: number,
): Promise<void> {
  if (await endReminder(deps.db, row, row.starts_at, { state: 'dropped', reason }, now)) {
    deps.logger.warn({ meeting: row.meeting_id, kind: row.kind, dueAt: row.due_at }, `reminder dropped: ${reason}`);
  }
}

/**
 * The safety net (run periodically): planned reminders overdue by a minute get their job again in
 * case it was lost, and those past all use are dropped. It never removes a job.
 */
export async function reconcileReminders(
  deps: Pick<ReminderWorkerDeps, 'db' | 'logger' | 'timing'>,
  queue: Queue,
  now: number,
): Promise<number> {
  const overdue = await overdueReminders(deps.db, now - 60_000, 500);
  const useful: MeetingReminderTable[] = [];
  for (const row of overdue) {
    const late = lateReason(row.kind, row.starts_at, now, deps.timing.checkinCloses);
    if (late) await drop(deps, row, `${late} (no worker sent it)`, now);
    else useful.push(row);
  }
  await relayReminders(deps.db, queue, useful, now);
  return overdue.length;
}

export function createReminderWorker(deps: ReminderWorkerDeps): Worker {
  const { db } = deps;
  async function process(job: Job<ReminderData>): Promise<string> {
    const { meetingId, kind, offset, startsAt } = job.data;
    const row = await getReminder(db, meetingId, kind, offset);
    const meeting = await getMeeting(db, meetingId);
    if (row?.state !== 'planned' || row.starts_at !== startsAt || meeting?.status !== 'scheduled' || meeting.starts_at !== startsAt) {
      return 'stale';
    }
    const now = deps.clock.now();
    const late = lateReason(kind, startsAt, now, deps.timing.checkinCloses);
    if (late) {
      await drop(deps, row, late, now);
      return 'dropped';
    }
    const org = await getOrg(db, meeting.org_id);
    if (!org) return 'stale';
    // With the DingTalk budget low, an earlier reminder gives way to the later one: one reminder
    // instead of two. The last reminder, the start notice and the nudge always go.
    if (kind === 'remind' && offset > Math.min(...deps.timing.offsets) && (await budgetLow(deps.quota, org.id, org.timezone))) {
      await drop(deps, row, 'the DingTalk budget is running low: left to the later reminder', now);
      return 'merged into the later reminder';
    }
    let missing: { id: string }[] = [];
    if (kind === 'nudge') {
      const lists = meetingAttendance(
        meeting,
        await listBranchRoster(db, meeting.org_id, meeting.branch_id),
        await listAttendance(db, meetingId),
        now,
      );
      missing = [...lists.absent, ...lists.notYetIn];
    }
    const chats = await listBranchChats(db, meeting.org_id, meeting.branch_id);
    const names = await botNames(db, meeting.org_id);
    const notices = chats.map((chat) => ({
      chat,
      notice: reminderNotice(kind, meeting, org.timezone, now, deps.timing.checkinOpens, missing, names.get(chat.channel_id)),
    }));
    const nothingToSay = kind === 'nudge' && missing.length === 0;
    // The reminder is marked sent with its messages recorded, in one transaction: run twice, it sends once.
    const ids = await db.transaction().execute(async (trx) => {
      if (!(await endReminder(trx, row, startsAt, { state: 'sent' }, now))) return null;
      const recorded: string[] = [];
      for (const { chat, notice } of notices) {
        if (!notice) continue;
        const target = toChat(chat);
        const id = deliveryId(kind, [meetingId, offset, startsAt, rateKeyOf(target)]);
        await recordDelivery(trx, { id, orgId: meeting.org_id, target, message: notice }, now);
        recorded.push(id);
      }
      return recorded;
    });
    if (ids === null) return 'stale';
    await relayDeliveries(db, deps.outbound, ids, now);
    if (chats.length === 0)
      deps.logger.warn({ meeting: meetingId, branch: meeting.branch_id }, 'reminder has no bound group chat to go to');
    return nothingToSay ? 'nothing to say' : `to ${ids.length} chats`;
  }
  return new Worker('reminders', process, {
    connection: bullConnection(deps.redisUrl),
    prefix: deps.prefix,
    concurrency: 4,
    ...WORKER_LOCK,
  });
}
