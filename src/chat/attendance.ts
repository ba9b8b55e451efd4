import { putAttendance } from '../../db/attendance.ts';
import type { AttendanceStatus, MeetingTable, MemberTable } from '../domain/records.ts';
import type { MemberContext } from './context.ts';

/** Records a member's present / leave / absent at a meeting, from the message being handled. */
export async function markAttendance(
  ctx: MemberContext,
  meeting: Pick<MeetingTable, 'id'>,
  member: Pick<MemberTable, 'id' | 'org_id'>,
  status: AttendanceStatus,
  note: string | null = null,
): Promise<void> {
  const now = ctx.clock.now();
  await putAttendance(
    ctx.db,
    { meeting_id: meeting.id, member_id: member.id, org_id: member.org_id, status, note, at: now, source: ctx.message.messageId },
    now,
  );
}
