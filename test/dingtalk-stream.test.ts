import axios from 'axios';
import { DWClient, type DWClientDownStream, EventAck, TOPIC_CARD, TOPIC_ROBOT } from 'dingtalk-stream';
import { pino } from 'pino';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { putBranch } from '../db/branches.ts';
import { putChannel } from '../db/channels.ts';
import { putMember } from '../db/members.ts';
import { putOrg } from '../db/orgs.ts';
import { DingtalkStream, type StreamOptions } from '../src/platforms/dingtalk/stream.ts';
import { ADMIN_TOKEN, type TestApp, startTestApp } from './helpers/app.ts';
import { DIALECTS, memberRow } from './helpers/db.ts';
import { dingtalkCallback } from './helpers/dingtalk.ts';
import { type FakePlatform, startFakePlatform } from './helpers/fake-platform.ts';
import { CARD_TOPIC, type StreamGateway, attachStreamGateway, cardCallback, orgEventData } from './helpers/fake-stream-gateway.ts';
import { Holders, QUICK } from './helpers/holders.ts';
import type { Backoff } from '../src/platforms/shared/long-socket.ts';
import { closeEarly, mostConnects } from './helpers/backoff.ts';

// DingTalk Stream mode. The fake gateway is first checked against the official client
// (dingtalk-stream 2.1.5: its HTTP call, frames and ACKs, card callbacks and their answers, events
// and the ACK it makes of one), then our own client is run against it: ACK before handling (a card
// callback's and an event's after, with its answer), pings, the server's disconnect, a cut or silent socket, stop, a gateway that closes each socket at
// once (backed off from); and the whole service: messages recorded once and answered through the
// sessionWebhook, one holder per channel.

const logger = pino({ level: process.env.LOG_LEVEL ?? 'silent' });

describe('the fake Stream gateway', () => {
  let fake: FakePlatform;
  let gateway: StreamGateway;
  beforeAll(async () => {
    fake = await startFakePlatform();
    gateway = attachStreamGateway(fake);
  });
  afterAll(() => fake.close());

  it('speaks what the official dingtalk-stream client speaks: ticket, CALLBACK frames, ACKs, pings', async () => {
    // The client posts to api.dingtalk.com with axios: pointed at the fake, nothing else changed.
    const redirect = axios.interceptors.request.use((config) => ({
      ...config,
      url: config.url?.replace('https://api.dingtalk.com', fake.url),
    }));
    const client = new DWClient({ clientId: 'dingkey', clientSecret: 'dingsecret', keepAlive: true });
    const bodies: unknown[] = [];
    client.registerCallbackListener(TOPIC_ROBOT, (res) => {
      client.socketCallBackResponse(res.headers.messageId, {});
      bodies.push(JSON.parse(res.data));
    });
    try {
      await client.connect();
      await gateway.waitFor(() => gateway.sockets.size === 1);
      expect(gateway.opened[0]).toMatchObject({ clientId: 'dingkey', clientSecret: 'dingsecret' });
      const body = dingtalkCallback('汇报 企业 走访某公司');
      const messageId = gateway.pushRobotMessage(body);
      await gateway.waitFor(() => gateway.received.some((f) => f.headers?.messageId === messageId));
      expect(bodies).toEqual([body]);
      expect(gateway.received.find((f) => f.headers?.messageId === messageId)).toMatchObject({ code: 200, headers: { messageId } });
      const ping = gateway.system('ping', { opaque: 'x1' });
      await gateway.waitFor(() => gateway.received.some((f) => f.headers?.messageId === ping));
      expect(gateway.received.find((f) => f.headers?.messageId === ping)).toMatchObject({
        code: 200,
        data: JSON.stringify({ opaque: 'x1' }),
      });
    } finally {
      client.disconnect();
      axios.interceptors.request.eject(redirect);
    }
  });

  it('delivers card callbacks as the official client takes them, and takes the ACK socketCallBackResponse makes', async () => {
    const redirect = axios.interceptors.request.use((config) => ({
      ...config,
      url: config.url?.replace('https://api.dingtalk.com', fake.url),
    }));
    const client = new DWClient({ clientId: 'dingkey', clientSecret: 'dingsecret', keepAlive: true });
    const update = { cardUpdateOptions: { updatePrivateDataByKey: true }, userPrivateData: { cardParamMap: { note: '已签到' } } };
    const bodies: unknown[] = [];
    client.registerCallbackListener(TOPIC_CARD, (res) => {
      bodies.push(JSON.parse(res.data));
      client.socketCallBackResponse(res.headers.messageId, update);
    });
    const sockets = gateway.opened.length;
    try {
      await client.connect();
      await gateway.waitFor(() => gateway.sockets.size === 1);
      expect(TOPIC_CARD).toBe(CARD_TOPIC);
      expect(gateway.opened[sockets]).toMatchObject({ subscriptions: expect.arrayContaining([{ type: 'CALLBACK', topic: CARD_TOPIC }]) });
      const body = cardCallback({ outTrackId: 'tx-remind-m1-0123456789', userId: 'dt-m1', action: 'checkin', spaceId: 'cidGroupA==' });
      const messageId = gateway.pushCardCallback(body);
      await gateway.waitFor(() => gateway.ackOf(messageId) !== undefined);
      expect(bodies).toEqual([body]);
      expect(gateway.ackOf(messageId)).toEqual({
        code: 200,
        headers: { contentType: 'application/json', messageId },
        message: 'OK',
        data: JSON.stringify({ response: update }),
      });
    } finally {
      client.disconnect();
      await gateway.waitFor(() => gateway.sockets.size === 0);
      axios.interceptors.request.eject(redirect);
    }
  });
  it('delivers events as the official client takes them, and our ACK of one is the one it makes', async () => {
    const redirect = axios.interceptors.request.use((config) => ({
      ...config,
      url: config.url?.replace('https://api.dingtalk.com', fake.url),
    }));
    const client = new DWClient({ clientId: 'dingkey', clientSecret: 'dingsecret', keepAlive: true });
    // The official client's default subscription, every event, set anew on this one: the package's
    // default list is shared by every client it makes, and the clients above added their callbacks to it.
    client.config.subscriptions = [{ type: 'EVENT', topic: '*' }];
    const frames: DWClientDownStream[] = [];
    client.registerAllEventListener((frame) => {
      frames.push(frame);
      return { status: EventAck.SUCCESS, message: 'OK' };
    });
    const opened = gateway.opened.length;
    const data = orgEventData('user_modify_org', ['dt-a']);
    let messageId = '';
    try {
      await client.connect();
      await gateway.waitFor(() => gateway.sockets.size === 1);
      expect(gateway.opened[opened]).toMatchObject({ subscriptions: [{ type: 'EVENT', topic: '*' }] });
      messageId = gateway.pushEvent('user_modify_org', data);
      await gateway.waitFor(() => gateway.ackOf(messageId) !== undefined);
    } finally {
      client.disconnect();
      await gateway.waitFor(() => gateway.sockets.size === 0);
      axios.interceptors.request.eject(redirect);
    }
    expect(frames).toHaveLength(1);
    expect(frames[0]!.headers).toMatchObject({ messageId, eventType: 'user_modify_org', eventCorpId: 'ding-corp' });
    expect(JSON.parse(frames[0]!.data)).toEqual(data);

    // Ours, given the same frame, records it and ACKs it as the official client did.
    const events: unknown[] = [];
    const ours = new DingtalkStream({
      apiBase: fake.url,
      config: { appKey: 'k', appSecret: 's' },
      logger,
      onRobotMessage: () => {},
      onEvent: async (event) => void events.push(event),
      ...QUICK,
    });
    ours.start();
    try {
      await gateway.waitFor(() => gateway.sockets.size === 1);
      gateway.pushEvent('user_modify_org', data, messageId);
      await gateway.waitFor(() => gateway.received.filter((f) => f.headers?.messageId === messageId).length === 2);
    } finally {
      ours.stop();
      await gateway.waitFor(() => gateway.sockets.size === 0);
    }
    const [theirs, mine] = gateway.received.filter((f) => f.headers?.messageId === messageId);
    expect(mine).toEqual(theirs);
    expect(theirs).toEqual({
      code: 200,
      headers: { contentType: 'application/json', messageId },
      message: 'OK',
      data: JSON.stringify({ status: 'SUCCESS', message: 'OK' }),
    });
    expect(events).toEqual([{ type: 'user_modify_org', id: expect.any(String), data }]);
  });
});

describe('our Stream client against the fake gateway', () => {
  let fake: FakePlatform;
  let gateway: StreamGateway;
  let stream: DingtalkStream | undefined;
  beforeAll(async () => {
    fake = await startFakePlatform();
    gateway = attachStreamGateway(fake);
  });
  afterEach(async () => {
    stream?.stop();
    await gateway.waitFor(() => gateway.sockets.size === 0);
    gateway.received.length = 0;
    gateway.opened.length = 0;
    gateway.silence(false);
  });
  afterAll(() => fake.close());

  const client = (onRobotMessage: (body: unknown) => void = () => {}, cards: Partial<StreamOptions> = {}) => {
    stream = new DingtalkStream({ apiBase: fake.url, config: { appKey: 'k', appSecret: 's' }, logger, onRobotMessage, ...cards, ...QUICK });
    stream.start();
    return stream;
  };

  it('subscribes to robot messages, ACKs each frame even when its handling fails, answers pings', async () => {
    const handled: string[] = [];
    const messageIds: string[] = [];
    const s = client((body) => {
      handled.push((body as { msgId: string }).msgId);
      throw new Error('handling failed');
    });
    await gateway.waitFor(() => gateway.sockets.size === 1);
    expect(gateway.opened[0]).toEqual({
      clientId: 'k',
      clientSecret: 's',
      subscriptions: [{ type: 'CALLBACK', topic: '/v1.0/im/bot/messages/get' }],
      ua: 'tongxin/1',
    });
    const body = dingtalkCallback('签到');
    messageIds.push(gateway.pushRobotMessage(body));
    await gateway.waitFor(() => gateway.received.length === 1);
    expect(handled).toEqual([body.msgId]);
    expect(s.connected).toBe(true);
    expect(gateway.received[0]).toEqual({
      code: 200,
      headers: { contentType: 'application/json', messageId: messageIds[0] },
      message: 'OK',
      data: JSON.stringify({ response: null }),
    });
    const ping = gateway.system('ping', { opaque: 'abc' });
    await gateway.waitFor(() => gateway.received.some((f) => f.headers?.messageId === ping));
    expect(gateway.received.at(-1)).toMatchObject({ code: 200, data: JSON.stringify({ opaque: 'abc' }) });
  });

  it('subscribes to card callbacks when it handles them, and ACKs each with its answer once handled', async () => {
    const pressed: { body: unknown; messageId: string }[] = [];
    const robot: unknown[] = [];
    client((body) => robot.push(body), {
      onCardCallback: async (body, messageId) => {
        pressed.push({ body, messageId });
        return { userPrivateData: { cardParamMap: { note: '已签到' } } };
      },
    });
    await gateway.waitFor(() => gateway.sockets.size === 1);
    expect(gateway.opened[0]?.subscriptions).toEqual([
      { type: 'CALLBACK', topic: '/v1.0/im/bot/messages/get' },
      { type: 'CALLBACK', topic: CARD_TOPIC },
    ]);
    const body = cardCallback({ outTrackId: 'tx-start-m1-0123456789', userId: 'dt-m1', action: 'checkin' });
    const messageId = gateway.pushCardCallback(body);
    await gateway.waitFor(() => gateway.ackOf(messageId) !== undefined);
    expect(pressed).toEqual([{ body, messageId }]);
    expect(gateway.ackOf(messageId)).toEqual({
      code: 200,
      headers: { contentType: 'application/json', messageId },
      message: 'OK',
      data: JSON.stringify({ response: { userPrivateData: { cardParamMap: { note: '已签到' } } } }),
    });
    // Robot messages are still ACKed as they come, with no answer.
    const robotId = gateway.pushRobotMessage(dingtalkCallback('签到'));
    await gateway.waitFor(() => gateway.ackOf(robotId) !== undefined);
    expect(gateway.ackOf(robotId)?.data).toBe(JSON.stringify({ response: null }));
    expect(robot).toHaveLength(1);
  });

  it('ACKs a card callback without an answer when its handling outlasts cardAckMs, or fails; once each', async () => {
    let release = () => {};
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    let calls = 0;
    client(undefined, {
      cardAckMs: 100,
      onCardCallback: async () => {
        calls += 1;
        if (calls === 1) {
          await held;
          return { late: true };
        }
        throw new Error('handling failed');
      },
    });
    await gateway.waitFor(() => gateway.sockets.size === 1);
    const slow = gateway.pushCardCallback(cardCallback({ outTrackId: 'tx-start-m1-0123456789', userId: 'dt-m1', action: 'leave' }));
    await gateway.waitFor(() => gateway.ackOf(slow) !== undefined);
    expect(gateway.ackOf(slow)?.data).toBe(JSON.stringify({ response: null }));
    release();
    const failing = gateway.pushCardCallback(cardCallback({ outTrackId: 'tx-start-m1-0123456789', userId: 'dt-m2', action: 'leave' }));
    await gateway.waitFor(() => gateway.ackOf(failing) !== undefined);
    expect(gateway.ackOf(failing)?.data).toBe(JSON.stringify({ response: null }));
    // The slow one's answer, when it came, was not sent as a second ACK.
    expect(gateway.received.filter((f) => f.headers?.messageId === slow)).toHaveLength(1);
  });

  it('subscribes to events when it handles them, and ACKs each once handled: SUCCESS, or LATER when it could not be', async () => {
    let fail = false;
    const seen: string[] = [];
    client(undefined, {
      onEvent: async (event) => {
        seen.push(event.type);
        if (fail) throw new Error('the database did not answer');
      },
    });
    await gateway.waitFor(() => gateway.sockets.size === 1);
    expect(gateway.opened[0]?.subscriptions).toEqual([
      { type: 'CALLBACK', topic: '/v1.0/im/bot/messages/get' },
      { type: 'EVENT', topic: '*' },
    ]);
    const recorded = gateway.pushEvent('org_dept_modify', orgEventData('org_dept_modify', ['10']));
    await gateway.waitFor(() => gateway.ackOf(recorded) !== undefined);
    expect(gateway.ackOf(recorded)?.data).toBe(JSON.stringify({ status: 'SUCCESS', message: 'OK' }));
    fail = true;
    const lost = gateway.pushEvent('user_leave_org', orgEventData('user_leave_org', ['dt-b']));
    await gateway.waitFor(() => gateway.ackOf(lost) !== undefined);
    // LATER: DingTalk pushes it again, so that an event not recorded is not lost.
    expect(gateway.ackOf(lost)?.data).toBe(JSON.stringify({ status: 'LATER', message: 'not recorded' }));
    expect(seen).toEqual(['org_dept_modify', 'user_leave_org']);
  });

  it('reconnects with a new ticket after the server’s disconnect, a cut socket or a silent one', async () => {
    const s = client();
    await gateway.waitFor(() => gateway.sockets.size === 1);
    gateway.system('disconnect');
    await gateway.waitFor(() => gateway.opened.length === 2 && gateway.sockets.size === 1);
    gateway.cutAll();
    await gateway.waitFor(() => gateway.opened.length === 3 && gateway.sockets.size === 1);
    // A socket that answers no ping is given up by the heartbeat.
    gateway.silence(true);
    await gateway.waitFor(() => gateway.opened.length >= 4, 5_000);
    gateway.silence(false);
    await gateway.waitFor(() => s.connected);
    // Never more than one socket at a time.
    expect(gateway.sockets.size).toBe(1);
  });

  it('notices a silent socket within two heartbeats; 50 forced reconnects leave one socket and no extra timer or listener', async () => {
    const s = client();
    await gateway.waitFor(() => s.connected);
    const opened = gateway.opened.length;
    gateway.silence(true);
    const silentSince = Date.now();
    await gateway.waitFor(() => gateway.opened.length > opened, 3_000);
    // Two heartbeats, then the first backoff (at most 50 ms) and the ticket call.
    expect(Date.now() - silentSince).toBeLessThanOrEqual(2 * QUICK.heartbeatMs + 150);
    gateway.silence(false);
    await gateway.waitFor(() => s.connected);

    const timers = () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
    const before = timers();
    for (let i = 0; i < 50; i++) {
      const count = gateway.opened.length;
      gateway.cutAll();
      await gateway.waitFor(() => gateway.opened.length > count && s.connected);
      // Up past the stable time, so that the next reconnect waits the shortest time again.
      await new Promise((r) => setTimeout(r, QUICK.stableMs));
    }
    expect(gateway.sockets.size).toBe(1);
    expect(timers()).toBeLessThanOrEqual(before);
    const socket = (s as unknown as { socket: { listenerCount(event: string): number } }).socket;
    expect(['message', 'close', 'pong', 'error', 'open'].map((e) => socket.listenerCount(e))).toEqual([1, 1, 1, 1, 1]);
  });

  it('backs off while the gateway refuses, and stops for good: no socket, no retry left', async () => {
    fake.enqueue('POST', '/v1.0/gateway/connections/open', { status: 503, json: {} }, { status: 503, json: {} }, { status: 503, json: {} });
    const s = client();
    await gateway.waitFor(() => gateway.sockets.size === 1, 5_000);
    const attempts = fake.requests.filter((r) => r.path === '/v1.0/gateway/connections/open').map((r) => r.at);
    expect(attempts.length).toBeGreaterThanOrEqual(4);
    // Each wait at least half of its doubled ceiling: 25, 50, 100 ms.
    expect(attempts[3]! - attempts[0]!).toBeGreaterThanOrEqual(150);
    s.stop();
    await gateway.waitFor(() => gateway.sockets.size === 0);
    const opened = gateway.opened.length;
    await new Promise((r) => setTimeout(r, 600));
    expect(gateway.opened.length).toBe(opened);
    expect(s.connected).toBe(false);
  });
});

describe('our Stream client against a gateway that closes each socket at once', () => {
  let fake: FakePlatform;
  let gateway: StreamGateway;
  let stream: DingtalkStream | undefined;
  beforeEach(async () => {
    fake = await startFakePlatform();
    gateway = attachStreamGateway(fake);
  });
  afterEach(async () => {
    stream?.stop();
    await fake.close();
  });

  const client = (opts: { backoff: Backoff; stableMs?: number }) => {
    stream = new DingtalkStream({ apiBase: fake.url, config: { appKey: 'k', appSecret: 's' }, logger, onRobotMessage: () => {}, ...opts });
    stream.start();
    return stream;
  };

  it('keeps backing off: a socket that opens is no reason to reconnect at once', async () => {
    const backoff = { minMs: 50, maxMs: 800 };
    const log = closeEarly(gateway.sockets);
    client({ backoff });
    await new Promise((r) => setTimeout(r, 3_000));
    expect(log.ups.length).toBeGreaterThanOrEqual(4);
    // Reset at each open, it would reconnect every 100 ms or so: about 30 times.
    expect(log.ups.length).toBeLessThanOrEqual(mostConnects(backoff, 50, 3_000));
  });

  it('starts the backoff over once a socket has stayed up the stable time', async () => {
    const log = closeEarly(gateway.sockets, 4);
    client({ backoff: { minMs: 50, maxMs: 5_000 }, stableMs: 300 });
    await gateway.waitFor(() => log.ups.length === 5, 5_000);
    // The fourth close is followed by a wait of at least half of 50 ms doubled three times (less a
    // millisecond or two: timers may fire that early).
    expect(log.ups[4]! - log.downs[3]!).toBeGreaterThanOrEqual((50 * 2 ** 3) / 2 - 2);
    await new Promise((r) => setTimeout(r, 400));
    const cut = Date.now();
    gateway.cutAll();
    await gateway.waitFor(() => log.ups.length === 6);
    // The shortest wait again, not the 400 ms or more of a fifth failure in a row.
    expect(log.ups[5]! - cut).toBeLessThan(300);
  });
});

const NOW = Date.now();

async function seed(t: TestApp) {
  await putOrg(t.db, { id: 'o1', name: '机关工委', timezone: 'Asia/Shanghai', digest_cron: null }, NOW);
  await putChannel(t.db, 'o1', 'ds1', { platform: 'dingtalk', mode: 'stream', appKey: 'k1', appSecret: 's1', robotCode: 'r1' }, NOW);
  await putBranch(t.db, 'o1', 'b1', '第一党支部', [{ channel_id: 'ds1', chat_id: 'cidGroupA==', webhook: null, secret: null }], NOW);
  await putMember(t.db, memberRow({ org_id: 'o1', id: 'sec', name: '张书记', role: 'secretary', accounts: { dingtalk: 'dt-sec' } }), NOW);
  await putMember(t.db, memberRow({ org_id: 'o1', id: 'm1', name: '王一', accounts: { dingtalk: 'dt-m1' } }), NOW);
}

describe.each(DIALECTS)('the service over DingTalk Stream on %s', (dialect) => {
  let fake: FakePlatform;
  let gateway: StreamGateway;
  let t: TestApp;
  const holders = new Holders(() => t);

  beforeAll(async () => {
    fake = await startFakePlatform();
    gateway = attachStreamGateway(fake);
    t = await startTestApp(dialect, { now: NOW, env: { DINGTALK_API_BASE: fake.url, DINGTALK_OAPI_BASE: fake.url } });
    await seed(t);
  });
  afterAll(async () => {
    await holders.stopAll();
    await t?.close();
    await fake?.close();
  });

  const holder = () => holders.make();
  const message = (text: string, extra: Record<string, unknown> = {}) =>
    dingtalkCallback(text, { senderStaffId: 'dt-m1', sessionWebhook: `${fake.url}/robot/sendBySession?session=s1`, ...extra });
  const replies = () => fake.requests.filter((r) => r.path === '/robot/sendBySession');

  it('records a 汇报 once, however often its frame comes, and replies through the sessionWebhook', async () => {
    const h = holder();
    await h.start();
    await gateway.waitFor(() => h.connected('ds1'));
    const body = message('@同心 汇报 企业 走访某公司，协调解决用电难题');
    gateway.pushRobotMessage(body);
    gateway.pushRobotMessage(body);
    await gateway.waitFor(() => replies().length === 2);
    const rows = await t.db.selectFrom('service_reports').select('text').where('source', '=', body.msgId).execute();
    expect(rows).toEqual([{ text: '走访某公司，协调解决用电难题' }]);
    const reply = replies()[0]!.body as { msgtype: string; markdown: { text: string } };
    expect(reply.msgtype).toBe('markdown');
    expect(reply.markdown.text).toContain('已记录四服务汇报');
    expect(replies()[0]!.query).toEqual({ session: 's1' });
    // Two pushes and two session replies, against the org's Webhook&Stream quota.
    const health = (await (await t.admin('GET', '/admin/health')).json()) as { quota: { kind: string; used: number }[] };
    expect(health.quota.find((q) => q.kind === 'webhook')?.used).toBe(4);
  });

  it('works as over HTTP: 安排 by the secretary, then 签到; a foreign sessionWebhook is not followed', async () => {
    // Only what was recorded: clear() would drop the gateway's route too.
    fake.requests.length = 0;
    gateway.pushRobotMessage(message('@同心 安排 党员大会 明天下午3点 议题 研究工作', { senderStaffId: 'dt-sec' }));
    await gateway.waitFor(() => replies().length === 1);
    const scheduled = (replies()[0]!.body as { markdown: { text: string } }).markdown.text;
    expect(scheduled).toContain('已安排');
    const code = /（([A-Z0-9]{3})）/.exec(scheduled)![1]!;
    t.clock.set(NOW + 86_400_000);
    const meeting = await t.db.selectFrom('meetings').select('starts_at').where('code', '=', code).executeTakeFirstOrThrow();
    t.clock.set(Number(meeting.starts_at));
    // A sessionWebhook on another host: the reply goes through the robot API instead.
    gateway.pushRobotMessage(message(`@同心 签到 ${code}`, { sessionWebhook: 'https://evil.example/robot/sendBySession?session=x' }));
    await gateway.waitFor(() => fake.requests.some((r) => r.path === '/v1.0/robot/groupMessages/send'));
    const sent = fake.requests.find((r) => r.path === '/v1.0/robot/groupMessages/send')!.body as {
      openConversationId: string;
      msgParam: string;
    };
    expect(sent.openConversationId).toBe('cidGroupA==');
    expect(JSON.parse(sent.msgParam).text).toContain('王一 已签到');
    expect(await t.db.selectFrom('attendance').select('member_id').where('status', '=', 'present').execute()).toEqual([
      { member_id: 'm1' },
    ]);
    t.clock.set(NOW);
  });

  it('is held by one process: a second waits; a stop hands over at once, a dead holder once its lease expires', async () => {
    const [first] = holders.made;
    const second = holder();
    await second.start();
    await new Promise((r) => setTimeout(r, 300));
    expect(first!.holding()).toEqual(['ds1']);
    expect(second.holding()).toEqual([]);
    expect(gateway.sockets.size).toBe(1);

    await first!.stop();
    await gateway.waitFor(() => second.connected('ds1'), 3_000);
    expect(gateway.sockets.size).toBe(1);

    // A holder that dies keeps renewing nothing: a third takes over once the lease runs out.
    const third = holder();
    await third.start();
    const dead = second as unknown as { timer: NodeJS.Timeout };
    clearInterval(dead.timer);
    const started = Date.now();
    await gateway.waitFor(() => third.connected('ds1'), 5_000);
    expect(Date.now() - started).toBeGreaterThanOrEqual(300);
    await second.stop();
  });

  it('connects a channel added through the admin API within a sync, without a restart', async () => {
    const h = holders.made.at(-1)!;
    const res = await t.app.request('/admin/orgs/o1/channels/ds2', {
      method: 'PUT',
      headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ platform: 'dingtalk', mode: 'stream', appKey: 'k2', appSecret: 's2', robotCode: 'r2' }),
    });
    expect(res.status).toBe(200);
    await gateway.waitFor(() => h.connected('ds2'), 3_000);
    expect(gateway.opened.at(-1)).toMatchObject({ clientId: 'k2' });
  });
});
