import { type MemberContext, requireDirect } from '../src/chat/context.ts';
import { branchMembers, describeMeeting, meetingByCode, meetingMeant } from '../src/chat/meeting-lookup.ts';
import { type CommandOf, defineCommand } from '../src/chat/command.ts';
import { optionalCode } from '../src/chat/parse.ts';
import { meetingAttendance, meetingState, stateText } from '../src/domain/meetings.ts';
import { listAttendance } from '../db/attendance.ts';
import { SAY } from '../src/chat/replies.ts';

export const attendanceCommand = defineCommand({
  kind: 'attendance',
  words: ['出勤', 'attendance'],
  usage: '出勤 [会议编号]（到会、请假、缺席名单，仅私聊回复）',
  refusalTitle: '暂不能查看出勤',
  action: 'branch.read',
  parse: optionalCode,
  reads: { roster: true },
  handle: attendance,
});

/** 出勤: present / leave / absent lists, to the secretary privately; the current or latest meeting without a code. */
async function attendance(ctx: MemberContext, command: CommandOf<'attendance', { code?: string }>): Promise<void> {
  requireDirect(ctx, '出勤');
  const members = await branchMembers(ctx);
  const meeting = await (command.code
    ? meetingByCode(ctx, command.code, { allowCancelled: true })
    : meetingMeant(ctx, 'attendance', members));
  const now = ctx.clock.now();
  const lists = meetingAttendance(meeting, members, await listAttendance(ctx.db, meeting.id), now);
  const state = meetingState(meeting, now, ctx.settings.checkinCloses);
  // A meeting not held has nobody absent: it did not take place.
  const started = meeting.starts_at <= now && state !== 'not_held' && state !== 'cancelled';
  const markdown = SAY.attendance(
    describeMeeting(ctx, meeting),
    {
      expected: lists.expected.length,
      present: lists.present.map((m) => m.name),
      leave: lists.leave.map((l) => SAY.leaveWithReason(l.member.name, l.reason)),
      absent: started ? lists.absent.map((m) => m.name) : null,
      notYetIn: state === 'scheduled' ? lists.notYetIn.map((m) => m.name) : null,
      state: stateText(meeting, state),
    },
    lists.makeup.map((m) => m.name),
  );
  ctx.reply({ title: `出勤 ${meeting.code}`, markdown });
}
