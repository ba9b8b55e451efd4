import { putAttendance } from '../../db/attendance.ts';
import type { AttendanceStatus, Meeting, Member } from '../domain/records.ts';
import type { CommandContext } from './context.ts';

/**
 * Records present / leave / absent for a member, from the message being handled, in the command's
 * transaction (with its batch's writes, where the transaction holds them back: db/staging.ts).
 */
export async function markAttendance(
  ctx: CommandContext,
  meeting: Pick<Meeting, 'id'>,
  member: Pick<Member, 'id' | 'org_id'>,
  status: AttendanceStatus,
  note: string | null = null,
): Promise<void> {
  const at = ctx.clock.now();
  await putAttendance(
    ctx.db,
    { meeting_id: meeting.id, member_id: member.id, org_id: member.org_id, status, note, at, source: ctx.message.messageId },
    at,
  );
}
