import { createHash } from 'node:crypto';
import { type MemberContext, UserError, requireDirect } from '../src/commands/context.ts';
import type { DigestPlatform } from '../src/digest/render.ts';
import { previewDigest } from '../src/digest/preview.ts';
import { isoWeek } from '../src/iso-week.ts';

/** The size a reply may have: a WeCom app's text reply is the tightest. */
const PLATFORM: Record<MemberContext['message']['platform'], DigestPlatform> = { dingtalk: 'dingtalk', wecom: 'wecom-app', console: 'dingtalk' };

/**
 * 周报: this week's digest so far, to the secretary who asked, privately. It is not the week's
 * digest (that one is pushed once by the schedule); a long one continues in private messages.
 */
export async function weekly(ctx: MemberContext): Promise<void> {
  requireDirect(ctx, '周报');
  const { member, message } = ctx;
  const now = ctx.clock.now();
  const week = isoWeek(now, ctx.org.timezone);
  const digest = await previewDigest(ctx.db, member.org_id, member.branch_id, week, now, PLATFORM[message.platform]);
  if (!digest) throw new UserError('暂时无法生成本周周报，请稍后再试。');
  const [first, ...rest] = digest.parts;
  ctx.reply({ title: digest.title, markdown: first! });
  const key = createHash('sha1').update(`${message.channelId}|${message.messageId}`).digest('hex').slice(0, 24);
  for (const [i, markdown] of rest.entries()) {
    ctx.after({
      kind: 'deliver',
      delivery: {
        id: `weekly-${key}-${i + 2}`,
        orgId: member.org_id,
        target: { kind: 'member', channelId: message.channelId, memberId: member.id },
        message: { title: `${digest.title}（${i + 2}/${digest.parts.length}）`, markdown },
      },
    });
  }
}
