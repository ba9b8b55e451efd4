import { type MemberContext, UserError, requireDirect } from '../src/chat/context.ts';
import { loadDigestInput } from '../db/digest-facts.ts';
import { previewDigest } from '../src/domain/digest/preview.ts';
import { isoWeek } from '../src/domain/iso-week.ts';
import { deliveryId } from '../src/domain/outbound.ts';

/**
 * 周报: this week's digest so far, to the secretary who asked, privately. It is not the week's
 * digest (that one is pushed once by the schedule); a long one continues in private messages.
 */
export async function weekly(ctx: MemberContext): Promise<void> {
  requireDirect(ctx, '周报');
  const { member, message } = ctx;
  const now = ctx.clock.now();
  const input = await loadDigestInput(ctx.db, member.org_id, isoWeek(now, ctx.org.timezone), now, member.branch_id);
  const facts = input?.branches[0];
  if (!input || !facts) throw new UserError('暂时无法生成本周周报，请稍后再试。');
  // Parts sized for the reply: what the receiver says its platform's replies take.
  const digest = previewDigest({ facts, window: input.window, calendar: input.calendar }, message.replyFormat, now);
  const [first, ...rest] = digest.parts;
  ctx.reply({ title: digest.title, markdown: first! });
  for (const [i, markdown] of rest.entries()) {
    ctx.after({
      kind: 'deliver',
      delivery: {
        id: deliveryId('weekly', [message.channelId, message.messageId], i + 2),
        orgId: member.org_id,
        target: { kind: 'member', channelId: message.channelId, memberId: member.id },
        message: { title: `${digest.title}（${i + 2}/${digest.parts.length}）`, markdown },
      },
    });
  }
}
