import { randomBytes } from 'node:crypto';
import { type WebSocket, WebSocketServer } from 'ws';
import { until } from './eventually.ts';
import type { FakePlatform } from './fake-platform.ts';

// The WeCom AI bot's long-connection server as @wecom/aibot-node-sdk 1.0.7 speaks to it, on the fake
// platform's server at /aibot: aibot_subscribe (bot_id, secret) answered by req_id, ping answered,
// aibot_msg_callback and aibot_event_callback frames pushed by the test, aibot_respond_msg,
// aibot_respond_update_msg and aibot_send_msg recorded and acknowledged (each by its req_id; a push
// refused with the errcode the test sets). A card's task_id is taken once per bot: a push taken,
// acknowledged or not, holds it, and a later card under it is refused with 42014, as WeCom's API
// answers a repeated task_id. test/wecom-aibot-socket.test.ts checks it against the official client.

export interface AibotServer {
  url: string;
  /** Subscribed sockets now. */
  sockets: Set<WebSocket>;
  /** Every frame a client sent, parsed. */
  received: { cmd?: string; headers: { req_id: string }; body?: Record<string, unknown> }[];
  /** Pushes a message callback to one subscribed socket; returns its req_id. */
  push(body: unknown, reqId?: string): string;
  /** Pushes an event callback (a card's button pressed) to one subscribed socket; returns its req_id. */
  pushEvent(body: unknown, reqId?: string): string;
  /** The frames of `cmd` received so far. */
  frames(cmd: string): AibotServer['received'];
  /** Answers every aibot_send_msg with `errcode` (0: takes them again), or takes them and answers nothing (null). */
  answerPushes(errcode: number | null): void;
  /** Stops answering pings (a half-dead connection). */
  silence(on: boolean): void;
  cutAll(): void;
  waitFor(predicate: () => boolean, timeoutMs?: number): Promise<void>;
}

export function attachAibotServer(fake: FakePlatform, credentials: { botId: string; secret: string }): AibotServer {
  const wss = new WebSocketServer({ noServer: true });
  let silent = false;
  let pushAnswer: number | null = 0;
  /** The task_ids of the cards taken. */
  const tasks = new Set<string>();
  const callback = (cmd: string, body: unknown, reqId: string) => {
    const [socket] = server.sockets;
    if (!socket) throw new Error('fake AI-bot server: no client subscribed');
    socket.send(JSON.stringify({ cmd, headers: { req_id: reqId }, body }));
    return reqId;
  };
  const server: AibotServer = {
    url: `${fake.url.replace('http', 'ws')}/aibot`,
    sockets: new Set(),
    received: [],
    push: (body, reqId = `aibot_msg_callback_${randomBytes(6).toString('hex')}`) => callback('aibot_msg_callback', body, reqId),
    pushEvent: (body, reqId = `aibot_event_callback_${randomBytes(6).toString('hex')}`) => callback('aibot_event_callback', body, reqId),
    frames: (cmd) => server.received.filter((f) => f.cmd === cmd),
    answerPushes(errcode) {
      pushAnswer = errcode;
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
        } else if (frame.cmd === 'aibot_respond_msg' || frame.cmd === 'aibot_respond_update_msg') {
          answer(reqId, 0);
        } else if (frame.cmd === 'aibot_send_msg') {
          const task = (frame.body?.template_card as { task_id?: string } | undefined)?.task_id;
          const take = () => task !== undefined && tasks.add(task);
          if (pushAnswer === null) take();
          else if (pushAnswer !== 0) answer(reqId, pushAnswer);
          else if (task !== undefined && tasks.has(task)) answer(reqId, 42014, 'taskid has existed or empty or exceed max len');
          else {
            take();
            answer(reqId, 0);
          }
        }
      });
      ws.on('close', () => server.sockets.delete(ws));
    });
  });
  return server;
}
