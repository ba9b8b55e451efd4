import { type Context, Hono } from 'hono';
import { getLiveLink, useLink } from '../../../db/links.ts';
import { getMember } from '../../../db/members.ts';
import { CONSOLE_PATH } from '../../chat/context.ts';
import { linkTokenHash } from '../../core/ids.ts';
import { canSignIn } from '../../domain/policy.ts';
import type { AuditActor } from '../../domain/audit.ts';
import { auditSignInRefused } from '../acting.ts';
import { sameToken } from '../auth.ts';
import { clientAddress } from '../client-address.ts';
import type { ServiceDeps } from '../deps.ts';
import { FailureLimit } from '../failure-limit.ts';
import { signInForm } from './forms/login.ts';
import { type ConsoleEnv, checkedForm, endViewerSession, requireViewer, sameOrigin, startSession } from './session.ts';
import { enterView, signInView } from './views/login.ts';

// Signing in: a secretary or org admin with the link 控制台 sent them (once, within 10
// minutes); IT with ADMIN_TOKEN, each failure answered after a second and an address locked out for
// 15 minutes after 5 failures.

type Deps = Pick<ServiceDeps, 'db' | 'clock' | 'config' | 'redis'>;

const FAILURE_DELAY_MS = 1_000;

const signInPage = (c: Context, status: 200 | 401 | 403 | 410 | 429, text: string | null, tokenForm: boolean) =>
  c.html(signInView({ message: text === null ? null : { kind: status === 200 ? 'notice' : 'error', text }, tokenForm }), status);

export function loginRoutes(deps: Deps): Hono<ConsoleEnv> {
  const { db, clock, config } = deps;
  const app = new Hono<ConsoleEnv>();
  const tokenForm = !!config.ADMIN_TOKEN;
  const failures = new FailureLimit(deps, `${config.QUEUE_PREFIX}:console-signin-failures`);
  // Refused link sign-ins go on the trail, but a few an address each 15 minutes: a script posting
  // made-up links must not bury the real entries (the links themselves cannot be guessed).
  const linkRefusals = new FailureLimit(deps, `${config.QUEUE_PREFIX}:console-link-refusals`);
  const expired = '登录链接已失效：链接只能使用一次，并且 10 分钟内有效。请在私聊中重新发送「控制台」。';

  app.get('/login', (c) => {
    const t = c.req.query('t');
    if (!t) return signInPage(c, 200, null, tokenForm);
    return c.html(enterView(t));
  });

  app.post('/login', async (c) => {
    if (!sameOrigin(c, deps)) return signInPage(c, 403, '请求来源不正确。', tokenForm);
    const form = signInForm(await c.req.parseBody());
    const address = clientAddress(c, config);
    const refused = (who: AuditActor, orgId: string | null, reason: string) =>
      auditSignInRefused(db, who, { at: clock.now(), orgId, reason, address });
    if (form.kind === 'link') {
      const id = linkTokenHash(form.token);
      const link = await getLiveLink(db, id, 'login', clock.now());
      const member = link?.member_id ? await getMember(db, link.org_id, link.member_id) : undefined;
      const noted = async (...entry: Parameters<typeof refused>) => {
        if ((await linkRefusals.attempt(address, () => false)) === 'failed') await refused(...entry);
      };
      if (!link || !member) {
        await noted({ kind: 'member', id: null, name: '未知（链接无效）' }, link?.org_id ?? null, 'link unknown, used or expired');
        return signInPage(c, 410, expired, tokenForm);
      }
      if (!canSignIn(member) || !(await startSession(c, deps, member, (trx) => useLink(trx, id, clock.now())))) {
        const reason = canSignIn(member) ? 'link already used' : 'may no longer sign in';
        await noted({ kind: 'member', id: member.id, name: member.name }, member.org_id, reason);
        return signInPage(c, 410, expired, tokenForm);
      }
      return c.redirect(CONSOLE_PATH, 303);
    }
    const expected = config.ADMIN_TOKEN;
    if (!expected || form.kind !== 'token') return signInPage(c, 401, '请使用登录链接。', tokenForm);
    const outcome = await failures.attempt(address, () => sameToken(form.token, expected));
    // Past the limit nothing is compared, and nothing more is written: the five before are there.
    if (outcome === 'refused') return signInPage(c, 429, '尝试次数过多，请 15 分钟后再试。', tokenForm);
    if (outcome === 'failed') {
      await refused({ kind: 'it', name: '未知（令牌不正确）' }, null, 'wrong token');
      await new Promise((resolve) => setTimeout(resolve, FAILURE_DELAY_MS));
      return signInPage(c, 401, '令牌不正确。', tokenForm);
    }
    await startSession(c, deps, null);
    return c.redirect(CONSOLE_PATH, 303);
  });

  app.post('/logout', requireViewer(deps), async (c) => {
    if (!(await checkedForm(c, deps))) return signInPage(c, 403, '请求已过期，请刷新页面后重试。', tokenForm);
    await endViewerSession(c, deps);
    return c.redirect(`${CONSOLE_PATH}/login`, 303);
  });

  return app;
}
