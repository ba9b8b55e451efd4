import { type MemberContext, UserError } from '../src/chat/context.ts';
import { describeMeeting, meetingByCode } from '../src/chat/meeting-lookup.ts';
import { type CommandOf, defineCommand } from '../src/chat/command.ts';
import { optionalCode } from '../src/chat/parse.ts';
import { deleteLeave, getAttendance, listAttendanceOf } from '../db/attendance.ts';
import { type MeetingWithEvidence, listBranchMeetings } from '../db/meetings.ts';
import { SAY } from '../src/chat/replies.ts';
import { DAY_MS } from '../src/core/duration.ts';

export const withdrawCommand = defineCommand({
  kind: 'withdraw',
  words: ['销假', 'withdraw'],
  usage: '销假 [会议编号]（会议开始前撤回自己的请假），例如：销假 K7Q',
  refusalTitle: '未销假',
  action: 'own.records',
  parse: optionalCode,
  handle: withdraw,
});

const LOOKAHEAD_MS = 60 * DAY_MS;

/** 销假: withdraws one's own leave before the meeting starts; without a code, the leave of the nearest meeting. */
async function withdraw(ctx: MemberContext, command: CommandOf<'withdraw', { code?: string }>): Promise<void> {
  const { member, db } = ctx;
  const now = ctx.clock.now();
  let meeting: MeetingWithEvidence | undefined;
  if (command.code) {
    meeting = await meetingByCode(ctx, command.code);
    if ((await getAttendance(db, meeting.id, member.id))?.status !== 'leave') throw new UserError(SAY.noLeaveAt(meeting.code));
  } else {
    const ahead = (await listBranchMeetings(db, member.org_id, member.branch_id, now, now + LOOKAHEAD_MS)).filter(
      (m) => m.status === 'scheduled',
    );
    const onLeave = new Set(
      (
        await listAttendanceOf(
          db,
          ahead.map((m) => m.id),
        )
      )
        .filter((a) => a.member_id === member.id && a.status === 'leave')
        .map((a) => a.meeting_id),
    );
    meeting = ahead.find((m) => onLeave.has(m.id));
    if (!meeting) throw new UserError(SAY.noLeave);
  }
  if (meeting.starts_at <= now) throw new UserError(SAY.withdrawTooLate(meeting.code));
  await deleteLeave(db, meeting.id, member.id);
  ctx.reply({ title: '已销假', markdown: SAY.withdrawn(member.name, describeMeeting(ctx, meeting)) });
}
