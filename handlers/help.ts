import type { CommandContext } from '../src/chat/context.ts';
import { type CommandKind, SECRETARY_ONLY, USAGE } from '../src/chat/parse.ts';
import { SAY } from '../src/chat/replies.ts';

const KINDS = Object.keys(USAGE) as CommandKind[];
const line = (kind: CommandKind) => `- ${USAGE[kind]}`;
const MEMBER_LINES = KINDS.filter((k) => !SECRETARY_ONLY.has(k) && k !== 'help').map(line);
const SECRETARY_LINES = KINDS.filter((k) => SECRETARY_ONLY.has(k)).map(line);

/** 帮助: the usage of every command the sender may use; secretary commands only to secretaries. */
export async function help(ctx: CommandContext): Promise<void> {
  const secretary = ctx.member?.role === 'secretary' ? SECRETARY_LINES : null;
  ctx.reply({ title: SAY.helpTitle, markdown: SAY.help(MEMBER_LINES, secretary, !!ctx.member, ctx.settings.guideUrl) });
}
