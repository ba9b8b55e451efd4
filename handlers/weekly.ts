import { type MemberContext, UserError, requireDirect } from '../src/chat/context.ts';
import { defineCommand } from '../src/chat/command.ts';
import { noArguments } from '../src/chat/parse.ts';
import { sendLater } from '../src/chat/outbox.ts';
import { loadDigestInput } from '../db/digest-facts.ts';
import { previewDigest } from '../src/render/digest-preview.ts';
import { isoWeek } from '../src/domain/iso-week.ts';
import { PART_LIMITS } from '../src/render/digest.ts';
import { deliveryId } from '../src/domain/outbound.ts';
import { privateAnswer } from '../src/domain/targets.ts';
import { SAY } from '../src/chat/replies.ts';

export const weeklyCommand = defineCommand({
  kind: 'weekly',
  words: ['周报', 'digest'],
  usage: '周报（本周到目前为止的五同周报，仅私聊回复）',
  refusalTitle: '暂不能生成周报',
  action: 'branch.read',
  parse: noArguments('周报'),
  handle: weekly,
});

/**
 * 周报: this week's digest so far, to the secretary who asked, privately. It is not the week's
 * digest (that one is pushed once by the schedule); a long one continues in private messages.
 */
async function weekly(ctx: MemberContext): Promise<void> {
  requireDirect(ctx, '周报');
  const { member, message } = ctx;
  const now = ctx.clock.now();
  const input = await loadDigestInput(ctx.db, member.org_id, isoWeek(now, ctx.org.timezone), now, member.branch_id);
  const facts = input?.branches[0];
  if (!input || !facts) throw new UserError(SAY.weeklyUnavailable);
  // A long digest continues in private messages, through the app it was asked in (privateAnswer):
  // each part fits both the reply and those messages.
  const privately = privateAnswer(member, await ctx.channelRefs(ctx.db, member.org_id), message.channelId);
  const format = privately && PART_LIMITS[privately.format] < PART_LIMITS[message.replyFormat] ? privately.format : message.replyFormat;
  const digest = previewDigest({ ...input, facts, checkinCloses: ctx.settings.checkinCloses }, { format, audience: 'private' }, now);
  const [first, ...rest] = digest.parts;
  if (rest.length && !privately) {
    ctx.reply({ title: digest.title, markdown: `${first!}\n\n${SAY.weeklyUndelivered(digest.parts.length)}` });
    return;
  }
  ctx.reply({ title: digest.title, markdown: first! });
  for (const [i, markdown] of rest.entries()) {
    await sendLater(ctx, {
      id: deliveryId('weekly', [message.channelId, message.messageId], i + 2),
      orgId: member.org_id,
      target: privately!.target,
      message: { title: `${digest.title}（${i + 2}/${digest.parts.length}）`, markdown },
    });
  }
}
