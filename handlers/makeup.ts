import { type CommandOf, defineCommand } from '../src/chat/command.ts';
import { chars, maybeCode, read, refuse } from '../src/chat/parse.ts';
import { markAttendance } from '../src/chat/attendance.ts';
import { type MemberContext, UserError } from '../src/chat/context.ts';
import { branchMembers, describeMeeting, expectedThere, makeupsAwaited, meetingByCode, opensAt } from '../src/chat/meeting-lookup.ts';
import { checkinWindow } from '../src/domain/meetings.ts';
import type { MeetingWithEvidence } from '../db/meetings.ts';
import { getAttendance, putMakeup } from '../db/attendance.ts';
import { SAY } from '../src/chat/replies.ts';

const MIN_CHARS = 5;
const MAX_CHARS = 1000;

export const makeupCommand = defineCommand({
  kind: 'makeup',
  words: ['补学', 'makeup'],
  usage: '补学 [会议编号] 学习体会，例如：补学 K7Q 学习了会议精神，体会是……',
  refusalTitle: '补学未提交',
  action: 'own.records',
  // The code may be left out, as in 请假: the meeting is then the one awaiting the member's 补学.
  parse(rest) {
    const { code, rest: text } = maybeCode(rest);
    if (chars(text) < MIN_CHARS) return refuse(`请写下学习体会：至少 ${MIN_CHARS} 个字。`);
    if (chars(text) > MAX_CHARS) return refuse(`学习体会太长：最多 ${MAX_CHARS} 个字。`);
    return read(code ? { code, text } : { text });
  },
  reads: { roster: true },
  handle: makeup,
});

/**
 * 补学: after a meeting, a member who was absent or on leave records their make-up study. Without a
 * code, the one meeting awaiting it; with several, the member is asked which.
 */
async function makeup(ctx: MemberContext, command: CommandOf<'makeup', { code?: string; text: string }>): Promise<void> {
  const { member, db, settings } = ctx;
  const now = ctx.clock.now();
  const members = await branchMembers(ctx);
  const meeting = command.code ? await meetingByCode(ctx, command.code) : await awaited(ctx, members);
  if (!expectedThere(meeting, members, member.id)) {
    throw new UserError(SAY.notExpected(meeting.code, '，无需补学'));
  }
  // One who is present needs no 补学, whenever she asks; the others may write it once check-in has closed.
  const row = await getAttendance(db, meeting.id, member.id);
  if (row?.status === 'present') throw new UserError(SAY.makeupNotNeeded(meeting.code));
  const closes = checkinWindow(meeting, settings.checkinOpens, settings.checkinCloses).closes;
  if (now <= closes) throw new UserError(SAY.makeupTooEarly(describeMeeting(ctx, meeting), opensAt(ctx, meeting, closes)));
  if (!row) await markAttendance(ctx, meeting, member, 'absent');
  await putMakeup(db, meeting.id, member.id, command.text, now);
  ctx.reply({ title: '已记录补学', markdown: SAY.madeUp(member.name, describeMeeting(ctx, meeting)) });
}

/** The one meeting awaiting the sender's 补学 (with several, a refusal naming their codes); with none, the one under way. */
async function awaited(ctx: MemberContext, members: Parameters<typeof makeupsAwaited>[1]): Promise<MeetingWithEvidence> {
  const { awaited, underWay } = await makeupsAwaited(ctx, members);
  if (awaited.length === 1) return awaited[0]!;
  if (awaited.length > 1) throw new UserError(SAY.whichMakeup(awaited.map((m) => m.code)));
  if (underWay) return underWay;
  throw new UserError(SAY.noMakeupAwaited);
}
