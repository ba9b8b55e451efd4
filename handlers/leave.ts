import { markAttendance } from '../src/chat/attendance.ts';
import { type MemberContext, UserError } from '../src/chat/context.ts';
import { branchMembers, describeMeeting, expectedThere, meetingByCode, meetingMeant } from '../src/chat/meeting-lookup.ts';
import { type CommandOf, defineCommand } from '../src/chat/command.ts';
import { LEADING, chars, dropEndPunctuation, maybeCode, read, refuse } from '../src/chat/parse.ts';
import { checkinWindow } from '../src/domain/meetings.ts';
import { getAttendance } from '../db/attendance.ts';
import { SAY } from '../src/chat/replies.ts';

const REASON_MAX_CHARS = 200;

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
    return read(code ? { code, reason } : { reason });
  },
  reads: { roster: true },
  handle: leave,
});

/** 请假: leave for an upcoming or current meeting (until its check-in closes); the nearest one without a code. */
async function leave(ctx: MemberContext, command: CommandOf<'leave', { code?: string; reason: string }>): Promise<void> {
  const { member, db, settings } = ctx;
  const now = ctx.clock.now();
  const members = await branchMembers(ctx);
  const meeting = await (command.code ? meetingByCode(ctx, command.code) : meetingMeant(ctx, 'leave', members));
  if (command.code) {
    if (!expectedThere(meeting, members, member.id)) throw new UserError(SAY.notExpected(meeting.code, '，无需请假'));
    if (now > checkinWindow(meeting, settings.checkinOpens, settings.checkinCloses).closes) {
      throw new UserError(SAY.leaveTooLate(meeting.code));
    }
  }
  const existing = await getAttendance(db, meeting.id, member.id);
  if (existing?.status === 'present') throw new UserError(SAY.alreadyPresent(meeting.code));
  await markAttendance(ctx, meeting, member, 'leave', command.reason);
  ctx.reply({ title: '已请假', markdown: SAY.onLeave(member.name, describeMeeting(ctx, meeting), command.reason, meeting.code) });
}
