import type { Command } from '../src/commands/parse.ts';
import type { CommandContext } from '../src/commands/context.ts';
import { bind } from './bind.ts';
import { help } from './help.ts';
import { report } from './report.ts';

/** Routes a parsed command to its handler: one file per command, found by its name. */
export async function runCommand(ctx: CommandContext, command: Command): Promise<void> {
  switch (command.kind) {
    case 'help':
      return help(ctx);
    case 'report':
      return report(ctx, command);
    case 'bind':
      return bind(ctx, command);
  }
}
