import { type Parsed as AnyParsed, type CommandOf, actionDecision, commandTable } from '../src/chat/command.ts';
import type { ArgsRead, ParseEnv } from '../src/chat/parse.ts';
import type { Action, ActingMember, Decision } from '../src/domain/policy.ts';
import { attendanceCommand } from './attendance.ts';
import { backfillCommand } from './backfill.ts';
import { bindCommand } from './bind.ts';
import { cancelCommand } from './cancel.ts';
import { checkinCommand } from './checkin.ts';
import { consoleCommand } from './console.ts';
import { exportCommand } from './export.ts';
import { helpCommand } from './help.ts';
import { leaveCommand } from './leave.ts';
import { makeupCommand } from './makeup.ts';
import { meetingsCommand } from './meetings.ts';
import { mineCommand } from './mine.ts';
import { minutesCommand } from './minutes.ts';
import { registerCommand } from './register.ts';
import { remindCommand } from './remind.ts';
import { reportCommand } from './report.ts';
import { rescheduleCommand } from './reschedule.ts';
import { scheduleCommand } from './schedule.ts';
import { statsCommand } from './stats.ts';
import { versionCommand } from './version.ts';
import { weeklyCommand } from './weekly.ts';
import { withdrawCommand } from './withdraw.ts';

// Every chat command, one definition each (a file of this folder). A new command is a new file
// and a line here; the dispatcher's tables (words, usage, titles, who may, batch reads) follow.

/** All but 帮助, in the order 帮助 lists them. */
const OTHERS = [
  reportCommand,
  bindCommand,
  checkinCommand,
  leaveCommand,
  makeupCommand,
  mineCommand,
  scheduleCommand,
  backfillCommand,
  rescheduleCommand,
  cancelCommand,
  attendanceCommand,
  remindCommand,
  statsCommand,
  weeklyCommand,
  registerCommand,
  minutesCommand,
  meetingsCommand,
  withdrawCommand,
  consoleCommand,
  exportCommand,
  versionCommand,
] as const;

export const COMMANDS = [helpCommand(OTHERS), ...OTHERS] as const;

/** What the dispatcher reads, derived from COMMANDS; the assembly (src/app.ts) hands it in. */
export const COMMAND_TABLE = commandTable(COMMANDS);

type Defined<D> = D extends { kind: infer K extends string; parse(rest: string, env: ParseEnv): ArgsRead<infer A> }
  ? CommandOf<K, A>
  : never;

/** A parsed command of any kind, with its typed arguments. */
export type Command = Defined<(typeof COMMANDS)[number]>;
export type CommandKind = Command['kind'];
export type Parsed = AnyParsed<Command>;

/** A chat line to a typed command or a typed refusal; null when the line is not a command at all. */
export const parseCommand = (line: string, env: ParseEnv): Parsed | null => COMMAND_TABLE.parse(line, env) as Parsed | null;

/** The command word a line that is not a command most likely meant (`签道` → `签到`). */
export const suggestCommand = (line: string): string | undefined => COMMAND_TABLE.suggest(line);

/** How to write each command, as 帮助 and a refusal show it. */
export const USAGE = Object.fromEntries(COMMANDS.map((d) => [d.kind, d.usage])) as Record<CommandKind, string>;

/** What each command is, for the policy: a member's own records, or work on her branch (帮助 is anyone's). */
export const COMMAND_ACTIONS = Object.fromEntries(OTHERS.map((d) => [d.kind, d.action])) as Record<Exclude<CommandKind, 'help'>, Action>;

/** Whether `member` may run a command: its action on her own records, or on her own branch. */
export const commandDecision = (member: ActingMember, kind: Exclude<CommandKind, 'help'>): Decision =>
  actionDecision(member, COMMAND_ACTIONS[kind]);
