import { type MemberContext, UserError } from '../src/chat/context.ts';
import { describeMeeting, meetingByCode, meetingMeant } from '../src/chat/meeting-lookup.ts';
import type { Command } from '../src/chat/parse.ts';
import { checkinWindow } from '../src/domain/meetings.ts';

/** 提醒: the secretary has the bot nudge, in the group, those of a meeting not yet checked in. */
export async function remind(ctx: MemberContext, command: Extract<Command, { kind: 'remind' }>): Promise<void> {
  const { settings } = ctx;
  const now = ctx.clock.now();
  const meeting = await (command.code ? meetingByCode(ctx, command.code) : meetingMeant(ctx, 'remind'));
  if (now < checkinWindow(meeting, settings.checkinOpens, settings.checkinCloses).opens) {
    throw new UserError(`会议 ${meeting.code} 的签到还没开始，开始后再提醒。`);
  }
  ctx.after({ kind: 'remind-now', meetingId: meeting.id, requestId: ctx.message.messageId });
  ctx.reply({ title: '已提醒', markdown: `**已在群里提醒尚未签到的同志**：${describeMeeting(ctx, meeting)}` });
}
