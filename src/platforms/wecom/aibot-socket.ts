import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import WebSocket from 'ws';
import type { Clock } from '../../core/clock.ts';
import { CALL_TIMEOUT_MS } from '../shared/api.ts';
import { type Backoff, LongSocket } from '../shared/long-socket.ts';

// The WeCom AI bot's long connection, spoken with `ws` as @wecom/aibot-node-sdk 1.0.7
// speaks it: open the socket, subscribe with the bot's id and secret, ping every 30 s (an unanswered
// ping ends the socket), take aibot_msg_callback and aibot_event_callback frames, answer a message
// with aibot_respond_msg and update a pressed card with aibot_respond_update_msg under the frame's
// req_id, push with aibot_send_msg under a req_id of its own (the server acknowledges each by its
// req_id). Ours for the same reasons as the
// DingTalk client (docs/operations.md, "Which receiving mode"): one socket at a time, backoff, nothing left on stop.

export interface AibotOptions {
  url: string;
  config: { botId: string; secret: string };
  logger: Logger;
  /** A message's frame: its req_id (to respond under) and its body. */
  onMessage(reqId: string, body: unknown): void;
  /** An event's frame (a card's button pressed, a chat entered), but for the connection's own. */
  onEvent?(reqId: string, body: unknown): void;
  heartbeatMs?: number;
  backoff?: Backoff;
  /** How long a socket must stay up for the backoff to start over (STABLE_MS). */
  stableMs?: number;
  clock: Clock;
}

interface Frame {
  cmd?: string;
  headers?: { req_id?: string };
  body?: { event?: { eventtype?: string } } & Record<string, unknown>;
  errcode?: number;
  errmsg?: string;
}

/** A req_id as the official client makes them: `<cmd>_<ms>_<random>`. */
const reqId = (cmd: string, now: number) => `${cmd}_${now}_${randomBytes(4).toString('hex')}`;

/** The server's acknowledgement of a frame: errcode 0 when it took it. */
export interface Ack {
  errcode: number;
  errmsg: string;
}

/** What the service answers on the socket under a callback's req_id. */
export type RespondCmd = 'aibot_respond_msg' | 'aibot_respond_update_msg';

export class AibotSocket extends LongSocket {
  private authenticated = false;
  private readonly waiting = new Map<string, (ack: Ack | null) => void>();
  private readonly heartbeatMs: number;

  constructor(private readonly opts: AibotOptions) {
    super(opts.backoff, opts.stableMs);
    this.heartbeatMs = opts.heartbeatMs ?? 30_000;
  }

  /** Whether the socket is open and subscribed. */
  get connected(): boolean {
    return this.authenticated && this.socket?.readyState === WebSocket.OPEN;
  }

  /** Answers the callback of `callbackReqId` (a message, or a card's press with `cmd` aibot_respond_update_msg); true once acknowledged. */
  async respond(callbackReqId: string, body: unknown, cmd: RespondCmd = 'aibot_respond_msg'): Promise<boolean> {
    return (await this.call(cmd, callbackReqId, body, CALL_TIMEOUT_MS))?.errcode === 0;
  }

  /** Pushes a message to a chat (`body.chatid`: a group's chatid, a member's userid); the server's ack, null for none within `timeoutMs`. */
  send(body: { chatid: string } & Record<string, unknown>, timeoutMs = CALL_TIMEOUT_MS): Promise<Ack | null> {
    return this.call('aibot_send_msg', reqId('aibot_send_msg', this.opts.clock.now()), body, timeoutMs);
  }

  /** Sends one frame and waits for its acknowledgement by req_id; null when none comes in time or the socket drops. */
  private call(cmd: string, id: string, body: unknown, timeoutMs: number): Promise<Ack | null> {
    const socket = this.socket;
    if (!socket || !this.connected) return Promise.resolve(null);
    return new Promise((resolve) => {
      const timer = setTimeout(() => settle(null), timeoutMs);
      const settle = (ack: Ack | null) => {
        clearTimeout(timer);
        this.waiting.delete(id);
        resolve(ack);
      };
      this.waiting.set(id, settle);
      socket.send(JSON.stringify({ cmd, headers: { req_id: id }, body }));
    });
  }

  protected connect(): void {
    const socket = new WebSocket(this.opts.url, { handshakeTimeout: CALL_TIMEOUT_MS });
    this.socket = socket;
    let answered = true;
    socket.on('open', () => {
      socket.send(
        JSON.stringify({
          cmd: 'aibot_subscribe',
          headers: { req_id: reqId('aibot_subscribe', this.opts.clock.now()) },
          body: { bot_id: this.opts.config.botId, secret: this.opts.config.secret },
        }),
      );
    });
    socket.on('message', (raw) => {
      let frame: Frame;
      try {
        frame = JSON.parse(raw.toString()) as Frame;
      } catch {
        this.opts.logger.warn('WeCom AI bot: a frame that is not JSON, ignored');
        return;
      }
      const id = frame.headers?.req_id ?? '';
      if (frame.cmd === 'aibot_msg_callback') {
        try {
          this.opts.onMessage(id, frame.body);
        } catch (err) {
          this.opts.logger.error({ err, reqId: id }, 'WeCom AI bot: handling a message failed');
        }
        return;
      }
      if (frame.cmd === 'aibot_event_callback') {
        // Another connection of the same bot took over; the server closes this one.
        if (frame.body?.event?.eventtype === 'disconnected_event') {
          this.opts.logger.warn('WeCom AI bot: another connection of this bot took over');
          return;
        }
        try {
          this.opts.onEvent?.(id, frame.body);
        } catch (err) {
          this.opts.logger.error({ err, reqId: id }, 'WeCom AI bot: handling an event failed');
        }
        return;
      }
      if (id.startsWith('aibot_subscribe')) {
        if (frame.errcode !== 0) {
          this.opts.logger.error(
            { errcode: frame.errcode },
            `WeCom AI bot: subscribing failed (${frame.errmsg ?? ''}): check the bot's BotID and Secret`,
          );
          socket.terminate();
          return;
        }
        this.authenticated = true;
        this.succeeded();
        this.opts.logger.info('WeCom AI bot connected');
        this.heartbeat = setInterval(() => {
          if (!answered) {
            this.opts.logger.warn('WeCom AI bot: no answer to the last ping, reconnecting');
            socket.terminate();
            return;
          }
          answered = false;
          socket.send(JSON.stringify({ cmd: 'ping', headers: { req_id: reqId('ping', this.opts.clock.now()) } }));
        }, this.heartbeatMs);
        return;
      }
      if (id.startsWith('ping')) {
        answered = true;
        return;
      }
      this.waiting.get(id)?.({ errcode: frame.errcode ?? -1, errmsg: frame.errmsg ?? '' });
    });
    socket.on('ping', () => socket.pong());
    socket.on('error', (err) => this.opts.logger.warn({ err }, 'WeCom AI bot socket error'));
    this.reconnectOnClose(socket);
  }

  protected override drop(): void {
    this.authenticated = false;
    for (const settle of [...this.waiting.values()]) settle(null);
    super.drop();
  }
}
