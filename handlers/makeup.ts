import type { Command } from '../src/chat/parse.ts';
import { markAttendance } from '../src/chat/attendance.ts';
import { type MemberContext, UserError } from '../src/chat/context.ts';
import { branchMembers, describeMeeting, meetingByCode } from '../src/chat/meeting-lookup.ts';
import { checkinWindow, isExpected } from '../src/domain/meetings.ts';
import { escapeMarkdown } from '../src/domain/markdown.ts';
import { getAttendance, putMakeup } from '../db/attendance.ts';

/** 补学: after a meeting, a member who was absent or on leave records their make-up study. */
export async function makeup(ctx: MemberContext, command: Extract<Command, { kind: 'makeup' }>): Promise<void> {
  const { member, db, settings } = ctx;
  const now = ctx.clock.now();
  const meeting = await meetingByCode(ctx, command.code);
  if (!isExpected(meeting, await branchMembers(ctx), member.id)) {
    throw new UserError(`你不在会议 ${meeting.code} 的应到人员中，无需补学。`);
  }
  if (now <= checkinWindow(meeting, settings.checkinOpens, settings.checkinCloses).closes) {
    throw new UserError(`会议 ${meeting.code} 还没有结束，会后再补学。`);
  }
  const row = await getAttendance(db, meeting.id, member.id);
  if (row?.status === 'present') throw new UserError(`你参加了会议 ${meeting.code}，无需补学。`);
  if (!row) await markAttendance(ctx, meeting, member, 'absent');
  await putMakeup(db, meeting.id, member.id, command.text, now);
  ctx.reply({ title: '已记录补学', markdown: `**${escapeMarkdown(member.name)} 已补学**：${describeMeeting(ctx, meeting)}` });
}
