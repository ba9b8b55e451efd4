import { type CommandDefinition, actionDecision, defineCommand } from '../src/chat/command.ts';
import type { CommandContext } from '../src/chat/context.ts';
import { read } from '../src/chat/parse.ts';
import { SAY } from '../src/chat/replies.ts';
import { everyMemberMay } from '../src/domain/policy.ts';

/**
 * 帮助: the usage of every command the sender may use: those every member may run to all, a
 * branch's commands only to those the policy lets run them. It answers those not in the roster too.
 * Made from the list of the others, whose order is the order it lists them in.
 */
export function helpCommand(others: readonly CommandDefinition[]): CommandDefinition<'help'> {
  const line = (definition: { usage: string }) => `- ${definition.usage}`;
  const memberLines = others.filter((d) => d.action !== 'anyone' && everyMemberMay(d.action)).map(line);
  const branchCommands = others.flatMap((d) =>
    d.action === 'anyone' || everyMemberMay(d.action) ? [] : [{ usage: d.usage, action: d.action }],
  );

  async function help(ctx: CommandContext): Promise<void> {
    const member = ctx.member;
    const allowed = member ? branchCommands.filter((d) => actionDecision(member, d.action).ok) : [];
    const secretary = allowed.length ? allowed.map(line) : null;
    ctx.reply({ title: SAY.helpTitle, markdown: SAY.help(memberLines, secretary, !!ctx.member, ctx.settings.guideUrl) });
  }

  return defineCommand({
    kind: 'help',
    words: ['帮助', 'help', '?'],
    usage: '帮助',
    refusalTitle: '帮助',
    action: 'anyone',
    parse: () => read<object>({}),
    handle: help,
  });
}
