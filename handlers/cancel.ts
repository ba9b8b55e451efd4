import type { Command } from '../src/chat/parse.ts';
import { type MemberContext, UserError } from '../src/chat/context.ts';
import { planMeetingReminders } from '../src/chat/outbox.ts';
import { describeMeeting, meetingByCode } from '../src/chat/meeting-lookup.ts';
import { updateMeeting } from '../db/meetings.ts';

/** 取消: cancels a meeting that has not started yet. */
export async function cancel(ctx: MemberContext, command: Extract<Command, { kind: 'cancel' }>): Promise<void> {
  const meeting = await meetingByCode(ctx, command.code);
  const now = ctx.clock.now();
  if (meeting.starts_at <= now) throw new UserError(`会议 ${meeting.code} 已经开始，不能取消。`);
  await updateMeeting(ctx.db, meeting.id, { status: 'cancelled' }, now);
  await planMeetingReminders(ctx, { ...meeting, status: 'cancelled' });
  ctx.reply({ title: `会议 ${meeting.code} 已取消`, markdown: `**已取消：${describeMeeting(ctx, meeting)}**` });
}
