import { createHash, timingSafeEqual } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';

/** Tokens are compared by digest, so that lengths match and the comparison takes the same time whatever the guess. */
export const tokenDigest = (text: string) => createHash('sha256').update(text, 'utf8').digest();

/** Whether `given` is `expected`, in constant time. */
export const sameToken = (given: string, expected: string) => timingSafeEqual(tokenDigest(given), tokenDigest(expected));

/**
 * Bearer-token check of the admin API. Without a configured token the API does not exist (404),
 * so an unconfigured deployment exposes nothing.
 */
export function adminAuth(token: string | undefined): MiddlewareHandler {
  const expected = token ? tokenDigest(token) : undefined;
  return async (c, next) => {
    if (!expected) return c.json({ error: 'not found' }, 404);
    const match = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(c.req.header('authorization') ?? '');
    if (!match || !timingSafeEqual(tokenDigest(match[1]!), expected)) {
      c.header('WWW-Authenticate', 'Bearer');
      return c.json({ error: 'missing or wrong bearer token' }, 401);
    }
    await next();
  };
}
