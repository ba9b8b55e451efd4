import type { Command } from '../src/chat/parse.ts';
import { markAttendance } from '../src/chat/attendance.ts';
import { escapeMarkdown } from '../src/domain/markdown.ts';
import { type MemberContext, UserError } from '../src/chat/context.ts';
import { branchMembers, describeMeeting, meetingByCode, names, opensAt } from '../src/chat/meeting-lookup.ts';
import { checkinWindow } from '../src/domain/meetings.ts';

/** 登记: the secretary records attendance for members who do not use the chat (check-in is never forced). */
export async function register(ctx: MemberContext, command: Extract<Command, { kind: 'register' }>): Promise<void> {
  const meeting = await meetingByCode(ctx, command.code);
  const { checkinOpens, checkinCloses } = ctx.settings;
  // Present is a fact of the meeting: it can be registered from the moment check-in opens, not before.
  const opens = checkinWindow(meeting, checkinOpens, checkinCloses).opens;
  if (command.status === 'present' && ctx.clock.now() < opens)
    throw new UserError(
      `签到还没开始：${describeMeeting(ctx, meeting)}，${opensAt(ctx, meeting, opens)}起可以登记到会；请假现在就可以登记。`,
    );
  const members = await branchMembers(ctx);
  const unknown = command.names.filter((n) => !members.some((m) => m.name === n));
  if (unknown.length) throw new UserError(`本支部没有这些同志：${unknown.map((n) => escapeMarkdown(n)).join('、')}，请核对姓名。`);
  const ambiguous = command.names.filter((n) => members.filter((m) => m.name === n).length > 1);
  if (ambiguous.length)
    throw new UserError(`本支部有同名的同志：${ambiguous.map((n) => escapeMarkdown(n)).join('、')}，请在管理后台登记。`);
  const chosen = command.names.map((n) => members.find((m) => m.name === n)!);
  for (const m of chosen) await markAttendance(ctx, meeting, m, command.status, command.status === 'leave' ? '书记登记' : null);
  const what = command.status === 'present' ? '到会' : '请假';
  ctx.reply({ title: '已登记', markdown: `**已登记${what}**：${names(chosen)}\n\n${describeMeeting(ctx, meeting)}` });
}
