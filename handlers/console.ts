import { type MemberContext, UserError, requireDirect } from '../src/chat/context.ts';
import { LINK_MINUTES } from '../src/chat/links.ts';
import { sendLater } from '../src/chat/outbox.ts';
import { SAY } from '../src/chat/replies.ts';
import { deliveryId } from '../src/domain/outbound.ts';
import { privateAnswer } from '../src/domain/targets.ts';
import { listOrgChannels } from '../db/channels.ts';

/**
 * 控制台: a sign-in link to the console, one-to-one, for a secretary or an org admin (the command
 * table checks who). The link goes in a private message of its own, sent to her account through
 * the channel she asked on and made only as it is sent: never in this reply, which a platform's
 * retry would get again and which is stored.
 */
export async function consoleLink(ctx: MemberContext): Promise<void> {
  requireDirect(ctx, '控制台');
  const { member, message } = ctx;
  if (!ctx.settings.publicUrl) throw new UserError(SAY.consoleOff);
  const privately = privateAnswer(member, await listOrgChannels(ctx.db, member.org_id), message.channelId);
  if (!privately) throw new UserError(SAY.consoleUnreachable);
  await sendLater(ctx, {
    id: deliveryId('link', [message.channelId, message.messageId]),
    orgId: member.org_id,
    target: privately.target,
    message: { title: '控制台登录链接', markdown: SAY.consoleLinkText(LINK_MINUTES), link: { purpose: 'login', askedAt: ctx.clock.now() } },
  });
  ctx.reply({ title: '控制台', markdown: SAY.consoleLinkSent(LINK_MINUTES) });
}
