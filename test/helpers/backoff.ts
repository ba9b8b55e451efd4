import type { WebSocket } from 'ws';
import type { Backoff } from '../../src/platforms/shared/long-socket.ts';

// A server that cuts its sockets at once, and how often a client may then come back: what the
// long connections' backoff is held to.

/**
 * Makes a server close each of the first `quick` sockets it adds (as it counts them: opened, or
 * subscribed) 50 ms later, the rest staying up; records when each came up and when each was closed.
 */
export function closeEarly(sockets: Set<WebSocket>, quick = Number.POSITIVE_INFINITY) {
  const log = { ups: [] as number[], downs: [] as number[] };
  const add = sockets.add.bind(sockets);
  sockets.add = (ws) => {
    log.ups.push(Date.now());
    if (log.ups.length <= quick)
      setTimeout(() => {
        log.downs.push(Date.now());
        ws.close();
      }, 50);
    return add(ws);
  };
  return log;
}

/** The most sockets a client opens in `windowMs` when each stays up `upMs` and each wait is at least half its doubled ceiling. */
export function mostConnects({ minMs, maxMs }: Backoff, upMs: number, windowMs: number): number {
  let at = 0;
  for (let connects = 1; ; connects++) {
    at += upMs + Math.min(maxMs, minMs * 2 ** (connects - 1)) / 2;
    if (at > windowMs) return connects;
  }
}
