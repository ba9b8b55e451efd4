import { attendanceRow, putAttendance } from '../../db/attendance.ts';
import type { AttendanceStatus, MeetingTable, MemberTable } from '../domain/records.ts';
import type { CommandContext } from './context.ts';

type Mark = Parameters<typeof putAttendance>[1];

/** A member's present / leave / absent at a meeting, from the message being handled. */
function mark(
  ctx: CommandContext,
  meeting: Pick<MeetingTable, 'id'>,
  member: Pick<MemberTable, 'id' | 'org_id'>,
  status: AttendanceStatus,
  note: string | null,
): Mark {
  const at = ctx.clock.now();
  return { meeting_id: meeting.id, member_id: member.id, org_id: member.org_id, status, note, at, source: ctx.message.messageId };
}

/** Records present / leave / absent for a member, in the command's transaction. */
export async function markAttendance(
  ctx: CommandContext,
  meeting: Pick<MeetingTable, 'id'>,
  member: Pick<MemberTable, 'id' | 'org_id'>,
  status: AttendanceStatus,
  note: string | null = null,
): Promise<void> {
  const row = mark(ctx, meeting, member, status, note);
  await putAttendance(ctx.db, row, row.at);
}

/** The same record, staged: written with the message's record, shared by the batch (db/inbound-batch.ts). */
export function stageAttendance(
  ctx: CommandContext,
  meeting: Pick<MeetingTable, 'id'>,
  member: Pick<MemberTable, 'id' | 'org_id'>,
  status: AttendanceStatus,
): void {
  const row = mark(ctx, meeting, member, status, null);
  ctx.stage(attendanceRow(row, row.at));
}
