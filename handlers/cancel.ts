import type { Command } from '../src/chat/parse.ts';
import type { MemberContext } from '../src/chat/context.ts';
import { planMeetingReminders } from '../src/chat/outbox.ts';
import { describeMeeting, meetingByCode } from '../src/chat/meeting-lookup.ts';
import { updateMeeting } from '../db/meetings.ts';
import { SAY } from '../src/chat/replies.ts';

/**
 * 取消: before its start a meeting is cancelled; after it, it is marked not held (SPEC §9.2), with
 * the reason given kept for its record, and counts as held nowhere.
 */
export async function cancel(ctx: MemberContext, command: Extract<Command, { kind: 'cancel' }>): Promise<void> {
  const meeting = await meetingByCode(ctx, command.code);
  const now = ctx.clock.now();
  const status = meeting.starts_at <= now ? 'not_held' : 'cancelled';
  await updateMeeting(ctx.db, meeting.id, { status, status_note: command.reason ?? null }, now);
  await planMeetingReminders(ctx, { ...meeting, status });
  if (status === 'cancelled') {
    ctx.reply({ title: `会议 ${meeting.code} 已取消`, markdown: SAY.cancelledNow(describeMeeting(ctx, meeting)) });
    return;
  }
  ctx.reply({ title: `会议 ${meeting.code} 记为未召开`, markdown: SAY.calledOffNow(describeMeeting(ctx, meeting), command.reason) });
}
