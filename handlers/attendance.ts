import { type MemberContext, requireDirect } from '../src/chat/context.ts';
import { branchMembers, describeMeeting, meetingByCode, meetingMeant, names } from '../src/chat/meeting-lookup.ts';
import type { Command } from '../src/chat/parse.ts';
import { escapeMarkdown } from '../src/domain/markdown.ts';
import { STATE_LABELS, meetingAttendance, meetingState } from '../src/domain/meetings.ts';
import { listAttendance } from '../db/attendance.ts';

/** 出勤: present / leave / absent lists, to the secretary privately; the current or latest meeting without a code. */
export async function attendance(ctx: MemberContext, command: Extract<Command, { kind: 'attendance' }>): Promise<void> {
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
  const leave = lists.leave.map((l) => `${escapeMarkdown(l.member.name)}（${escapeMarkdown(l.reason ?? '未写事由')}）`);
  const lines = [
    `**出勤：${describeMeeting(ctx, meeting)}**`,
    '',
    `应到 ${lists.expected.length} 人，到会 ${lists.present.length} 人，请假 ${lists.leave.length} 人${started ? `，缺席 ${lists.absent.length} 人` : ''}`,
    '',
    `- 到会：${names(lists.present)}`,
    `- 请假：${leave.length ? leave.join('、') : '无'}`,
    started
      ? `- 缺席：${names(lists.absent)}`
      : state === 'scheduled'
        ? `- 尚未签到：${names(lists.pending)}`
        : `- 状态：${STATE_LABELS[state]}`,
  ];
  if (lists.makeup.length) lines.push(`- 已补学：${names(lists.makeup)}`);
  ctx.reply({ title: `出勤 ${meeting.code}`, markdown: lines.join('\n') });
}
