import { randomBytes } from 'node:crypto';
import type { Context, MiddlewareHandler } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { createSession, endSession, getLiveSession } from '../../../db/console-sessions.ts';
import { getMember } from '../../../db/members.ts';
import type { MemberTable } from '../../../db/schema.ts';
import { CONSOLE_PATH } from '../../chat/context.ts';
import { linkTokenHash, newLinkToken } from '../../core/ids.ts';
import { type Scope, scopeOf } from '../../domain/console-access.ts';
import { sameToken } from '../auth.ts';
import type { ServiceDeps } from '../deps.ts';

// The console's session: a random token in an HttpOnly, SameSite=Strict cookie (Secure when
// PUBLIC_URL is https), 8 hours; the database keeps its hash, who it is, and the CSRF token every
// form posts back. What the session may see is read from the member at each request.

export const SESSION_COOKIE = 'tongxin_console';
export const SESSION_MS = 8 * 3_600_000;

export interface Viewer {
  sessionId: string;
  csrf: string;
  scope: Scope;
  /** The member signed in; absent for IT (ADMIN_TOKEN). */
  member?: MemberTable;
  name: string;
}

export type ConsoleEnv = { Variables: { viewer: Viewer } };

type Deps = Pick<ServiceDeps, 'db' | 'clock' | 'config'>;

const secure = (deps: Deps) => deps.config.PUBLIC_URL?.startsWith('https://') ?? false;

/** Starts a session for `member` (or IT when null) and sets its cookie. */
export async function startSession(c: Context, deps: Deps, member: Pick<MemberTable, 'org_id' | 'id'> | null): Promise<void> {
  const now = deps.clock.now();
  const { token, hash } = newLinkToken();
  await createSession(deps.db, {
    id: hash,
    org_id: member?.org_id ?? null,
    member_id: member?.id ?? null,
    csrf: randomBytes(24).toString('base64url'),
    created_at: now,
    expires_at: now + SESSION_MS,
  });
  setCookie(c, SESSION_COOKIE, token, {
    httpOnly: true,
    sameSite: 'Strict',
    secure: secure(deps),
    path: CONSOLE_PATH,
    maxAge: SESSION_MS / 1000,
  });
}

/** The signed-in viewer of the request, or null (no cookie, an ended or expired session, a member who may no longer sign in). */
export async function viewerOf(c: Context, deps: Deps): Promise<Viewer | null> {
  const token = getCookie(c, SESSION_COOKIE);
  if (!token) return null;
  const session = await getLiveSession(deps.db, linkTokenHash(token), deps.clock.now());
  if (!session) return null;
  const base = { sessionId: session.id, csrf: session.csrf };
  if (session.member_id === null || session.org_id === null) return { ...base, scope: { kind: 'all' }, name: '系统管理员' };
  const member = await getMember(deps.db, session.org_id, session.member_id);
  const scope = member ? scopeOf({ kind: 'member', member }) : null;
  if (!member || !scope) return null;
  return { ...base, scope, member, name: member.name };
}

/** Pages behind the session: a request without one goes to the sign-in page. */
export function requireViewer(deps: Deps): MiddlewareHandler<ConsoleEnv> {
  return async (c, next) => {
    const viewer = await viewerOf(c, deps);
    if (!viewer) return c.redirect(`${CONSOLE_PATH}/login`, 303);
    c.set('viewer', viewer);
    await next();
  };
}

/**
 * Every write: the form's `_csrf` must be the session's, and a browser's Origin, when sent, this
 * service's own. Returns the parsed form, or null when refused.
 */
export async function checkedForm(c: Context<ConsoleEnv>, deps: Deps): Promise<Record<string, string | File> | null> {
  if (!sameOrigin(c, deps)) return null;
  const form = await c.req.parseBody();
  const token = form._csrf;
  return typeof token === 'string' && sameToken(token, c.get('viewer').csrf) ? (form as Record<string, string | File>) : null;
}

/** A browser's Origin header, when it sends one, names this service (the request's own origin or PUBLIC_URL's). */
export function sameOrigin(c: Context, deps: Deps): boolean {
  const origin = c.req.header('origin');
  if (!origin) return true;
  const own = [new URL(c.req.url).origin, deps.config.PUBLIC_URL ? new URL(deps.config.PUBLIC_URL).origin : undefined];
  return own.includes(origin);
}

export async function endViewerSession(c: Context<ConsoleEnv>, deps: Deps): Promise<void> {
  await endSession(deps.db, c.get('viewer').sessionId, deps.clock.now());
  deleteCookie(c, SESSION_COOKIE, { path: CONSOLE_PATH, secure: secure(deps) });
}
