import type { Db } from './schema.ts';
import { upsert } from './upsert.ts';

// The reasons asked for after a 请假 by button (migration 0013): one question per member and
// meeting, answered by her next line that is not a command, or closed by a typed 请假.

/** Records that `memberId` was asked for the reason of her leave from `meetingId` (asked again: now). */
export async function askLeaveReason(db: Db, row: { org_id: string; member_id: string; meeting_id: string }, now: number): Promise<void> {
  await upsert(db, 'leave_reason_requests', { ...row, asked_at: now }, ['org_id', 'member_id', 'meeting_id'], ['asked_at']);
}

/** The meeting whose leave reason the member was asked for last, asked at or after `since`; null when none. */
export async function openLeaveReason(db: Db, orgId: string, memberId: string, since: number): Promise<string | null> {
  const row = await db
    .selectFrom('leave_reason_requests')
    .select('meeting_id')
    .where('org_id', '=', orgId)
    .where('member_id', '=', memberId)
    .where('asked_at', '>=', since)
    .orderBy('asked_at', 'desc')
    .limit(1)
    .executeTakeFirst();
  return row?.meeting_id ?? null;
}

/** Closes the question of the member's reason for `meetingId`, and any she was asked long ago. */
export async function closeLeaveReason(db: Db, orgId: string, memberId: string, meetingId: string, before: number): Promise<void> {
  await db
    .deleteFrom('leave_reason_requests')
    .where('org_id', '=', orgId)
    .where('member_id', '=', memberId)
    .where((eb) => eb.or([eb('meeting_id', '=', meetingId), eb('asked_at', '<', before)]))
    .execute();
}
