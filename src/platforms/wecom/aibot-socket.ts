import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import WebSocket from 'ws';
import type { Clock } from '../../core/clock.ts';
import { CALL_TIMEOUT_MS } from '../shared/api.ts';
import { type Backoff, LongSocket } from '../shared/long-socket.ts';

// The WeCom AI bot's long connection, spoken with `ws` as @wecom/aibot-node-sdk 1.0.7
// speaks it: open the socket, subscribe with the bot's id and secret, ping every 30 s (an unanswered
// ping ends the socket), take aibot_msg_callback frames, answer each with aibot_respond_msg under
// the frame's req_id (the server acknowledges by that req_id). Ours for the same reasons as the
// DingTalk client (docs/operations.md, "Which receiving mode"): one socket at a time, backoff, nothing left on stop.

export interface AibotOptions {
  url: string;
  config: { botId: string; secret: string };
  logger: Logger;
  /** A message's frame: its req_id (to respond under) and its body. */
  onMessage(reqId: string, body: unknown): void;
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

export class AibotSocket extends LongSocket {
  private authenticated = false;
  private readonly waiting = new Map<string, (ok: boolean) => void>();
  private readonly heartbeatMs: number;

  constructor(private readonly opts: AibotOptions) {
    super(opts.backoff, opts.stableMs);
    this.heartbeatMs = opts.heartbeatMs ?? 30_000;
  }

  /** Whether the socket is open and subscribed. */
  get connected(): boolean {
    return this.authenticated && this.socket?.readyState === WebSocket.OPEN;
  }

  /** Answers the message of `reqId`; true once the server has acknowledged it. */
  respond(messageReqId: string, body: unknown): Promise<boolean> {
    const socket = this.socket;
    if (!socket || !this.connected) return Promise.resolve(false);
    return new Promise((resolve) => {
      const timer = setTimeout(() => settle(false), CALL_TIMEOUT_MS);
      const settle = (ok: boolean) => {
        clearTimeout(timer);
        this.waiting.delete(messageReqId);
        resolve(ok);
      };
      this.waiting.set(messageReqId, settle);
      socket.send(JSON.stringify({ cmd: 'aibot_respond_msg', headers: { req_id: messageReqId }, body }));
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
        if (frame.body?.event?.eventtype === 'disconnected_event')
          this.opts.logger.warn('WeCom AI bot: another connection of this bot took over');
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
      this.waiting.get(id)?.(frame.errcode === 0);
    });
    socket.on('ping', () => socket.pong());
    socket.on('error', (err) => this.opts.logger.warn({ err }, 'WeCom AI bot socket error'));
    this.reconnectOnClose(socket);
  }

  protected override drop(): void {
    this.authenticated = false;
    for (const settle of [...this.waiting.values()]) settle(false);
    super.drop();
  }
}
