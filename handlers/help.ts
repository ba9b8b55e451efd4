import type { CommandContext } from '../src/chat/context.ts';
import { type CommandKind, SECRETARY_ONLY, USAGE } from '../src/chat/parse.ts';

const KINDS = Object.keys(USAGE) as CommandKind[];
const line = (kind: CommandKind) => `- ${USAGE[kind]}`;
const MEMBER_LINES = KINDS.filter((k) => !SECRETARY_ONLY.has(k) && k !== 'help').map(line);
const SECRETARY_LINES = KINDS.filter((k) => SECRETARY_ONLY.has(k)).map(line);

/** 帮助: the usage of every command the sender may use; secretary commands only to secretaries. */
export async function help(ctx: CommandContext): Promise<void> {
  const lines = ['**同心 · 使用说明**', '', '在群里 @我 或私聊我发送：', '', ...MEMBER_LINES];
  if (ctx.member?.role === 'secretary') lines.push('', '**书记可用：**', '', ...SECRETARY_LINES);
  if (!ctx.member) lines.push('', '你还没有登记为党员，请联系支部书记登记你的账号。');
  lines.push('', '签到自愿、一句话即可，不需要截图或定位；不能参加的可以请假，会后补学。');
  if (ctx.settings.guideUrl) lines.push('', `使用指南：${ctx.settings.guideUrl}`);
  ctx.reply({ title: '同心 · 使用说明', markdown: lines.join('\n') });
}
