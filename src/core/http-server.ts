import type { AddressInfo } from 'node:net';
import { type ServerType, serve } from '@hono/node-server';
import { BODY_DEADLINE_MS } from './body.ts';

// Node's HTTP server as the service runs it. Every request must have arrived whole within a
// deadline, body included (Node answers 408 and closes the connection past it), so that a client
// sending slowly cannot hold a connection, whatever route reads the body. The webhooks read theirs
// under BODY_DEADLINE_MS and answer a 408 of their own, which a second's margin lets come first.

const SERVER_OPTIONS = {
  headersTimeout: BODY_DEADLINE_MS,
  requestTimeout: BODY_DEADLINE_MS + 1_000,
  // How often Node looks for requests past those deadlines (its default, 30 s, would let one last 40 s).
  connectionsCheckingInterval: 1_000,
};

/** Serves `fetch` on `port` (all interfaces unless `hostname`). */
export const serveHttp = (
  fetch: Parameters<typeof serve>[0]['fetch'],
  options: { port: number; hostname?: string },
  onListening?: (info: AddressInfo) => void,
): ServerType => serve({ fetch, ...options, serverOptions: SERVER_OPTIONS }, onListening);
