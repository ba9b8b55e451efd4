import type { Command } from '../src/commands/parse.ts';
import { type MemberContext, UserError, requireDirect } from '../src/commands/context.ts';
import { branchMembers, describeMeeting, meetingByCode, names } from '../src/commands/meeting-lookup.ts';
import { attendanceLists, expectedMembers } from '../src/meetings.ts';
import { escapeMarkdown } from '../src/markdown.ts';
import type { MeetingTable } from '../db/schema.ts';
import { listAttendance } from '../db/attendance.ts';
import { listBranchMeetings } from '../db/meetings.ts';

const DAY = 86_400_000;

/** 出勤: present / leave / absent lists, to the secretary privately; the current or latest meeting without a code. */
export async function attendance(ctx: MemberContext, command: Extract<Command, { kind: 'attendance' }>): Promise<void> {
  requireDirect(ctx, '出勤');
  const { member, db, settings } = ctx;
  const now = ctx.clock.now();
  let meeting: MeetingTable | undefined;
  if (command.code) meeting = await meetingByCode(ctx, command.code, { allowCancelled: true });
  else {
    const recent = (await listBranchMeetings(db, member.org_id, member.branch_id, now - 92 * DAY, now + 60 * DAY)).filter(
      (m) => m.status === 'scheduled',
    );
    meeting = recent.filter((m) => m.starts_at - settings.checkinOpens <= now).at(-1) ?? recent[0];
    if (!meeting) throw new UserError('本支部近期没有会议。');
  }
  const expected = expectedMembers(meeting, await branchMembers(ctx));
  const started = meeting.starts_at <= now;
  const lists = attendanceLists(expected, await listAttendance(db, meeting.id), started);
  const leave = lists.leave.map((l) => `${escapeMarkdown(l.member.name)}（${escapeMarkdown(l.reason ?? '未写事由')}）`);
  const lines = [
    `**出勤：${describeMeeting(ctx, meeting)}**`,
    '',
    `应到 ${expected.length} 人，到会 ${lists.present.length} 人，请假 ${lists.leave.length} 人${started ? `，缺席 ${lists.absent.length} 人` : ''}`,
    '',
    `- 到会：${names(lists.present)}`,
    `- 请假：${leave.length ? leave.join('、') : '无'}`,
    started ? `- 缺席：${names(lists.absent)}` : `- 尚未签到：${names(lists.pending)}`,
  ];
  if (lists.makeup.length) lines.push(`- 已补学：${names(lists.makeup)}`);
  ctx.reply({ title: `出勤 ${meeting.code}`, markdown: lines.join('\n') });
}
