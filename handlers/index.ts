import type { Command, CommandKind } from '../src/chat/parse.ts';
import { type CommandContext, type MemberContext, UserError } from '../src/chat/context.ts';
import { SAY } from '../src/chat/replies.ts';
import type { Refusal } from '../src/domain/policy.ts';
import { commandDecision } from './actions.ts';
import { attendance } from './attendance.ts';
import { backfill } from './backfill.ts';
import { bind } from './bind.ts';
import { cancel } from './cancel.ts';
import { exportFile } from './export.ts';
import { checkin } from './checkin.ts';
import { consoleLink } from './console.ts';
import { help } from './help.ts';
import { leave } from './leave.ts';
import { makeup } from './makeup.ts';
import { meetings } from './meetings.ts';
import { mine } from './mine.ts';
import { minutes } from './minutes.ts';
import { register } from './register.ts';
import { remind } from './remind.ts';
import { report } from './report.ts';
import { reschedule } from './reschedule.ts';
import { schedule } from './schedule.ts';
import { stats } from './stats.ts';
import { weekly } from './weekly.ts';
import { withdraw } from './withdraw.ts';

type Handler<K extends CommandKind> = (ctx: MemberContext, command: Extract<Command, { kind: K }>) => Promise<void>;

/** One handler per command word (parse.ts names the words); 帮助 alone also answers those not in the roster. */
const HANDLERS: { [K in Exclude<CommandKind, 'help'>]: Handler<K> } = {
  report,
  bind,
  checkin,
  leave,
  makeup,
  mine,
  schedule,
  reschedule,
  backfill,
  cancel,
  attendance,
  remind,
  stats,
  weekly,
  register,
  minutes,
  meetings,
  withdraw,
  export: exportFile,
  console: consoleLink,
};

const REFUSED: Partial<Record<Refusal, string>> = { 'needs-secretary': SAY.secretaryOnly, left: SAY.leftRoster };

/**
 * The commands that read what messages before them in their batch staged as pending rows (a
 * 签到's present count), so that a burst of them shares its writes; every other command runs after
 * those rows are written (db/inbound-batch.ts).
 */
export const SEES_PENDING: ReadonlySet<CommandKind> = new Set(['report', 'checkin']);

/** The commands whose handlers read the sender's branch roster: the batch they arrive in reads those rosters together. */
export const READS_ROSTER: ReadonlySet<CommandKind> = new Set([
  'attendance',
  'backfill',
  'checkin',
  'leave',
  'makeup',
  'mine',
  'minutes',
  'register',
  'remind',
  'schedule',
  'stats',
]);

/** Whether the command reads the meetings 签到 without a code may mean, with who is present: the batch it arrives in reads them together. */
export const readsCheckinMeetings = (command: Command): boolean => command.kind === 'checkin' && !command.code;

/** Routes a parsed command to its handler, after the roster check and the policy's, on the sender's own branch. */
export async function runCommand(ctx: CommandContext, command: Command): Promise<void> {
  if (command.kind === 'help') return help(ctx);
  const member = ctx.member;
  if (!member) throw new UserError(SAY.notInRoster);
  const decision = commandDecision(member, command.kind);
  if (!decision.ok) throw new UserError(REFUSED[decision.why] ?? SAY.secretaryOnly);
  const handler = HANDLERS[command.kind] as Handler<typeof command.kind>;
  return handler({ ...ctx, member }, command as never);
}
