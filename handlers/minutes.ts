import { type CommandOf, defineCommand } from '../src/chat/command.ts';
import { type ArgsRead, chars, leadingCode, read, refuse } from '../src/chat/parse.ts';
import { type MemberContext, UserError } from '../src/chat/context.ts';
import { branchMembers, describeMeeting, meetingByCode } from '../src/chat/meeting-lookup.ts';
import { newId } from '../src/core/ids.ts';
import { updateMeeting } from '../db/meetings.ts';
import { insertNote } from '../db/notes.ts';
import { SAY } from '../src/chat/replies.ts';

const MAX_CHARS = 2000;

interface MinutesArgs {
  code: string;
  text: string;
  /** `纪要 code 主持人 姓名` names the record's 主持人 (or 记录人) instead of adding a note. */
  sets?: { role: 'host' | 'recorder'; name: string };
}

export const minutesCommand = defineCommand({
  kind: 'minutes',
  words: ['纪要', 'minutes'],
  usage: '纪要 会议编号 内容（记入会议记录；写「主持人 姓名」或「记录人 姓名」指定会议记录的主持人、记录人），例如：纪要 K7Q 会议决定：……',
  refusalTitle: '纪要未记录',
  action: 'branch.meetings',
  parse: parseMinutes,
  reads: { roster: true },
  handle: minutes,
});

// `纪要 K7Q 主持人 张三`: one name after the word, nothing else.
const RECORD_ROLE = /^(主持人|记录人)[:：\s\u3000]*([^\s\u3000:：,，]{1,50})$/u;

function parseMinutes(rest: string): ArgsRead<MinutesArgs> {
  const head = leadingCode(rest, '请写明会议编号。');
  if ('reason' in head) return refuse(head.reason);
  const { code, rest: text } = head;
  if (!text) return refuse('请写明纪要内容。');
  if (chars(text) > MAX_CHARS) return refuse(`纪要太长：最多 ${MAX_CHARS} 个字，可以分几条发送。`);
  const role = RECORD_ROLE.exec(text);
  if (role) return read({ code, text, sets: { role: role[1] === '主持人' ? 'host' : 'recorder', name: role[2]! } });
  return read({ code, text });
}

/** 纪要: a resolution or note added to the meeting's record (会议记录), or the record's 主持人 / 记录人 named. */
async function minutes(ctx: MemberContext, command: CommandOf<'minutes', MinutesArgs>): Promise<void> {
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
