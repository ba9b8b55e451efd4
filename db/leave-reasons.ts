import type { Db } from './schema.ts';
import { upsert } from './upsert.ts';

// The reasons asked for after a 请假 by button (migration 0013): one question per member and
// meeting, answered by her next line that is not a command, or closed by a typed 请假. A question
// whose leave was withdrawn (销假, 签到) or whose meeting was cancelled is no longer awaited.

/** Records that `memberId` was asked for the reason of her leave from `meetingId` (asked again: now). */
export async function askLeaveReason(db: Db, row: { org_id: string; member_id: string; meeting_id: string }, now: number): Promise<void> {
  await upsert(db, 'leave_reason_requests', { ...row, asked_at: now }, ['org_id', 'member_id', 'meeting_id'], ['asked_at']);
}

/**
 * The meetings whose leave reason the member was asked for at or after `since` and still owes:
 * her leave stands without a reason and the meeting was not cancelled. Earliest meeting first.
 */
export async function awaitedLeaveReasons(db: Db, orgId: string, memberId: string, since: number): Promise<{ id: string; code: string }[]> {
  return db
    .selectFrom('leave_reason_requests as q')
    .innerJoin('attendance as a', (join) => join.onRef('a.meeting_id', '=', 'q.meeting_id').onRef('a.member_id', '=', 'q.member_id'))
    .innerJoin('meetings as m', 'm.id', 'q.meeting_id')
    .select(['m.id', 'm.code'])
    .where('q.org_id', '=', orgId)
    .where('q.member_id', '=', memberId)
    .where('q.asked_at', '>=', since)
    .where('a.status', '=', 'leave')
    .where('a.note', 'is', null)
    .where('m.status', '!=', 'cancelled')
    .orderBy('m.starts_at')
    .orderBy('m.id')
    .execute();
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
