import { type MemberContext, UserError } from '../src/chat/context.ts';
import { branchMembers, describeMeeting, meetingByCode, meetingMeant } from '../src/chat/meeting-lookup.ts';
import { sendLater } from '../src/chat/outbox.ts';
import { type CommandOf, defineCommand } from '../src/chat/command.ts';
import { optionalCode } from '../src/chat/parse.ts';
import { checkinWindow, meetingAttendance } from '../src/domain/meetings.ts';
import { deliveryId, rateKeyOf } from '../src/domain/outbound.ts';
import { reminderNotice } from '../src/domain/reminders.ts';
import { canPostTo, toChat } from '../src/domain/targets.ts';
import { listAttendance } from '../db/attendance.ts';
import { listBranchChats } from '../db/branches.ts';
import { botNames } from '../db/channels.ts';
import { SAY } from '../src/chat/replies.ts';

export const remindCommand = defineCommand({
  kind: 'remind',
  words: ['提醒', 'remind'],
  usage: '提醒 [会议编号]（现在在群里提醒尚未签到的同志）',
  refusalTitle: '未发送提醒',
  action: 'branch.meetings',
  parse: optionalCode,
  reads: { roster: true },
  handle: remind,
});

/**
 * 提醒: the secretary has the bot nudge, in the branch's groups, those of a meeting not yet checked
 * in. The nudge is recorded with the command, so the reply's promise survives a crash.
 */
async function remind(ctx: MemberContext, command: CommandOf<'remind', { code?: string }>): Promise<void> {
  const { settings, member, message } = ctx;
  const now = ctx.clock.now();
  const meeting = await (command.code ? meetingByCode(ctx, command.code) : meetingMeant(ctx, 'remind'));
  if (now < checkinWindow(meeting, settings.checkinOpens, settings.checkinCloses).opens) {
    throw new UserError(SAY.remindNotOpen(meeting.code));
  }
  const lists = meetingAttendance(meeting, await branchMembers(ctx), await listAttendance(ctx.db, meeting.id), now);
  const missing = [...lists.absent, ...lists.notYetIn];
  if (missing.length === 0) {
    ctx.reply({ title: '无需提醒', markdown: SAY.nobodyToRemind(describeMeeting(ctx, meeting)) });
    return;
  }
  const bound = await listBranchChats(ctx.db, member.org_id, member.branch_id);
  if (bound.length === 0) throw new UserError(SAY.noChats);
  // Said only when it can be done: 「已提醒」 for a group nobody can post into would be a false alarm.
  const channels = await ctx.channelRefs(ctx.db, member.org_id);
  const chats = bound.filter((chat) => canPostTo(chat, channels));
  if (chats.length === 0) throw new UserError(SAY.noRobot);
  const names = await botNames(ctx.db, member.org_id);
  for (const chat of chats) {
    const notice = reminderNotice('nudge', meeting, ctx.org.timezone, now, ctx.settings.checkinOpens, missing, names.get(chat.channel_id))!;
    const target = toChat(chat);
    const id = deliveryId('nudge', [message.channelId, message.messageId, rateKeyOf(target)]);
    await sendLater(ctx, { id, orgId: member.org_id, target, message: notice });
  }
  ctx.reply({ title: '已提醒', markdown: SAY.reminded(describeMeeting(ctx, meeting)) });
}
