import { type Command, SECRETARY_ONLY } from '../src/commands/parse.ts';
import { type CommandContext, NOT_IN_ROSTER, UserError } from '../src/commands/context.ts';
import { attendance } from './attendance.ts';
import { bind } from './bind.ts';
import { cancel } from './cancel.ts';
import { checkin } from './checkin.ts';
import { help } from './help.ts';
import { leave } from './leave.ts';
import { makeup } from './makeup.ts';
import { mine } from './mine.ts';
import { minutes } from './minutes.ts';
import { register } from './register.ts';
import { remind } from './remind.ts';
import { report } from './report.ts';
import { reschedule } from './reschedule.ts';
import { schedule } from './schedule.ts';
import { stats } from './stats.ts';
import { weekly } from './weekly.ts';

/** Routes a parsed command to its handler (one file per command), after the roster and role checks. */
export async function runCommand(ctx: CommandContext, command: Command): Promise<void> {
  if (command.kind === 'help') return help(ctx);
  const member = ctx.member;
  if (!member) throw new UserError(NOT_IN_ROSTER);
  if (SECRETARY_ONLY.has(command.kind) && member.role !== 'secretary') {
    throw new UserError('只有支部书记可以使用这条命令。');
  }
  const mctx = { ...ctx, member };
  switch (command.kind) {
    case 'report':
      return report(mctx, command);
    case 'bind':
      return bind(mctx, command);
    case 'checkin':
      return checkin(mctx, command);
    case 'leave':
      return leave(mctx, command);
    case 'makeup':
      return makeup(mctx, command);
    case 'mine':
      return mine(mctx);
    case 'schedule':
      return schedule(mctx, command);
    case 'reschedule':
      return reschedule(mctx, command);
    case 'cancel':
      return cancel(mctx, command);
    case 'attendance':
      return attendance(mctx, command);
    case 'remind':
      return remind(mctx, command);
    case 'stats':
      return stats(mctx, command);
    case 'weekly':
      return weekly(mctx);
    case 'register':
      return register(mctx, command);
    case 'minutes':
      return minutes(mctx, command);
  }
}
