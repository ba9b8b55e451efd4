import { type MemberContext, UserError } from '../src/chat/context.ts';
import { branchMembers, describeMeeting, meetingByCode, meetingMeant } from '../src/chat/meeting-lookup.ts';
import { sendLater } from '../src/chat/outbox.ts';
import type { Command } from '../src/chat/parse.ts';
import { checkinWindow, meetingAttendance } from '../src/domain/meetings.ts';
import { deliveryId, rateKeyOf } from '../src/domain/outbound.ts';
import { reminderNotice } from '../src/domain/reminders.ts';
import { toChat } from '../src/domain/targets.ts';
import { listAttendance } from '../db/attendance.ts';
import { listBranchChats } from '../db/branches.ts';
import { botNames } from '../db/channels.ts';

/**
 * 提醒: the secretary has the bot nudge, in the branch's groups, those of a meeting not yet checked
 * in. The nudge is recorded with the command, so the reply's promise survives a crash.
 */
export async function remind(ctx: MemberContext, command: Extract<Command, { kind: 'remind' }>): Promise<void> {
  const { settings, member, message } = ctx;
  const now = ctx.clock.now();
  const meeting = await (command.code ? meetingByCode(ctx, command.code) : meetingMeant(ctx, 'remind'));
  if (now < checkinWindow(meeting, settings.checkinOpens, settings.checkinCloses).opens) {
    throw new UserError(`会议 ${meeting.code} 的签到还没开始，开始后再提醒。`);
  }
  const lists = meetingAttendance(meeting, await branchMembers(ctx), await listAttendance(ctx.db, meeting.id), now);
  const missing = [...lists.absent, ...lists.pending];
  if (missing.length === 0) {
    ctx.reply({ title: '无需提醒', markdown: `应到的同志都已签到或请假，无需提醒：${describeMeeting(ctx, meeting)}` });
    return;
  }
  const chats = await listBranchChats(ctx.db, member.org_id, member.branch_id);
  if (chats.length === 0) throw new UserError('本支部还没有绑定群聊，无法在群里提醒。');
  const names = await botNames(ctx.db, member.org_id);
  for (const chat of chats) {
    const notice = reminderNotice('nudge', meeting, ctx.org.timezone, now, missing, names.get(chat.channel_id))!;
    const target = toChat(chat);
    const id = deliveryId('nudge', [message.channelId, message.messageId, rateKeyOf(target)]);
    await sendLater(ctx, { id, orgId: member.org_id, target, message: notice });
  }
  ctx.reply({ title: '已提醒', markdown: `**已在群里提醒尚未签到的同志**：${describeMeeting(ctx, meeting)}` });
}
