import { markAttendance } from '../src/chat/attendance.ts';
import { type MemberContext, UserError } from '../src/chat/context.ts';
import { branchMembers, describeMeeting, expectedThere, meetingByCode, meetingMeant } from '../src/chat/meeting-lookup.ts';
import { type CommandOf, defineCommand } from '../src/chat/command.ts';
import { sendLater } from '../src/chat/outbox.ts';
import { LEADING, chars, dropEndPunctuation, maybeCode, read, refuse } from '../src/chat/parse.ts';
import { LEAVE_REASON_WAIT_MS } from '../src/chat/buttons.ts';
import { checkinWindow } from '../src/domain/meetings.ts';
import { deliveryId } from '../src/domain/outbound.ts';
import type { Meeting, Member } from '../src/domain/records.ts';
import { privateAnswer } from '../src/domain/targets.ts';
import { getAttendance } from '../db/attendance.ts';
import { askLeaveReason, awaitedLeaveReasons, closeLeaveReason } from '../db/leave-reasons.ts';
import { SAY } from '../src/chat/replies.ts';

const REASON_MAX_CHARS = 200;

type LeaveArgs = {
  code?: string;
  /** From a card: the meeting the code must name. */
  meetingId?: string;
  /** Null from a card's button: the leave is recorded now and the reason asked for privately. */
  reason: string | null;
};

export const leaveCommand = defineCommand({
  kind: 'leave',
  words: ['请假', 'leave'],
  usage: '请假 [会议编号] 事由，例如：请假 K7Q 外出执行防汛任务',
  refusalTitle: '请假未成功',
  action: 'own.records',
  parse(rest) {
    const { code, rest: after } = maybeCode(rest);
    // 我要请假。家里有事: the punctuation after the word is not part of the reason, nor is a lone 「？」.
    const reason = after.replace(LEADING, '');
    if (!dropEndPunctuation(reason)) return refuse('请写明请假事由。');
    if (chars(reason) > REASON_MAX_CHARS) return refuse(`请假事由太长：最多 ${REASON_MAX_CHARS} 个字。`);
    return read<LeaveArgs>(code ? { code, reason } : { reason });
  },
  reads: { roster: true },
  handle: leave,
});

/**
 * 请假: leave for an upcoming or current meeting (until its check-in closes); the nearest one
 * without a code. A reason given for a leave recorded without one (by a card's button) is taken
 * even after check-in has closed: it completes the record, it does not change who came.
 */
async function leave(ctx: MemberContext, command: CommandOf<'leave', LeaveArgs>): Promise<void> {
  const { member, db, settings } = ctx;
  const now = ctx.clock.now();
  const members = await branchMembers(ctx);
  const pinned = command.meetingId === undefined ? {} : { id: command.meetingId };
  const meeting = await (command.code ? meetingByCode(ctx, command.code, pinned) : meetingMeant(ctx, 'leave', members));
  const existing = await getAttendance(db, meeting.id, member.id);
  const completing = existing?.status === 'leave' && !existing.note && command.reason !== null;
  if (command.code) {
    if (!expectedThere(meeting, members, member.id)) throw new UserError(SAY.notExpected(meeting.code, '，无需请假'));
    if (!completing && now > checkinWindow(meeting, settings.checkinOpens, settings.checkinCloses).closes) {
      throw new UserError(SAY.leaveTooLate(meeting.code));
    }
  }
  if (existing?.status === 'present') throw new UserError(SAY.alreadyPresent(meeting.code));
  const described = describeMeeting(ctx, meeting);
  if (command.reason === null) {
    // Pressed again, or after a typed 请假: the leave and its reason stand as recorded.
    if (existing?.status === 'leave' && existing.note) {
      ctx.reply({ title: '已请假', markdown: SAY.onLeave(member.name, described, existing.note, meeting.code) });
      return;
    }
    if (existing?.status !== 'leave') await markAttendance(ctx, meeting, member, 'leave');
    const asked = await askReason(ctx, member, meeting, described);
    ctx.reply({
      title: '已请假',
      markdown: asked ? SAY.onLeaveAskReason(member.name, described) : SAY.onLeaveNoReason(member.name, described, meeting.code),
    });
    return;
  }
  await markAttendance(ctx, meeting, member, 'leave', command.reason);
  await closeLeaveReason(db, member.org_id, member.id, meeting.id, now - LEAVE_REASON_WAIT_MS);
  ctx.reply({ title: '已请假', markdown: SAY.onLeave(member.name, described, command.reason, meeting.code) });
}

/**
 * Asks the member privately for her reason, where a channel can reach her so (once: pressed again
 * while the question stands, it is not asked again); false when no channel can.
 */
async function askReason(ctx: MemberContext, member: Member, meeting: Pick<Meeting, 'id'>, described: string): Promise<boolean> {
  const privately = privateAnswer(member, await ctx.channelRefs(ctx.db, member.org_id), ctx.message.channelId);
  if (!privately) return false;
  const now = ctx.clock.now();
  const awaited = await awaitedLeaveReasons(ctx.db, member.org_id, member.id, now - LEAVE_REASON_WAIT_MS);
  if (awaited.some((m) => m.id === meeting.id)) return true;
  await askLeaveReason(ctx.db, { org_id: member.org_id, member_id: member.id, meeting_id: meeting.id }, now);
  await sendLater(ctx, {
    id: deliveryId('reason', [ctx.message.channelId, ctx.message.messageId]),
    orgId: member.org_id,
    target: privately.target,
    message: { title: '请补充请假事由', markdown: SAY.askLeaveReason(described) },
  });
  return true;
}
