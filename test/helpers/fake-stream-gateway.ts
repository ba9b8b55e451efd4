import { randomBytes } from 'node:crypto';
import { type WebSocket, WebSocketServer } from 'ws';
import { until } from './eventually.ts';
import type { FakePlatform } from './fake-platform.ts';

// DingTalk's Stream gateway as DingTalk's Stream protocol documents it, on the fake
// platform's server: POST /v1.0/gateway/connections/open gives an endpoint and a ticket (one use,
// 90 s); the WebSocket at /connect?ticket= takes it, and the test pushes frames (robot messages,
// card callbacks and events to a client subscribed to them) and reads the ACKs. An event frame
// carries the event's type, id, time and corp in its headers (eventType, eventId, eventBornTime,
// eventCorpId, eventUnifiedAppId, as the official clients read them) and its body as `data`.
// test/dingtalk-stream.test.ts checks it against the official dingtalk-stream client.

export interface StreamGateway {
  /** Every body POSTed to connections/open. */
  opened: Record<string, unknown>[];
  /** Sockets connected now. */
  sockets: Set<WebSocket>;
  /** Every frame a client sent (ACKs, ping answers), parsed. */
  received: { code?: number; headers?: { messageId?: string }; message?: string; data?: string }[];
  /**
   * Pushes a robot message as a CALLBACK frame to one connected socket (of the client `to`, its
   * clientId, when given); returns its messageId.
   */
  pushRobotMessage(body: unknown, messageId?: string, to?: string): string;
  /**
   * Pushes a card callback as a CALLBACK frame to one connected socket (again under the same
   * messageId, as DingTalk resends one not ACKed); returns its messageId. Throws when the socket's
   * client did not subscribe to card callbacks.
   */
  pushCardCallback(body: unknown, messageId?: string, to?: string): string;
  /**
   * Pushes an event as an EVENT frame to one connected socket (again under the same messageId, as
   * DingTalk resends one not ACKed); returns its messageId. Throws when the socket's client did not
   * subscribe to events.
   */
  pushEvent(eventType: string, data: unknown, messageId?: string, to?: string): string;
  /** The ACK of a frame, parsed: `data` as the client sent it; undefined until it has come. */
  ackOf(messageId: string): { code?: number; headers?: { messageId?: string }; message?: string; data?: string } | undefined;
  /** Sends a SYSTEM frame (`ping` or `disconnect`) to every socket. */
  system(topic: 'ping' | 'disconnect', data?: unknown): string;
  /** Cuts every socket off without a close frame, as a dead network would. */
  cutAll(): void;
  /** Stops answering pings (a half-dead connection). */
  silence(on: boolean): void;
  waitFor(predicate: () => boolean, timeoutMs?: number): Promise<void>;
}

export const ROBOT_TOPIC = '/v1.0/im/bot/messages/get';
export const CARD_TOPIC = '/v1.0/card/instances/callback';

/**
 * An org event's `data` as DingTalk's document of 通讯录事件 over Stream shows it: the member events
 * name the users (`userId`), the department events the departments (`deptId`).
 */
export function orgEventData(eventType: string, ids: string[]) {
  const common = { timeStamp: String(Date.now()), eventId: randomBytes(16).toString('hex'), optStaffId: 'dt-admin' };
  return eventType.startsWith('org_dept_') ? { ...common, deptId: ids.map(Number) } : { ...common, userId: ids };
}

/** A card callback's `data` as DingTalk sends it (card_callback.py): a press of the button whose params are `{action}`. */
export function cardCallback(opts: { outTrackId: string; userId: string; action: string; spaceId?: string }) {
  return {
    extension: '{}',
    corpId: 'ding-corp',
    userIdType: 1,
    type: 'actionCallback',
    userId: opts.userId,
    outTrackId: opts.outTrackId,
    content: JSON.stringify({ cardPrivateData: { actionIds: [opts.action], params: { action: opts.action } } }),
    ...(opts.spaceId ? { spaceType: 'IM_GROUP', spaceId: opts.spaceId } : {}),
  };
}

export function attachStreamGateway(fake: FakePlatform): StreamGateway {
  const tickets = new Map<string, { expires: number; card: boolean; events: boolean; clientId: string }>();
  /** The sockets whose ticket came with a card-callback subscription. */
  const subscribedToCards = new WeakSet<WebSocket>();
  /** The sockets whose ticket came with the subscription to every event. */
  const subscribedToEvents = new WeakSet<WebSocket>();
  const clientOf = new WeakMap<WebSocket, string>();
  const socketOf = (to: string | undefined) => {
    const socket = [...gateway.sockets].find((ws) => to === undefined || clientOf.get(ws) === to);
    if (!socket) throw new Error(`fake gateway: no client${to === undefined ? '' : ` ${to}`} connected`);
    return socket;
  };
  const callbackFrame = (topic: string, body: unknown, messageId: string) =>
    JSON.stringify({
      specVersion: '1.0',
      type: 'CALLBACK',
      headers: { appId: 'app', connectionId: 'conn', contentType: 'application/json', messageId, time: String(Date.now()), topic },
      data: JSON.stringify(body),
    });
  const wss = new WebSocketServer({ noServer: true, autoPong: false });
  const gateway: StreamGateway = {
    opened: [],
    sockets: new Set(),
    received: [],
    pushRobotMessage(body, messageId = `msg-${randomBytes(6).toString('hex')}`, to = undefined) {
      socketOf(to).send(callbackFrame(ROBOT_TOPIC, body, messageId));
      return messageId;
    },
    pushCardCallback(body, messageId = `card-${randomBytes(6).toString('hex')}`, to = undefined) {
      const socket = socketOf(to);
      if (!subscribedToCards.has(socket)) throw new Error('fake gateway: the client did not subscribe to card callbacks');
      socket.send(callbackFrame(CARD_TOPIC, body, messageId));
      return messageId;
    },
    pushEvent(eventType, data, messageId = `evt-${randomBytes(6).toString('hex')}`, to = undefined) {
      const socket = socketOf(to);
      if (!subscribedToEvents.has(socket)) throw new Error('fake gateway: the client did not subscribe to events');
      const frame = {
        specVersion: '1.0',
        type: 'EVENT',
        headers: {
          appId: 'app',
          connectionId: 'conn',
          contentType: 'application/json',
          messageId,
          time: String(Date.now()),
          topic: eventType,
          eventType,
          eventId: randomBytes(16).toString('hex'),
          eventBornTime: String(Date.now()),
          eventCorpId: 'ding-corp',
          eventUnifiedAppId: 'unified-app',
        },
        data: JSON.stringify(data),
      };
      socket.send(JSON.stringify(frame));
      return messageId;
    },
    ackOf: (messageId) => gateway.received.find((f) => f.headers?.messageId === messageId),
    system(topic, data = topic === 'ping' ? { opaque: randomBytes(4).toString('hex') } : { reason: 'persistent connection is timeout' }) {
      const messageId = `sys-${randomBytes(6).toString('hex')}`;
      const frame = {
        specVersion: '1.0',
        type: 'SYSTEM',
        headers: { messageId, topic, contentType: 'application/json' },
        data: JSON.stringify(data),
      };
      for (const socket of gateway.sockets) socket.send(JSON.stringify(frame));
      return messageId;
    },
    cutAll() {
      for (const socket of gateway.sockets) socket.terminate();
    },
    silence(on) {
      silent = on;
    },
    waitFor: (predicate, timeoutMs = 10_000) => until(predicate, timeoutMs, 'fake gateway'),
  };
  let silent = false;

  fake.on('POST', '/v1.0/gateway/connections/open', (req) => {
    const body = req.body as Record<string, unknown>;
    gateway.opened.push(body);
    const subscriptions = Array.isArray(body.subscriptions) ? (body.subscriptions as { type?: string; topic?: string }[]) : [];
    if (typeof body.clientId !== 'string' || typeof body.clientSecret !== 'string')
      return { status: 400, json: { code: 'invalidParameter' } };
    if (subscriptions.length === 0) return { status: 400, json: { code: 'noSubscription' } };
    if (req.headers.accept !== 'application/json') return { status: 406, json: { code: 'notAcceptable' } };
    const ticket = randomBytes(12).toString('hex');
    const card = subscriptions.some((s) => s.type === 'CALLBACK' && s.topic === CARD_TOPIC);
    const events = subscriptions.some((s) => s.type === 'EVENT' && s.topic === '*');
    tickets.set(ticket, { expires: Date.now() + 90_000, card, events, clientId: body.clientId });
    return { json: { endpoint: `${fake.url.replace('http', 'ws')}/connect`, ticket } };
  });

  fake.server.on('upgrade', (request, socket, head) => {
    const url = new URL(request.url ?? '/', 'http://fake');
    if (url.pathname !== '/connect') return;
    const ticket = url.searchParams.get('ticket') ?? '';
    const granted = tickets.get(ticket);
    tickets.delete(ticket);
    if (!granted || granted.expires < Date.now()) {
      socket.end('HTTP/1.1 401 Unauthorized\r\n\r\n');
      return;
    }
    wss.handleUpgrade(request, socket, head, (ws) => {
      gateway.sockets.add(ws);
      clientOf.set(ws, granted.clientId);
      if (granted.card) subscribedToCards.add(ws);
      if (granted.events) subscribedToEvents.add(ws);
      ws.on('ping', () => {
        if (!silent) ws.pong();
      });
      ws.on('message', (raw) => gateway.received.push(JSON.parse(raw.toString())));
      ws.on('close', () => gateway.sockets.delete(ws));
    });
  });
  return gateway;
}
