import type { Command } from '../src/chat/parse.ts';
import type { MemberContext } from '../src/chat/context.ts';
import { describeMeeting, meetingByCode } from '../src/chat/meeting-lookup.ts';
import { newId } from '../src/core/ids.ts';
import { insertNote } from '../db/notes.ts';
import { SAY } from '../src/chat/replies.ts';

/** 纪要: a resolution or note added to the meeting's record (会议记录). */
export async function minutes(ctx: MemberContext, command: Extract<Command, { kind: 'minutes' }>): Promise<void> {
  const now = ctx.clock.now();
  const meeting = await meetingByCode(ctx, command.code);
  await insertNote(ctx.db, {
    id: newId(now),
    meeting_id: meeting.id,
    org_id: ctx.member.org_id,
    member_id: ctx.member.id,
    text: command.text,
    at: now,
  });
  ctx.reply({ title: '已记入会议记录', markdown: SAY.minuted(describeMeeting(ctx, meeting)) });
}
