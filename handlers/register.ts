import { type CommandOf, defineCommand } from '../src/chat/command.ts';
import { type ArgsRead, normalise, notACode, read, refuse } from '../src/chat/parse.ts';
import { asCode } from '../src/domain/vocabulary.ts';
import { markAttendance } from '../src/chat/attendance.ts';
import { type MemberContext, UserError } from '../src/chat/context.ts';
import { branchMembers, describeMeeting, expectedAt, meetingByCode, opensAt } from '../src/chat/meeting-lookup.ts';
import { checkinWindow } from '../src/domain/meetings.ts';
import { listAttendance } from '../db/attendance.ts';
import { SAY } from '../src/chat/replies.ts';

type Status = 'present' | 'leave';

interface RegisterArgs {
  code: string;
  names: string[];
  status: Status;
}

export const registerCommand = defineCommand({
  kind: 'register',
  words: ['登记', 'register'],
  usage: '登记 会议编号 姓名… 到|请假（为不用群聊的同志登记），例如：登记 K7Q 张三 李四 到',
  refusalTitle: '未登记',
  action: 'branch.meetings',
  parse: parseRegister,
  reads: { roster: true },
  handle: register,
});

const STATUS: Record<string, Status> = { 到: 'present', 出席: 'present', 到会: 'present', 请假: 'leave' };

function parseRegister(args: string): ArgsRead<RegisterArgs> {
  const words = args.split(/[\s\u3000,，、;；]+/u).filter(Boolean);
  const code = words[0] === undefined ? undefined : asCode(words[0]);
  if (!code) return refuse(words[0] === undefined ? '请写明会议编号、姓名和「到」或「请假」。' : notACode(words[0]));
  const status = STATUS[normalise(words.at(-1) ?? '')];
  if (!status || words.length < 3) return refuse('请在姓名后写明「到」或「请假」。');
  const names = [...new Set(words.slice(1, -1))];
  return read({ code, names, status });
}

/** 登记: the secretary records attendance for members who do not use the chat (check-in is never forced). */
async function register(ctx: MemberContext, command: CommandOf<'register', RegisterArgs>): Promise<void> {
  const meeting = await meetingByCode(ctx, command.code);
  const { checkinOpens, checkinCloses } = ctx.settings;
  // Present is a fact of the meeting: it can be registered from the moment check-in opens, not before.
  const opens = checkinWindow(meeting, checkinOpens, checkinCloses).opens;
  if (command.status === 'present' && ctx.clock.now() < opens)
    throw new UserError(SAY.registerNotOpen(describeMeeting(ctx, meeting), opensAt(ctx, meeting, opens)));
  const members = await branchMembers(ctx);
  const unknown = command.names.filter((n) => !members.some((m) => m.name === n));
  if (unknown.length) throw new UserError(SAY.unknownNames(unknown));
  // Only those the meeting expected (on the roster then, of its type and group) can be registered:
  // any other mark would be stored and counted nowhere.
  const expected = expectedAt(meeting, members);
  const notExpected = command.names.filter((n) => !expected.some((m) => m.name === n));
  if (notExpected.length) throw new UserError(SAY.notExpectedNames(notExpected, meeting.code));
  const ambiguous = command.names.filter((n) => expected.filter((m) => m.name === n).length > 1);
  if (ambiguous.length) throw new UserError(SAY.sameNames(ambiguous));
  const chosen = command.names.map((n) => expected.find((m) => m.name === n)!);
  const leave = command.status === 'leave';
  // Registered present over a leave withdraws it; the secretary is told whose.
  const onLeave = leave
    ? new Set<string>()
    : new Set((await listAttendance(ctx.db, meeting.id)).filter((a) => a.status === 'leave').map((a) => a.member_id));
  const withdrawn = chosen.filter((m) => onLeave.has(m.id)).map((m) => m.name);
  for (const m of chosen) await markAttendance(ctx, meeting, m, command.status, leave ? SAY.registeredLeaveNote : null);
  const markdown = SAY.registered(
    !leave,
    chosen.map((m) => m.name),
    describeMeeting(ctx, meeting),
    withdrawn,
  );
  ctx.reply({ title: '已登记', markdown });
}
