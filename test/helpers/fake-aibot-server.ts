import { randomBytes } from 'node:crypto';
import { type WebSocket, WebSocketServer } from 'ws';
import { until } from './eventually.ts';
import type { FakePlatform } from './fake-platform.ts';

// The WeCom AI bot's long-connection server as @wecom/aibot-node-sdk 1.0.7 speaks to it, on the fake
// platform's server at /aibot: aibot_subscribe (bot_id, secret) answered by req_id, ping answered,
// aibot_msg_callback frames pushed by the test, aibot_respond_msg recorded and acknowledged.
// test/wecom-aibot-socket.test.ts checks it against the official client.

export interface AibotServer {
  url: string;
  /** Subscribed sockets now. */
  sockets: Set<WebSocket>;
  /** Every frame a client sent, parsed. */
  received: { cmd?: string; headers: { req_id: string }; body?: Record<string, unknown> }[];
  /** Pushes a message callback to one subscribed socket; returns its req_id. */
  push(body: unknown, reqId?: string): string;
  /** Stops answering pings (a half-dead connection). */
  silence(on: boolean): void;
  cutAll(): void;
  waitFor(predicate: () => boolean, timeoutMs?: number): Promise<void>;
}

export function attachAibotServer(fake: FakePlatform, credentials: { botId: string; secret: string }): AibotServer {
  const wss = new WebSocketServer({ noServer: true });
  let silent = false;
  const server: AibotServer = {
    url: `${fake.url.replace('http', 'ws')}/aibot`,
    sockets: new Set(),
    received: [],
    push(body, reqId = `aibot_msg_callback_${randomBytes(6).toString('hex')}`) {
      const [socket] = server.sockets;
      if (!socket) throw new Error('fake AI-bot server: no client subscribed');
      socket.send(JSON.stringify({ cmd: 'aibot_msg_callback', headers: { req_id: reqId }, body }));
      return reqId;
    },
    silence(on) {
      silent = on;
    },
    cutAll() {
      for (const s of server.sockets) s.terminate();
    },
    waitFor: (predicate, timeoutMs = 10_000) => until(predicate, timeoutMs, 'fake AI-bot server'),
  };
  fake.server.on('upgrade', (request, socket, head) => {
    if (new URL(request.url ?? '/', 'http://fake').pathname !== '/aibot') return;
    wss.handleUpgrade(request, socket, head, (ws) => {
      const answer = (reqId: string, errcode: number, errmsg = errcode === 0 ? 'ok' : 'invalid') =>
        ws.send(JSON.stringify({ headers: { req_id: reqId }, errcode, errmsg }));
      ws.on('message', (raw) => {
        const frame = JSON.parse(raw.toString()) as AibotServer['received'][number];
        server.received.push(frame);
        const reqId = frame.headers?.req_id ?? '';
        if (frame.cmd === 'aibot_subscribe') {
          const ok = frame.body?.bot_id === credentials.botId && frame.body?.secret === credentials.secret;
          answer(reqId, ok ? 0 : 40058);
          if (ok) server.sockets.add(ws);
          else ws.close();
        } else if (frame.cmd === 'ping') {
          if (!silent) answer(reqId, 0);
        } else if (frame.cmd === 'aibot_respond_msg') {
          answer(reqId, 0);
        }
      });
      ws.on('close', () => server.sockets.delete(ws));
    });
  });
  return server;
}
