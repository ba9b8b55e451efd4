import { createHash } from 'node:crypto';
import { type Job, type Queue, Worker } from 'bullmq';
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { Database, MeetingTable } from '../db/schema.ts';
import { getMeeting, listUpcomingMeetings } from '../db/meetings.ts';
import { listBranchChats } from '../db/branches.ts';
import { listOrgChannels } from '../db/channels.ts';
import { listBranchMembers } from '../db/members.ts';
import { listAttendance } from '../db/attendance.ts';
import { getOrg } from '../db/orgs.ts';
import { escapeMarkdown } from '../src/domain/markdown.ts';
import { meetingTitle } from '../src/domain/meeting-text.ts';
import { meetingAttendance } from '../src/domain/meetings.ts';
import { type OutboundMessage, deliveryId, rateKeyOf } from '../src/domain/outbound.ts';
import { chatTarget } from '../src/domain/targets.ts';
import { enqueueDelivery } from './outbound.ts';
import { bullConnection } from './queues.ts';

// Meeting reminders (SPEC §5): one at each REMINDER_OFFSETS before the start, a start notice, and
// a nudge ABSENT_NUDGE_AFTER the start. Job ids are deterministic (meeting, kind, offset), so that
// syncing twice changes nothing, a reschedule moves them and a cancel removes them. A job checks
// the meeting when it runs and does nothing if it moved or was cancelled meanwhile.

export type ReminderKind = 'remind' | 'start' | 'nudge';

export interface ReminderTiming {
  offsets: number[];
  nudgeAfter: number;
}

export const reminderTiming = (config: { REMINDER_OFFSETS: number[]; ABSENT_NUDGE_AFTER: number }): ReminderTiming => ({
  offsets: config.REMINDER_OFFSETS,
  nudgeAfter: config.ABSENT_NUDGE_AFTER,
});

export interface ReminderData {
  meetingId: string;
  /** The start the job was planned for: a job of a moved meeting is stale. */
  startsAt: number;
  kind: ReminderKind;
  offset: number;
}

export interface PlannedReminder {
  id: string;
  runAt: number;
  data: ReminderData;
}

/** Every reminder job a meeting has under `timing`, due or not. */
export function planReminders(meeting: Pick<MeetingTable, 'id' | 'starts_at'>, timing: ReminderTiming): PlannedReminder[] {
  const job = (kind: ReminderKind, offset: number, runAt: number): PlannedReminder => ({
    id: kind === 'remind' ? `remind-${meeting.id}-${offset}` : `${kind}-${meeting.id}`,
    runAt,
    data: { meetingId: meeting.id, startsAt: meeting.starts_at, kind, offset },
  });
  return [
    ...timing.offsets.map((offset) => job('remind', offset, meeting.starts_at - offset)),
    job('start', 0, meeting.starts_at),
    job('nudge', timing.nudgeAfter, meeting.starts_at + timing.nudgeAfter),
  ];
}

const JOB_OPTIONS = { removeOnComplete: true, removeOnFail: 1_000, attempts: 5, backoff: { type: 'exponential', delay: 2_000 } };

/**
 * Makes the queue hold exactly the meeting's due reminders: adds missing ones, moves ones planned
 * for another start, removes all of a cancelled meeting. Idempotent; safe to run at any time.
 */
export async function syncMeetingReminders(queue: Queue, meeting: MeetingTable, timing: ReminderTiming, now: number): Promise<void> {
  for (const planned of planReminders(meeting, timing)) {
    const wanted = meeting.status === 'scheduled' && planned.runAt > now;
    const existing = await queue.getJob(planned.id);
    if (existing) {
      if (wanted && (existing.data as ReminderData).startsAt === meeting.starts_at) continue;
      // An active job cannot be removed; it re-checks the meeting itself and finds it stale.
      await existing.remove().catch(() => undefined);
    }
    if (wanted) await queue.add(planned.data.kind, planned.data, { ...JOB_OPTIONS, jobId: planned.id, delay: planned.runAt - now });
  }
}

/** Re-syncs every meeting still ahead (start-up, and periodically): a lost enqueue is made good. */
export async function reconcileReminders(db: Kysely<Database>, queue: Queue, timing: ReminderTiming, now: number): Promise<number> {
  const meetings = await listUpcomingMeetings(db, now - timing.nudgeAfter);
  for (const meeting of meetings) await syncMeetingReminders(queue, meeting, timing, now);
  return meetings.length;
}

/** 提醒: a nudge now, outside the plan; `requestId` keeps a retried request from nudging twice. */
export async function nudgeNow(queue: Queue, meeting: Pick<MeetingTable, 'id' | 'starts_at'>, requestId: string): Promise<void> {
  const data: ReminderData = { meetingId: meeting.id, startsAt: meeting.starts_at, kind: 'nudge', offset: 0 };
  await queue.add('nudge', data, {
    ...JOB_OPTIONS,
    jobId: `nudge-now-${meeting.id}-${createHash('sha1').update(requestId).digest('hex').slice(0, 16)}`,
  });
}

export interface ReminderWorkerDeps {
  db: Kysely<Database>;
  outbound: Queue;
  logger: Logger;
  redisUrl: string;
  prefix: string;
  now(): number;
  /** The periodic `reconcile` job: re-sync reminders and re-queue stranded deliveries. */
  reconcile(): Promise<void>;
}

export const RECONCILE_EVERY_MS = 5 * 60_000;

/** One scheduler per queue (upserting twice keeps one): the periodic reconcile. */
export async function scheduleReconcile(queue: Queue): Promise<void> {
  await queue.upsertJobScheduler(
    'reconcile',
    { every: RECONCILE_EVERY_MS },
    { name: 'reconcile', opts: { removeOnComplete: true, removeOnFail: 100 } },
  );
}

/** The notice text of a reminder job; null when there is nothing to say (everyone is in). */
export async function reminderMessage(
  db: Kysely<Database>,
  meeting: MeetingTable,
  data: ReminderData,
  now: number,
): Promise<OutboundMessage | null> {
  const org = await getOrg(db, meeting.org_id);
  if (!org) return null;
  const title = meetingTitle(meeting, org.timezone, now);
  const where = meeting.location ? `\n\n地点：${escapeMarkdown(meeting.location)}` : '';
  switch (data.kind) {
    case 'remind':
      return {
        title: '会议提醒',
        markdown: `**会议提醒**：${title}${where}\n\n不能参加的同志请发送「请假 ${meeting.code} 事由」。`,
      };
    case 'start':
      return {
        title: '会议开始',
        markdown: `**会议开始**：${title}${where}\n\n到会的同志可发送「签到」（自愿，不强制；也可由书记登记）。`,
      };
    case 'nudge': {
      const members = await listBranchMembers(db, meeting.org_id, meeting.branch_id);
      const lists = meetingAttendance(meeting, members, await listAttendance(db, meeting.id), now);
      // Not yet checked in: 提醒 may nudge a little before the start, while check-in is open.
      const missing = [...lists.absent, ...lists.pending];
      if (missing.length === 0) return null;
      return {
        title: '签到提醒',
        markdown: `**签到提醒**：${title} 已开始。到会的同志请发送「签到」；不能参加的请发送「请假 ${meeting.code} 事由」。`,
        mentions: missing.map((m) => m.id),
      };
    }
  }
}

export function createReminderWorker(deps: ReminderWorkerDeps): Worker {
  async function process(job: Job<ReminderData>): Promise<string> {
    if (job.name === 'reconcile') {
      await deps.reconcile();
      return 'reconciled';
    }
    const meeting = await getMeeting(deps.db, job.data.meetingId);
    if (meeting?.status !== 'scheduled' || meeting.starts_at !== job.data.startsAt) return 'stale';
    const now = deps.now();
    const message = await reminderMessage(deps.db, meeting, job.data, now);
    if (!message) return 'nothing to say';
    const [chats, channels] = await Promise.all([
      listBranchChats(deps.db, meeting.org_id, meeting.branch_id),
      listOrgChannels(deps.db, meeting.org_id),
    ]);
    for (const chat of chats) {
      // Deterministic: a retried job enqueues the same deliveries, which change nothing.
      const { target } = chatTarget(chat, channels);
      const id = deliveryId(job.data.kind, [job.id ?? '', meeting.starts_at, rateKeyOf(target)]);
      await enqueueDelivery(deps.db, deps.outbound, { id, orgId: meeting.org_id, target, message }, now);
    }
    if (chats.length === 0)
      deps.logger.warn({ meeting: meeting.id, branch: meeting.branch_id }, 'reminder has no bound group chat to go to');
    return `to ${chats.length} chats`;
  }
  return new Worker('reminders', process, { connection: bullConnection(deps.redisUrl), prefix: deps.prefix, concurrency: 4 });
}
