import { type CommandOf, defineCommand } from '../src/chat/command.ts';
import { leadingCode, read, refuse } from '../src/chat/parse.ts';
import { parseMeetingTime } from '../src/domain/meeting-time.ts';
import { type MemberContext, UserError } from '../src/chat/context.ts';
import { planMeetingReminders } from '../src/chat/outbox.ts';
import { describeMeeting, meetingByCode } from '../src/chat/meeting-lookup.ts';
import { updateMeeting } from '../db/meetings.ts';
import { voidPresence } from '../db/attendance.ts';
import { SAY } from '../src/chat/replies.ts';

export const rescheduleCommand = defineCommand({
  kind: 'reschedule',
  words: ['改期', 'reschedule'],
  usage: '改期 会议编号 新时间，例如：改期 K7Q 12月8日 15:00',
  refusalTitle: '会议未改期',
  action: 'branch.meetings',
  parse(rest, env) {
    const head = leadingCode(rest, '请写明会议编号和新时间。');
    if ('reason' in head) return refuse(head.reason);
    const time = parseMeetingTime(head.rest, env.now, env.tz);
    return time.ok ? read({ code: head.code, at: time.at }) : refuse(time.reason);
  },
  handle: reschedule,
});

/** 改期: moves a meeting that has not started yet; check-ins made for the old time are void. */
async function reschedule(ctx: MemberContext, command: CommandOf<'reschedule', { code: string; at: number }>): Promise<void> {
  const meeting = await meetingByCode(ctx, command.code);
  const now = ctx.clock.now();
  if (meeting.starts_at <= now) throw new UserError(SAY.rescheduleStarted(meeting.code));
  await updateMeeting(ctx.db, meeting.id, { starts_at: command.at }, now);
  const voided = await voidPresence(ctx.db, meeting.id);
  const moved = { ...meeting, starts_at: command.at };
  await planMeetingReminders(ctx, moved);
  ctx.reply({ title: `会议 ${meeting.code} 已改期`, markdown: SAY.rescheduled(describeMeeting(ctx, moved), voided) });
}
