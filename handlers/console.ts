import { type MemberContext, UserError, requireDirect } from '../src/chat/context.ts';
import { LINK_MINUTES, issueLink } from '../src/chat/links.ts';
import { SAY } from '../src/chat/replies.ts';
import { canSignIn } from '../src/domain/console-access.ts';

/** 控制台: a sign-in link to the console, one-to-one, for a secretary or an org admin (the command table checks the role); it works once, for 10 minutes. */
export async function consoleLink(ctx: MemberContext): Promise<void> {
  requireDirect(ctx, '控制台');
  const base = ctx.settings.publicUrl;
  if (!base) throw new UserError(SAY.consoleOff);
  if (!canSignIn(ctx.member)) throw new UserError(SAY.consoleLeft);
  const url = await issueLink(ctx, base, 'login', '{}');
  ctx.reply({ title: '控制台', markdown: SAY.consoleLink(url, LINK_MINUTES) });
}
