import { isIP } from 'node:net';
import type { Context } from 'hono';
import type { Config } from '../core/config.ts';

/**
 * The address a request came from, for limits kept per client: the socket's peer, or, when
 * TRUST_PROXY names a header, the address the proxy put there. Of a list (X-Forwarded-For), only
 * the right-most entry is the proxy's own: the ones before it are whatever the client sent. A
 * request without the header (not through the proxy) or with no address in it counts by its socket.
 * Without a socket (a request handed to the app in-process) it is `local`.
 */
export function clientAddress(c: Context, config: Pick<Config, 'TRUST_PROXY'>): string {
  if (config.TRUST_PROXY) {
    const entry = c.req.header(config.TRUST_PROXY)?.split(',').at(-1)?.trim();
    if (entry && isIP(entry)) return entry;
  }
  const env = c.env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined;
  return env?.incoming?.socket?.remoteAddress ?? 'local';
}
