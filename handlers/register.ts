import type { Command } from '../src/commands/parse.ts';
import { type MemberContext, UserError } from '../src/commands/context.ts';
import { branchMembers, describeMeeting, meetingByCode, names } from '../src/commands/meeting-lookup.ts';
import { putAttendance } from '../db/attendance.ts';

/** 登记: the secretary records attendance for members who do not use the chat (check-in is never forced). */
export async function register(ctx: MemberContext, command: Extract<Command, { kind: 'register' }>): Promise<void> {
  const { member, db } = ctx;
  const now = ctx.clock.now();
  const meeting = await meetingByCode(ctx, command.code);
  const members = await branchMembers(ctx);
  const unknown = command.names.filter((n) => !members.some((m) => m.name === n));
  if (unknown.length) throw new UserError(`本支部没有这些同志：${unknown.join('、')}，请核对姓名。`);
  const ambiguous = command.names.filter((n) => members.filter((m) => m.name === n).length > 1);
  if (ambiguous.length) throw new UserError(`本支部有同名的同志：${ambiguous.join('、')}，请在管理后台登记。`);
  const chosen = command.names.map((n) => members.find((m) => m.name === n)!);
  for (const m of chosen) {
    await putAttendance(
      db,
      { meeting_id: meeting.id, member_id: m.id, org_id: member.org_id, status: command.status, note: command.status === 'leave' ? '书记登记' : null, at: now, source: ctx.message.messageId },
      now,
    );
  }
  const what = command.status === 'present' ? '到会' : '请假';
  ctx.reply({ title: '已登记', markdown: `**已登记${what}**：${names(chosen)}\n\n${describeMeeting(ctx, meeting)}` });
}
