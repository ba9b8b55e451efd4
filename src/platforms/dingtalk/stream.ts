import type { Logger } from 'pino';
import WebSocket from 'ws';
import type { DingtalkConfig } from '../../domain/channels.ts';
import { CALL_TIMEOUT_MS } from '../shared/api.ts';
import { type Backoff, LongSocket } from '../shared/long-socket.ts';

// DingTalk Stream mode, spoken with `ws` rather than the dingtalk-stream package, whose
// 2.1.x leaks a socket and a timer per reconnect, cannot cancel a scheduled reconnect, resolves
// connect() on failure and keeps no watch on a silent socket (docs/operations.md, "Which receiving mode").
// The protocol: POST the gateway for an endpoint and a one-time ticket, open the WebSocket, answer
// SYSTEM pings, ACK every robot message's CALLBACK frame at once (an un-ACKed one comes again after
// about 60 s), reconnect with a new ticket when the server says disconnect or the socket goes quiet.
// A card's button press is a CALLBACK too, but its ACK carries the answer (the card as the presser
// should now see it), so it is sent once the press is handled, or without an answer after
// `cardAckMs`, before DingTalk would send the press again. Events (EVENT frames: the org's directory
// changes among them) are subscribed to all at once, as the official clients do, and each is ACKed
// once it is handled: SUCCESS when it is recorded, LATER (DingTalk pushes it again) when it is not.

export const ROBOT_TOPIC = '/v1.0/im/bot/messages/get';
/** Card callbacks: a button with a 回传请求 pressed on a card delivered with callbackType STREAM. */
export const CARD_TOPIC = '/v1.0/card/instances/callback';
/** Every event the app is subscribed to in DingTalk's developer console, as the official clients ask. */
export const EVENT_TOPICS = '*';

/** An EVENT frame as its handler gets it: the headers' eventType and eventId, the data parsed. */
export interface StreamEvent {
  type: string;
  id: string;
  data: unknown;
}

export interface StreamFrame {
  type: string;
  headers: Record<string, string>;
  data: string;
}

export interface StreamOptions {
  apiBase: string;
  config: Pick<DingtalkConfig, 'appKey' | 'appSecret'>;
  logger: Logger;
  /** A robot message's body (the frame's `data`, parsed), called once its frame has been ACKed. */
  onRobotMessage(body: unknown): void;
  /**
   * A card callback's body (the frame's `data`, parsed) and its frame's messageId; what it resolves
   * to is the ACK's `response`. Card callbacks are subscribed to only when this is given.
   */
  onCardCallback?(body: unknown, messageId: string): Promise<unknown>;
  /** How long a card callback may take before its ACK goes without an answer (3 s). */
  cardAckMs?: number;
  /**
   * An event, ACKed SUCCESS once this resolves and LATER when it rejects. Events are subscribed to
   * only when this is given.
   */
  onEvent?(event: StreamEvent): Promise<void>;
  /** How often the socket is pinged; a ping unanswered by the next one ends it. */
  heartbeatMs?: number;
  backoff?: Backoff;
  /** How long a socket must stay up for the backoff to start over (STABLE_MS). */
  stableMs?: number;
}

/** What a card callback's handling is raced against. */
const LATE: unique symbol = Symbol('late');

const ack = (messageId: string, data: string) =>
  JSON.stringify({ code: 200, headers: { contentType: 'application/json', messageId }, message: 'OK', data });

/** One channel's long connection: `start()` keeps it open until `stop()`. */
export class DingtalkStream extends LongSocket {
  private readonly heartbeatMs: number;
  private readonly cardAckMs: number;

  constructor(private readonly opts: StreamOptions) {
    super(opts.backoff, opts.stableMs);
    this.heartbeatMs = opts.heartbeatMs ?? 10_000;
    this.cardAckMs = opts.cardAckMs ?? 3_000;
  }

  /** Whether a socket is open now. */
  get connected(): boolean {
    return this.socket?.readyState === WebSocket.OPEN;
  }

  protected async connect(): Promise<void> {
    let url: string;
    try {
      url = await this.ticketUrl();
    } catch (err) {
      this.opts.logger.warn({ err }, 'DingTalk Stream: could not get a connection ticket');
      this.reconnectLater();
      return;
    }
    if (this.stopped) return;
    const socket = new WebSocket(url, { handshakeTimeout: CALL_TIMEOUT_MS });
    this.socket = socket;
    let alive = true;
    socket.on('open', () => {
      this.succeeded();
      this.opts.logger.info('DingTalk Stream connected');
      this.heartbeat = setInterval(() => {
        if (!alive) {
          this.opts.logger.warn('DingTalk Stream: no answer to the last ping, reconnecting');
          socket.terminate();
          return;
        }
        alive = false;
        socket.ping();
      }, this.heartbeatMs);
    });
    socket.on('pong', () => {
      alive = true;
    });
    socket.on('message', (raw) => {
      alive = true;
      this.onFrame(socket, raw.toString());
    });
    socket.on('error', (err) => this.opts.logger.warn({ err }, 'DingTalk Stream socket error'));
    this.reconnectOnClose(socket);
  }

  /** POST the gateway: `{endpoint, ticket}` for the robot-message (and card) CALLBACK subscriptions, and events. */
  private async ticketUrl(): Promise<string> {
    const res = await fetch(`${this.opts.apiBase.replace(/\/+$/, '')}/v1.0/gateway/connections/open`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({
        clientId: this.opts.config.appKey,
        clientSecret: this.opts.config.appSecret,
        subscriptions: [
          { type: 'CALLBACK', topic: ROBOT_TOPIC },
          ...(this.opts.onCardCallback ? [{ type: 'CALLBACK', topic: CARD_TOPIC }] : []),
          ...(this.opts.onEvent ? [{ type: 'EVENT', topic: EVENT_TOPICS }] : []),
        ],
        ua: 'tongxin/1',
      }),
      signal: AbortSignal.timeout(CALL_TIMEOUT_MS),
    });
    const answer = (await res.json().catch(() => null)) as { endpoint?: unknown; ticket?: unknown } | null;
    if (!res.ok || typeof answer?.endpoint !== 'string' || typeof answer.ticket !== 'string') {
      throw new Error(`the gateway answered HTTP ${res.status} without an endpoint and a ticket`);
    }
    return `${answer.endpoint}${answer.endpoint.includes('?') ? '&' : '?'}ticket=${encodeURIComponent(answer.ticket)}`;
  }

  private onFrame(socket: WebSocket, raw: string): void {
    let frame: StreamFrame;
    try {
      frame = JSON.parse(raw) as StreamFrame;
    } catch {
      this.opts.logger.warn('DingTalk Stream: a frame that is not JSON, ignored');
      return;
    }
    const topic = frame.headers?.topic;
    const messageId = frame.headers?.messageId ?? '';
    if (frame.type === 'SYSTEM') {
      if (topic === 'ping') socket.send(ack(messageId, frame.data));
      // The server closes the socket 10 s after `disconnect`; a new ticket makes a new one.
      if (topic === 'disconnect') socket.close();
      return;
    }
    if (frame.type === 'CALLBACK') {
      if (topic === CARD_TOPIC && this.opts.onCardCallback) {
        this.answerCard(socket, messageId, frame.data, this.opts.onCardCallback);
        return;
      }
      socket.send(ack(messageId, JSON.stringify({ response: null })));
      if (topic !== ROBOT_TOPIC) return;
      let body: unknown;
      try {
        body = JSON.parse(frame.data);
      } catch {
        this.opts.logger.warn({ messageId }, 'DingTalk Stream: a robot message whose data is not JSON, ignored');
        return;
      }
      try {
        this.opts.onRobotMessage(body);
      } catch (err) {
        // Acknowledged already: a failing handler must not take the connection down with it.
        this.opts.logger.error({ err, messageId }, 'DingTalk Stream: handling a robot message failed');
      }
      return;
    }
    if (frame.type === 'EVENT' && this.opts.onEvent) {
      this.answerEvent(socket, messageId, frame, this.opts.onEvent);
      return;
    }
    // Not subscribed to: acknowledged all the same, so that it is not resent.
    socket.send(ack(messageId, JSON.stringify({ status: 'SUCCESS', message: 'ignored' })));
  }

  /** ACKs an event once handled, on the socket it came on: SUCCESS, or LATER when its handling failed. */
  private answerEvent(socket: WebSocket, messageId: string, frame: StreamFrame, handle: NonNullable<StreamOptions['onEvent']>): void {
    const answer = (status: 'SUCCESS' | 'LATER', message: string) => {
      if (socket.readyState === WebSocket.OPEN) socket.send(ack(messageId, JSON.stringify({ status, message })));
    };
    let data: unknown;
    try {
      data = JSON.parse(frame.data);
    } catch {
      this.opts.logger.warn({ messageId }, 'DingTalk Stream: an event whose data is not JSON, ignored');
      answer('SUCCESS', 'ignored');
      return;
    }
    const event = { type: frame.headers.eventType ?? '', id: frame.headers.eventId ?? messageId, data };
    void Promise.resolve()
      .then(() => handle(event))
      .then(
        () => answer('SUCCESS', 'OK'),
        (err: unknown) => {
          this.opts.logger.error(
            { err, messageId, eventType: event.type },
            'DingTalk Stream: an event could not be recorded; DingTalk will push it again',
          );
          answer('LATER', 'not recorded');
        },
      );
  }

  /**
   * ACKs a card callback with the answer its handling gives, on the socket it came on. An answer
   * later than `cardAckMs` is not waited for: the ACK goes without it, and the handling goes on.
   */
  private answerCard(socket: WebSocket, messageId: string, data: string, handle: NonNullable<StreamOptions['onCardCallback']>): void {
    const answer = (response: unknown) => {
      if (socket.readyState === WebSocket.OPEN) socket.send(ack(messageId, JSON.stringify({ response })));
    };
    let body: unknown;
    try {
      body = JSON.parse(data);
    } catch {
      this.opts.logger.warn({ messageId }, 'DingTalk Stream: a card callback whose data is not JSON, ignored');
      answer(null);
      return;
    }
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<typeof LATE>((resolve) => {
      timer = setTimeout(() => resolve(LATE), this.cardAckMs);
    });
    const handled = Promise.resolve()
      .then(() => handle(body, messageId))
      .catch((err: unknown) => {
        this.opts.logger.error({ err, messageId }, 'DingTalk Stream: handling a card callback failed');
        return null;
      });
    void Promise.race([handled, late]).then((response) => {
      clearTimeout(timer);
      if (response !== LATE) return answer(response ?? null);
      this.opts.logger.warn({ messageId }, 'DingTalk Stream: a card callback took too long; ACKed without updating the card');
      answer(null);
    });
  }
}
