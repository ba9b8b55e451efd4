import type { Command } from '../src/chat/parse.ts';
import { type MemberContext, UserError } from '../src/chat/context.ts';
import { branchMembers, describeMeeting, meetingByCode } from '../src/chat/meeting-lookup.ts';
import { newId } from '../src/core/ids.ts';
import { updateMeeting } from '../db/meetings.ts';
import { insertNote } from '../db/notes.ts';
import { SAY } from '../src/chat/replies.ts';

/** 纪要: a resolution or note added to the meeting's record (会议记录), or the record's 主持人 / 记录人 named. */
export async function minutes(ctx: MemberContext, command: Extract<Command, { kind: 'minutes' }>): Promise<void> {
  const now = ctx.clock.now();
  const meeting = await meetingByCode(ctx, command.code);
  if (command.sets) {
    const { role, name } = command.sets;
    const matches = (await branchMembers(ctx)).filter((m) => m.name === name);
    if (matches.length !== 1) throw new UserError(matches.length ? SAY.sameNames([name]) : SAY.unknownNames([name]));
    await updateMeeting(ctx.db, meeting.id, role === 'host' ? { host_id: matches[0]!.id } : { recorder_id: matches[0]!.id }, now);
    ctx.reply({
      title: '已记入会议记录',
      markdown: SAY.recordRole(role === 'host' ? '主持人' : '记录人', name, describeMeeting(ctx, meeting)),
    });
    return;
  }
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
