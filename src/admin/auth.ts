import { createHash, timingSafeEqual } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';
import { clientAddress } from './client-address.ts';
import type { ServiceDeps } from './deps.ts';
import { FailureLimit } from './failure-limit.ts';

/** Tokens are compared by digest, so that lengths match and the comparison takes the same time whatever the guess. */
export const tokenDigest = (text: string) => createHash('sha256').update(text, 'utf8').digest();

/** Whether `given` is `expected`, in constant time. */
export const sameToken = (given: string, expected: string) => timingSafeEqual(tokenDigest(given), tokenDigest(expected));

/**
 * Bearer-token check of the admin API. Without a configured token the API does not exist (404),
 * so an unconfigured deployment exposes nothing. A wrong token counts against the client's address
 * (5 in 15 minutes, then 429 without looking at the token); a request with no token guesses
 * nothing and is not counted.
 */
export function adminAuth(deps: Pick<ServiceDeps, 'config' | 'redis' | 'clock'>): MiddlewareHandler {
  const token = deps.config.ADMIN_TOKEN;
  const expected = token ? tokenDigest(token) : undefined;
  const failures = new FailureLimit(deps, `${deps.config.QUEUE_PREFIX}:admin-api-failures`);
  return async (c, next) => {
    if (!expected) return c.json({ error: 'not found' }, 404);
    const header = c.req.header('authorization');
    const given = header && /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(header)?.[1];
    const outcome = header
      ? await failures.attempt(clientAddress(c, deps.config), () => !!given && timingSafeEqual(tokenDigest(given), expected))
      : 'failed';
    if (outcome === 'refused') return c.json({ error: 'too many wrong tokens; try again in 15 minutes' }, 429);
    if (outcome === 'failed') {
      c.header('WWW-Authenticate', 'Bearer');
      return c.json({ error: 'missing or wrong bearer token' }, 401);
    }
    await next();
  };
}
