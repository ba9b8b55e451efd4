import type { Command } from '../src/chat/parse.ts';
import { markAttendance } from '../src/chat/attendance.ts';
import { type MemberContext, UserError } from '../src/chat/context.ts';
import { branchMembers, describeMeeting, expectedThere, meetingByCode } from '../src/chat/meeting-lookup.ts';
import { checkinWindow } from '../src/domain/meetings.ts';
import { getAttendance, putMakeup } from '../db/attendance.ts';
import { SAY } from '../src/chat/replies.ts';

/** 补学: after a meeting, a member who was absent or on leave records their make-up study. */
export async function makeup(ctx: MemberContext, command: Extract<Command, { kind: 'makeup' }>): Promise<void> {
  const { member, db, settings } = ctx;
  const now = ctx.clock.now();
  const meeting = await meetingByCode(ctx, command.code);
  if (!expectedThere(meeting, await branchMembers(ctx), member.id)) {
    throw new UserError(SAY.notExpected(meeting.code, '，无需补学'));
  }
  if (now <= checkinWindow(meeting, settings.checkinOpens, settings.checkinCloses).closes) {
    throw new UserError(SAY.makeupTooEarly(meeting.code));
  }
  const row = await getAttendance(db, meeting.id, member.id);
  if (row?.status === 'present') throw new UserError(SAY.makeupNotNeeded(meeting.code));
  if (!row) await markAttendance(ctx, meeting, member, 'absent');
  await putMakeup(db, meeting.id, member.id, command.text, now);
  ctx.reply({ title: '已记录补学', markdown: SAY.madeUp(member.name, describeMeeting(ctx, meeting)) });
}
