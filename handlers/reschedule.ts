import type { Command } from '../src/chat/parse.ts';
import { type MemberContext, UserError } from '../src/chat/context.ts';
import { planMeetingReminders } from '../src/chat/outbox.ts';
import { describeMeeting, meetingByCode } from '../src/chat/meeting-lookup.ts';
import { updateMeeting } from '../db/meetings.ts';
import { voidPresence } from '../db/attendance.ts';
import { SAY } from '../src/chat/replies.ts';

/** 改期: moves a meeting that has not started yet; check-ins made for the old time are void. */
export async function reschedule(ctx: MemberContext, command: Extract<Command, { kind: 'reschedule' }>): Promise<void> {
  const meeting = await meetingByCode(ctx, command.code);
  const now = ctx.clock.now();
  if (meeting.starts_at <= now) throw new UserError(SAY.rescheduleStarted(meeting.code));
  await updateMeeting(ctx.db, meeting.id, { starts_at: command.at }, now);
  const voided = await voidPresence(ctx.db, meeting.id);
  const moved = { ...meeting, starts_at: command.at };
  await planMeetingReminders(ctx, moved);
  ctx.reply({ title: `会议 ${meeting.code} 已改期`, markdown: SAY.rescheduled(describeMeeting(ctx, moved), voided) });
}
