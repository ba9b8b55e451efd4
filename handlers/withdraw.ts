import { type MemberContext, UserError } from '../src/chat/context.ts';
import { describeMeeting, meetingByCode } from '../src/chat/meeting-lookup.ts';
import type { Command } from '../src/chat/parse.ts';
import { escapeMarkdown } from '../src/domain/markdown.ts';
import { deleteLeave, getAttendance } from '../db/attendance.ts';
import { type Meeting, listBranchMeetings } from '../db/meetings.ts';

const LOOKAHEAD_MS = 60 * 86_400_000;

/** 销假: withdraws one's own leave before the meeting starts; without a code, the leave of the nearest meeting. */
export async function withdraw(ctx: MemberContext, command: Extract<Command, { kind: 'withdraw' }>): Promise<void> {
  const { member, db } = ctx;
  const now = ctx.clock.now();
  const onLeave = async (m: Meeting) => (await getAttendance(db, m.id, member.id))?.status === 'leave';
  let meeting: Meeting | undefined;
  if (command.code) {
    meeting = await meetingByCode(ctx, command.code);
    if (!(await onLeave(meeting))) throw new UserError(`你没有在会议 ${meeting.code} 请假，无需销假。`);
  } else {
    const ahead = await listBranchMeetings(db, member.org_id, member.branch_id, now, now + LOOKAHEAD_MS);
    for (const m of ahead) if (m.status === 'scheduled' && (await onLeave(m))) meeting ??= m;
    if (!meeting) throw new UserError('你近期没有请假，无需销假。');
  }
  if (meeting.starts_at <= now) throw new UserError(`会议 ${meeting.code} 已经开始，不能销假；能到会的，直接签到即可。`);
  await deleteLeave(db, meeting.id, member.id);
  ctx.reply({
    title: '已销假',
    markdown: `**${escapeMarkdown(member.name)} 已销假**：${describeMeeting(ctx, meeting)}\n\n届时请按时参会，签到开始后可以签到。`,
  });
}
