import type { AttendanceTable, Db } from './schema.ts';
import { upsert } from './upsert.ts';
import { heldRows } from './staging.ts';

export async function listAttendance(db: Db, meetingId: string): Promise<AttendanceTable[]> {
  return db.selectFrom('attendance').selectAll().where('meeting_id', '=', meetingId).execute();
}

export async function getAttendance(db: Db, meetingId: string, memberId: string): Promise<AttendanceTable | undefined> {
  return db.selectFrom('attendance').selectAll().where('meeting_id', '=', meetingId).where('member_id', '=', memberId).executeTakeFirst();
}

type AttendanceMark = Omit<AttendanceTable, 'makeup_note' | 'makeup_at' | 'updated_at'>;

/** A mark replaces the member's status at the meeting and keeps any 补学 already written. */
const MARK = { keys: ['meeting_id', 'member_id'], update: ['status', 'note', 'at', 'source', 'updated_at'] } as const;

const markRow = (row: AttendanceMark, now: number): AttendanceTable => ({ ...row, makeup_note: null, makeup_at: null, updated_at: now });

/**
 * Records present / leave / absent for a member, keeping any 补学 already written; on a transaction
 * that holds back its writes, with its batch's (db/staging.ts).
 */
export async function putAttendance(db: Db, row: AttendanceMark, now: number): Promise<void> {
  const held = heldRows(db);
  if (held) held.add({ table: 'attendance', row: markRow(row, now), upsert: MARK });
  else await upsert(db, 'attendance', markRow(row, now), MARK.keys, MARK.update);
}

export async function putMakeup(db: Db, meetingId: string, memberId: string, note: string, now: number): Promise<void> {
  await db
    .updateTable('attendance')
    .set({ makeup_note: note, makeup_at: now, updated_at: now })
    .where('meeting_id', '=', meetingId)
    .where('member_id', '=', memberId)
    .execute();
}

/** Withdraws a member's leave (销假); false when they had none. */
export async function deleteLeave(db: Db, meetingId: string, memberId: string): Promise<boolean> {
  const result = await db
    .deleteFrom('attendance')
    .where('meeting_id', '=', meetingId)
    .where('member_id', '=', memberId)
    .where('status', '=', 'leave')
    .executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}

/**
 * Voids the check-ins (and 登记 到) of a meeting moved to another time: presence at the old time is
 * not presence at the new one. Leave stays: it is asked of the meeting, not of its hour. Returns how
 * many were voided.
 */
export async function voidPresence(db: Db, meetingId: string): Promise<number> {
  const result = await db.deleteFrom('attendance').where('meeting_id', '=', meetingId).where('status', '=', 'present').executeTakeFirst();
  return Number(result.numDeletedRows);
}

/** The attendance rows of some meetings, in one query. */
export async function listAttendanceOf(db: Db, meetingIds: readonly string[]): Promise<AttendanceTable[]> {
  if (meetingIds.length === 0) return [];
  return db
    .selectFrom('attendance')
    .selectAll()
    .where('meeting_id', 'in', [...meetingIds])
    .execute();
}
