import type { PlannedReminder } from '../src/domain/reminders.ts';
import type { Db, MeetingReminderTable, ReminderKind } from './schema.ts';

// Each meeting's reminders, the record the reminder queue is rebuilt from.

type Key = Pick<MeetingReminderTable, 'meeting_id' | 'kind' | 'offset_ms'>;

const byKey = (db: Db, key: Key) =>
  db
    .updateTable('meeting_reminders')
    .where('meeting_id', '=', key.meeting_id)
    .where('kind', '=', key.kind)
    .where('offset_ms', '=', key.offset_ms);

/**
 * Makes a meeting's reminders those of `plan` for a start at `startsAt` (an empty plan: the meeting
 * was cancelled). A reminder already planned or sent for this start is left as it is; one of
 * another start is planned anew; planned ones no longer in the plan are cancelled.
 */
export async function writeReminderPlan(
  db: Db,
  meeting: { id: string; org_id: string; starts_at: number },
  plan: PlannedReminder[],
  now: number,
): Promise<void> {
  const rows = await db.selectFrom('meeting_reminders').selectAll().where('meeting_id', '=', meeting.id).execute();
  const wanted = new Set(plan.map((p) => `${p.kind}|${p.offset}`));
  for (const row of rows) {
    if (row.state === 'planned' && !wanted.has(`${row.kind}|${row.offset_ms}`)) {
      await byKey(db, row).set({ state: 'cancelled', updated_at: now }).execute();
    }
  }
  for (const p of plan) {
    const row = rows.find((r) => r.kind === p.kind && r.offset_ms === p.offset);
    const fresh = {
      starts_at: meeting.starts_at,
      due_at: p.dueAt,
      state: 'planned' as const,
      reason: null,
      relayed_at: null,
      updated_at: now,
    };
    if (!row) {
      await db
        .insertInto('meeting_reminders')
        .values({ meeting_id: meeting.id, kind: p.kind, offset_ms: p.offset, org_id: meeting.org_id, ...fresh })
        .execute();
    } else if (row.starts_at !== meeting.starts_at || row.state === 'cancelled') {
      await byKey(db, row).set(fresh).execute();
    }
  }
}

export async function getReminder(
  db: Db,
  meetingId: string,
  kind: ReminderKind,
  offset: number,
): Promise<MeetingReminderTable | undefined> {
  return db
    .selectFrom('meeting_reminders')
    .selectAll()
    .where('meeting_id', '=', meetingId)
    .where('kind', '=', kind)
    .where('offset_ms', '=', offset)
    .executeTakeFirst();
}

/** Ends a planned reminder of the start `startsAt`: false when it is no longer planned for it (moved, or another worker ended it). */
export async function endReminder(
  db: Db,
  key: Key,
  startsAt: number,
  end: { state: 'sent' } | { state: 'dropped'; reason: string },
  now: number,
): Promise<boolean> {
  const result = await byKey(db, key)
    .set({ state: end.state, reason: end.state === 'dropped' ? end.reason : null, updated_at: now })
    .where('state', '=', 'planned')
    .where('starts_at', '=', startsAt)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

/** Planned reminders whose job is not known to be in the queue, oldest due first; of one meeting when given. */
export async function unrelayedReminders(db: Db, limit: number, meetingId?: string): Promise<MeetingReminderTable[]> {
  let query = db.selectFrom('meeting_reminders').selectAll().where('state', '=', 'planned').where('relayed_at', 'is', null);
  if (meetingId !== undefined) query = query.where('meeting_id', '=', meetingId);
  return query.orderBy('due_at').limit(limit).execute();
}

export async function markReminderRelayed(db: Db, row: Key & { starts_at: number }, now: number): Promise<void> {
  await byKey(db, row).set({ relayed_at: now }).where('starts_at', '=', row.starts_at).execute();
}

/** Planned reminders overdue by more than `grace`: their job may have been lost without Redis losing its data. */
export async function overdueReminders(db: Db, before: number, limit: number): Promise<MeetingReminderTable[]> {
  return db
    .selectFrom('meeting_reminders')
    .selectAll()
    .where('state', '=', 'planned')
    .where('due_at', '<', before)
    .orderBy('due_at')
    .limit(limit)
    .execute();
}

/** Redis lost the queue: every planned reminder must be relayed again. */
export async function forgetReminderRelays(db: Db): Promise<void> {
  await db.updateTable('meeting_reminders').set({ relayed_at: null }).where('state', '=', 'planned').execute();
}

/** Reminders dropped since `since` (too late to be useful), newest first: GET /admin/health lists them. */
export async function droppedReminders(db: Db, since: number, limit: number): Promise<MeetingReminderTable[]> {
  return db
    .selectFrom('meeting_reminders')
    .selectAll()
    .where('state', '=', 'dropped')
    .where('updated_at', '>=', since)
    .orderBy('updated_at', 'desc')
    .limit(limit)
    .execute();
}
