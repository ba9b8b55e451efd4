import type { Command } from '../src/chat/parse.ts';
import type { MemberContext } from '../src/chat/context.ts';
import { planMeetingReminders } from '../src/chat/outbox.ts';
import { describeMeeting, meetingByCode } from '../src/chat/meeting-lookup.ts';
import { escapeMarkdown } from '../src/domain/markdown.ts';
import { updateMeeting } from '../db/meetings.ts';

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
    ctx.reply({ title: `会议 ${meeting.code} 已取消`, markdown: `**已取消：${describeMeeting(ctx, meeting)}**` });
    return;
  }
  const reason = command.reason ? `原因：${escapeMarkdown(command.reason)}（已记入会议记录）` : '可以在「取消」后写明原因，记入会议记录。';
  ctx.reply({
    title: `会议 ${meeting.code} 记为未召开`,
    markdown: `**会议已开始，记为未召开**：${describeMeeting(ctx, meeting)}\n\n${reason}\n\n不计入三会一课完成数。`,
  });
}
