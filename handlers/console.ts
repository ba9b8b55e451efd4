import { type MemberContext, UserError, requireDirect } from '../src/chat/context.ts';
import { defineCommand } from '../src/chat/command.ts';
import { noArguments } from '../src/chat/parse.ts';
import { LINK_MINUTES } from '../src/chat/links.ts';
import { sendLater } from '../src/chat/outbox.ts';
import { SAY } from '../src/chat/replies.ts';
import { deliveryId } from '../src/domain/outbound.ts';
import { privateAnswer } from '../src/domain/targets.ts';

export const consoleCommand = defineCommand({
  kind: 'console',
  words: ['控制台', 'console'],
  usage: '控制台（登录网页控制台：查看和整理本支部的会议、党员、汇报和台账，仅私聊发送链接）',
  refusalTitle: '未能登录控制台',
  action: 'console.signin',
  parse: noArguments('控制台'),
  handle: consoleLink,
});

/**
 * 控制台: a sign-in link to the console, one-to-one, for a secretary or an org admin (the command
 * table checks who). The link goes in a private message of its own, sent to her account through
 * the channel she asked on and made only as it is sent: never in this reply, which a platform's
 * retry would get again and which is stored.
 */
async function consoleLink(ctx: MemberContext): Promise<void> {
  requireDirect(ctx, '控制台');
  const { member, message } = ctx;
  if (!ctx.settings.publicUrl) throw new UserError(SAY.consoleOff);
  const privately = privateAnswer(member, await ctx.channelRefs(ctx.db, member.org_id), message.channelId);
  if (!privately) throw new UserError(SAY.consoleUnreachable);
  await sendLater(ctx, {
    id: deliveryId('link', [message.channelId, message.messageId]),
    orgId: member.org_id,
    target: privately.target,
    message: { title: '控制台登录链接', markdown: SAY.consoleLinkText(LINK_MINUTES), link: { purpose: 'login', askedAt: ctx.clock.now() } },
  });
  ctx.reply({ title: '控制台', markdown: SAY.consoleLinkSent(LINK_MINUTES) });
}
