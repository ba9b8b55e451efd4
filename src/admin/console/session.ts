import { randomBytes, scryptSync } from 'node:crypto';
import type { Context, MiddlewareHandler } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { createSession, endSession, getLiveSession, touchSession } from '../../../db/console-sessions.ts';
import { getMember } from '../../../db/members.ts';
import type { Db, Member } from '../../../db/schema.ts';
import { CONSOLE_PATH } from '../../chat/context.ts';
import { linkTokenHash, newLinkToken } from '../../core/ids.ts';
import { type ActingMember, type Actor, type Scope, scopeOf } from '../../domain/policy.ts';
import { type Acting, audit, itActing, memberActing } from '../acting.ts';
import { sameToken } from '../auth.ts';
import { clientAddress } from '../client-address.ts';
import type { ServiceDeps } from '../deps.ts';

// The console's session: a random token in an HttpOnly, SameSite=Strict cookie (Secure when
// PUBLIC_URL is https); the database keeps its hash, who it is, and the CSRF token every form posts
// back. It ends after 8 hours, after 30 minutes without a request, at sign-out, when the member's
// standing changes (members.ts), and, for IT, when ADMIN_TOKEN is no longer the one it was opened
// with. What the session may see is read from the member at each request.

export const SESSION_COOKIE = 'tongxin_console';
export const SESSION_MS = 8 * 3_600_000;
export const IDLE_MS = 30 * 60_000;
/** A session's last request is written at most this often: a page's assets do not each write. */
const TOUCH_MS = 60_000;

export interface Viewer {
  sessionId: string;
  csrf: string;
  /** Who acts, as the policy reads her. */
  actor: Actor;
  scope: Scope;
  /** The member signed in; absent for IT (ADMIN_TOKEN). */
  member?: Member;
  name: string;
}

export type ConsoleEnv = { Variables: { viewer: Viewer } };

type Deps = Pick<ServiceDeps, 'db' | 'clock' | 'config'>;

const secure = (deps: Deps) => deps.config.PUBLIC_URL?.startsWith('https://') ?? false;

const digests = new Map<string, string>();

/**
 * What an IT session keeps of the ADMIN_TOKEN it was opened with: a slow hash (once a process), so
 * that a copy of the table does not help to guess the token.
 */
export function itTokenDigest(token: string): string {
  let digest = digests.get(token);
  if (!digest) {
    digest = scryptSync(token, 'tongxin console session', 24).toString('hex');
    digests.set(token, digest);
  }
  return digest;
}

/**
 * Starts a session for `member` (or IT when null), on the trail, and sets its cookie; `claim` runs
 * first in the same transaction (a link is spent with the session it opens), and false from it
 * starts nothing.
 */
export async function startSession(
  c: Context,
  deps: Deps,
  member: (ActingMember & { name: string }) | null,
  claim: (trx: Db) => Promise<boolean> = async () => true,
): Promise<boolean> {
  const now = deps.clock.now();
  const { token, hash } = newLinkToken();
  const acting = member ? memberActing(member, clientAddress(c, deps.config)) : itActing(clientAddress(c, deps.config));
  const started = await deps.db.transaction().execute(async (trx) => {
    if (!(await claim(trx))) return false;
    await createSession(trx, {
      id: hash,
      org_id: member?.org_id ?? null,
      member_id: member?.id ?? null,
      csrf: randomBytes(24).toString('base64url'),
      created_at: now,
      expires_at: now + SESSION_MS,
      last_seen_at: now,
      it_token: member || !deps.config.ADMIN_TOKEN ? null : itTokenDigest(deps.config.ADMIN_TOKEN),
    });
    await audit(trx, acting, {
      at: now,
      orgId: member?.org_id ?? null,
      action: 'session.signin',
      object: member ? `member:${member.id}` : null,
    });
    return true;
  });
  if (!started) return false;
  setCookie(c, SESSION_COOKIE, token, {
    httpOnly: true,
    sameSite: 'Strict',
    secure: secure(deps),
    path: CONSOLE_PATH,
    maxAge: SESSION_MS / 1000,
  });
  return true;
}

/**
 * The signed-in viewer of the request, or null (no cookie, an ended or expired session, a member
 * who may no longer sign in). `touch: false` for a request a page makes on its own (a dashboard
 * polling), which is not the person's: it does not keep the session from idling out.
 */
export async function viewerOf(c: Context, deps: Deps, opts: { touch?: boolean } = {}): Promise<Viewer | null> {
  const token = getCookie(c, SESSION_COOKIE);
  if (!token) return null;
  const now = deps.clock.now();
  const session = await getLiveSession(deps.db, linkTokenHash(token), now, now - IDLE_MS);
  if (!session) return null;
  const base = { sessionId: session.id, csrf: session.csrf };
  let viewer: Viewer;
  if (session.member_id === null || session.org_id === null) {
    const current = deps.config.ADMIN_TOKEN;
    if (!current || session.it_token !== itTokenDigest(current)) return null;
    viewer = { ...base, actor: { kind: 'it' }, scope: { kind: 'all' }, name: '系统管理员' };
  } else {
    const member = await getMember(deps.db, session.org_id, session.member_id);
    const actor: Actor | null = member ? { kind: 'member', member } : null;
    const scope = actor && scopeOf(actor);
    if (!member || !actor || !scope) return null;
    viewer = { ...base, actor, scope, member, name: member.name };
  }
  if (opts.touch !== false && now - session.last_seen_at >= TOUCH_MS) await touchSession(deps.db, session.id, now);
  return viewer;
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
  const viewer = c.get('viewer');
  const now = deps.clock.now();
  await deps.db.transaction().execute(async (trx) => {
    await endSession(trx, viewer.sessionId, now);
    const orgId = viewer.member?.org_id ?? null;
    await audit(trx, actingOf(c, deps), {
      at: now,
      orgId,
      action: 'session.signout',
      object: viewer.member ? `member:${viewer.member.id}` : null,
    });
  });
  deleteCookie(c, SESSION_COOKIE, { path: CONSOLE_PATH, secure: secure(deps) });
}

/** The signed-in viewer (the request's, unless given) as one who acts: for the policy and the trail. */
export function actingOf(c: Context, deps: Deps, viewer: Viewer = (c as Context<ConsoleEnv>).get('viewer')): Acting {
  const address = clientAddress(c, deps.config);
  return viewer.member ? memberActing(viewer.member, address) : itActing(address);
}
