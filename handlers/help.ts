import type { CommandContext } from '../src/chat/context.ts';
import { type CommandKind, USAGE } from '../src/chat/parse.ts';
import { SAY } from '../src/chat/replies.ts';
import { COMMAND_ACTIONS, commandDecision } from './actions.ts';

const KINDS = (Object.keys(USAGE) as CommandKind[]).filter((k): k is Exclude<CommandKind, 'help'> => k !== 'help');
const line = (kind: CommandKind) => `- ${USAGE[kind]}`;
const MEMBER_LINES = KINDS.filter((k) => COMMAND_ACTIONS[k] === 'own.records').map(line);
const BRANCH_KINDS = KINDS.filter((k) => COMMAND_ACTIONS[k] !== 'own.records');

/** 帮助: the usage of every command the sender may use; a branch's commands only to those the policy lets run them. */
export async function help(ctx: CommandContext): Promise<void> {
  const member = ctx.member;
  const allowed = member ? BRANCH_KINDS.filter((k) => commandDecision(member, k).ok) : [];
  const secretary = allowed.length ? allowed.map(line) : null;
  ctx.reply({ title: SAY.helpTitle, markdown: SAY.help(MEMBER_LINES, secretary, !!ctx.member, ctx.settings.guideUrl) });
}
