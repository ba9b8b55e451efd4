import type { CommandContext } from '../src/commands/context.ts';
import { USAGE } from '../src/commands/parse.ts';

const MEMBER_LINES = [`- ${USAGE.report}`, `- ${USAGE.help}：显示本说明`];
const SECRETARY_LINES = [`- ${USAGE.bind}`];

/** 帮助: the usage of every command the sender may use; secretary commands only to secretaries. */
export async function help(ctx: CommandContext): Promise<void> {
  const lines = ['**同心 · 使用说明**', '', '在群里 @我 或私聊我发送：', '', ...MEMBER_LINES];
  if (ctx.member?.role === 'secretary') lines.push('', '**书记可用：**', '', ...SECRETARY_LINES);
  if (!ctx.member) lines.push('', '你还没有登记为党员，请联系支部书记登记你的账号。');
  ctx.reply({ title: '同心 · 使用说明', markdown: lines.join('\n') });
}
