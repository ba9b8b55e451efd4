import { WSClient } from '@wecom/aibot-node-sdk';
import { pino } from 'pino';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { putBranch } from '../db/branches.ts';
import { putChannel } from '../db/channels.ts';
import { insertMeeting } from '../db/meetings.ts';
import { putMember } from '../db/members.ts';
import { putOrg } from '../db/orgs.ts';
import { systemClock } from '../src/core/clock.ts';
import type { LongConnections } from '../src/platforms/long-connections.ts';
import { AibotSocket } from '../src/platforms/wecom/aibot-socket.ts';
import { type TestApp, startTestApp } from './helpers/app.ts';
import { DIALECTS, meetingRow, memberRow } from './helpers/db.ts';
import { type AibotServer, attachAibotServer } from './helpers/fake-aibot-server.ts';
import { type FakePlatform, startFakePlatform } from './helpers/fake-platform.ts';
import { Holders, QUICK } from './helpers/holders.ts';
import { botCallback, cardPressEvent } from './helpers/wecom.ts';
import { type MeetingCard, cardTaskId } from '../src/domain/cards.ts';
import { newId } from '../src/core/ids.ts';
import { NotABotMessage, botCardPress } from '../src/platforms/wecom/bot-message.ts';
import { cardUpdate, pushBody, templateCard } from '../src/platforms/wecom/template-card.ts';
import type { Backoff } from '../src/platforms/shared/long-socket.ts';
import { closeEarly, mostConnects } from './helpers/backoff.ts';

// The WeCom AI bot's long connection. The fake server is first checked against the
// official @wecom/aibot-node-sdk client, and our cards, presses and updates against its frame for
// frame; then our client runs against it (and against a server that closes each socket once
// subscribed, to be backed off from), then the whole service.

const logger = pino({ level: process.env.LOG_LEVEL ?? 'silent' });
const BOT = { botId: 'aib-test', secret: 'aibot-secret-0123' };

describe('the fake AI-bot server', () => {
  let fake: FakePlatform;
  let server: AibotServer;
  beforeAll(async () => {
    fake = await startFakePlatform();
    server = attachAibotServer(fake, BOT);
  });
  afterAll(() => fake.close());

  it('speaks what the official client speaks: subscribe, ping, callbacks, stream replies', async () => {
    const silent = { debug() {}, info() {}, warn() {}, error() {} };
    const client = new WSClient({ ...BOT, wsUrl: server.url, heartbeatInterval: 200, logger: silent });
    client.on('message.text', (frame) => void client.replyStream(frame, 'sid-1', '收到', true));
    try {
      client.connect();
      await server.waitFor(() => server.sockets.size === 1);
      expect(server.received[0]).toMatchObject({ cmd: 'aibot_subscribe', body: { bot_id: BOT.botId, secret: BOT.secret } });
      expect(server.received[0]!.headers.req_id).toMatch(/^aibot_subscribe_\d+_\w+$/);
      const reqId = server.push(botCallback('@党建助手 汇报 企业 走访'));
      await server.waitFor(() => server.received.some((f) => f.cmd === 'aibot_respond_msg'));
      expect(server.received.find((f) => f.cmd === 'aibot_respond_msg')).toEqual({
        cmd: 'aibot_respond_msg',
        headers: { req_id: reqId },
        body: { msgtype: 'stream', stream: { id: 'sid-1', finish: true, content: '收到' } },
      });
      await server.waitFor(() => server.received.some((f) => f.cmd === 'ping'));
    } finally {
      client.disconnect();
    }
  });
});

describe('cards: the official client and ours, frame for frame', () => {
  let fake: FakePlatform;
  let server: AibotServer;
  let ours: AibotSocket | undefined;
  let official: WSClient | undefined;
  const silent = { debug() {}, info() {}, warn() {}, error() {} };
  const CARD: MeetingCard = {
    meetingId: newId(Date.now()),
    kind: 'start',
    title: '会议开始',
    rows: [
      { label: '会议', value: '党员大会' },
      { label: '议题', value: '学习贯彻《中国共产党机关基层组织工作条例》并开展专题研讨交流' },
      { label: '编号', value: 'K7Q' },
    ],
    note: '到会的同志可点「签到」（自愿，不强制；也可由书记登记）。',
    actions: ['checkin', 'leave'],
  };
  const TASK = cardTaskId(CARD, 'wrkGroupA', 'send-1');
  const withoutReqId = (frame: AibotServer['received'][number]) => ({ ...frame, headers: {} });

  const connectOfficial = async () => {
    official = new WSClient({ ...BOT, wsUrl: server.url, heartbeatInterval: 60_000, logger: silent });
    official.connect();
    await server.waitFor(() => server.sockets.size === 1);
    return official;
  };
  const connectOurs = async (onEvent: (reqId: string, body: unknown) => void = () => {}) => {
    ours = new AibotSocket({ url: server.url, config: BOT, logger, onMessage: () => {}, onEvent, clock: systemClock, ...QUICK });
    ours.start();
    await server.waitFor(() => ours!.connected);
    return ours;
  };

  beforeAll(async () => {
    fake = await startFakePlatform();
    server = attachAibotServer(fake, BOT);
  });
  afterEach(async () => {
    official?.disconnect();
    ours?.stop();
    official = undefined;
    ours = undefined;
    await server.waitFor(() => server.sockets.size === 0);
    server.received.length = 0;
  });
  afterAll(() => fake.close());

  it('pushes a card to a group as sendMessage does, the row values clipped to what WeCom shows; its task_id is taken once', async () => {
    const body = pushBody({ title: '会议开始', markdown: '**会议开始**', card: CARD }, 'wrkGroupA', 'send-1');
    if (body.msgtype !== 'template_card') throw new Error('expected a card');
    const socket = await connectOurs();
    expect(await socket.send(body)).toEqual({ errcode: 0, errmsg: 'ok' });
    socket.stop();
    await server.waitFor(() => server.sockets.size === 0);
    const sdk = await connectOfficial();
    // The same card again is refused, and the official client takes the refusal as a failure.
    await expect(sdk.sendMessage('wrkGroupA', { msgtype: 'template_card', template_card: body.template_card })).rejects.toMatchObject({
      errcode: 42014,
    });

    const [mine, theirs] = server.frames('aibot_send_msg');
    expect(theirs!.headers.req_id).toMatch(/^aibot_send_msg_\d+_\w+$/);
    expect(mine!.headers.req_id).toMatch(/^aibot_send_msg_\d+_[0-9a-f]+$/);
    expect(withoutReqId(mine!)).toEqual(withoutReqId(theirs!));
    expect(mine!.body).toMatchObject({
      chatid: 'wrkGroupA',
      msgtype: 'template_card',
      template_card: {
        card_type: 'button_interaction',
        main_title: { title: '会议开始' },
        sub_title_text: CARD.note,
        button_list: [
          { text: '签到', style: 1, key: 'checkin' },
          { text: '请假', style: 2, key: 'leave' },
        ],
        task_id: TASK,
      },
    });
    const rows = (mine!.body as { template_card: { horizontal_content_list: { keyname: string; value: string }[] } }).template_card
      .horizontal_content_list;
    expect(rows.map((r) => r.keyname)).toEqual(['会议', '议题', '编号']);
    expect([...rows[1]!.value]).toHaveLength(26);
    expect(rows[1]!.value.endsWith('…')).toBe(true);
  });

  it('hears a press as the official client does, with its key and task id where either puts them', async () => {
    const sdk = await connectOfficial();
    const heard: unknown[] = [];
    sdk.on('event.template_card_event', (frame) => heard.push(frame));
    const nested = cardPressEvent('checkin', TASK);
    const flat = cardPressEvent('leave', TASK, { flat: true, chatid: null, userid: 'lisi' });
    const nestedId = server.pushEvent(nested);
    const flatId = server.pushEvent(flat);
    await server.waitFor(() => heard.length === 2);
    expect(heard).toEqual([
      { cmd: 'aibot_event_callback', headers: { req_id: nestedId }, body: nested },
      { cmd: 'aibot_event_callback', headers: { req_id: flatId }, body: flat },
    ]);
    sdk.disconnect();
    await server.waitFor(() => server.sockets.size === 0);

    const got: [string, unknown][] = [];
    await connectOurs((reqId, body) => got.push([reqId, body]));
    const again = server.pushEvent(nested);
    await server.waitFor(() => got.length === 1);
    expect(got).toEqual([[again, nested]]);

    const channel = { id: 'ws1', orgId: 'o1' };
    expect(botCardPress(channel, nested, 1)).toMatchObject({
      chatType: 'group',
      chatId: 'wrkGroupA',
      senderId: 'wangwu',
      text: '签到',
      messageId: nested.msgid,
      button: { action: 'checkin', taskId: TASK },
    });
    expect(botCardPress(channel, flat, 1)).toMatchObject({
      chatType: 'direct',
      chatId: 'lisi',
      senderId: 'lisi',
      text: '请假',
      button: { action: 'leave', taskId: TASK },
    });
    expect(() => botCardPress(channel, cardPressEvent('delete-all', TASK), 1)).toThrow(NotABotMessage);
    expect(botCardPress(channel, { ...nested, event: { eventtype: 'enter_chat' } }, 1)).toBeNull();
  });

  it('a card pushed over the socket, which cannot @-mention, leads its note with the count', () => {
    const body = pushBody(
      { title: '签到提醒', markdown: '**签到提醒**', card: CARD, mentions: ['m1'], unmentioned: '会议 K7Q 尚有 1 位同志未签到。' },
      'wrkGroupA',
      'send-2',
    );
    if (body.msgtype !== 'template_card') throw new Error('expected a card');
    expect(body.template_card.sub_title_text).toBe(`会议 K7Q 尚有 1 位同志未签到。${CARD.note}`);
    expect(JSON.stringify(body)).not.toContain('m1');
  });

  it('updates a pressed card for its presser as updateTemplateCard does', async () => {
    const updated = { ...CARD, note: '已签到' };
    const sdk = await connectOfficial();
    sdk.on('event.template_card_event', (frame) => void sdk.updateTemplateCard(frame, templateCard(updated, TASK), ['wangwu']));
    const theirId = server.pushEvent(cardPressEvent('checkin', TASK));
    await server.waitFor(() => server.frames('aibot_respond_update_msg').length === 1);
    sdk.disconnect();
    await server.waitFor(() => server.sockets.size === 0);

    let acked: Promise<boolean> | undefined;
    const socket: AibotSocket = await connectOurs((reqId) => {
      acked = socket.respond(reqId, cardUpdate(updated, TASK, 'wangwu'), 'aibot_respond_update_msg');
    });
    const ourId = server.pushEvent(cardPressEvent('checkin', TASK));
    await server.waitFor(() => server.frames('aibot_respond_update_msg').length === 2);
    expect(await acked).toBe(true);

    const [theirs, mine] = server.frames('aibot_respond_update_msg');
    expect(theirs!.headers.req_id).toBe(theirId);
    expect(mine!.headers.req_id).toBe(ourId);
    expect(withoutReqId(mine!)).toEqual(withoutReqId(theirs!));
    expect(mine!.body).toMatchObject({ response_type: 'update_template_card', userids: ['wangwu'], template_card: { task_id: TASK } });
  });
});

describe('our AI-bot client against the fake server', () => {
  let fake: FakePlatform;
  let server: AibotServer;
  let socket: AibotSocket | undefined;
  beforeAll(async () => {
    fake = await startFakePlatform();
    server = attachAibotServer(fake, BOT);
  });
  afterEach(async () => {
    socket?.stop();
    await server.waitFor(() => server.sockets.size === 0);
    server.received.length = 0;
    server.silence(false);
  });
  afterAll(() => fake.close());

  const client = (onMessage: (reqId: string, body: unknown) => void = () => {}, config = BOT) => {
    socket = new AibotSocket({ url: server.url, config, logger, onMessage, clock: systemClock, ...QUICK });
    socket.start();
    return socket;
  };

  it('subscribes, hands on each callback with its req_id, and answers under it', async () => {
    const got: [string, unknown][] = [];
    const s = client((reqId, body) => got.push([reqId, body]));
    await server.waitFor(() => s.connected);
    // Our req_ids are shaped as the official client's.
    expect(server.received[0]!.headers.req_id).toMatch(/^aibot_subscribe_\d+_[0-9a-f]+$/);
    const body = botCallback('@党建助手 签到');
    const reqId = server.push(body);
    await server.waitFor(() => got.length === 1);
    expect(got).toEqual([[reqId, body]]);
    expect(await s.respond(reqId, { msgtype: 'stream', stream: { id: 'x', finish: true, content: '好' } })).toBe(true);
    expect(server.received.at(-1)).toMatchObject({ cmd: 'aibot_respond_msg', headers: { req_id: reqId } });
    await server.waitFor(() => server.received.some((f) => f.cmd === 'ping'));
  });

  it('notices unanswered pings within two heartbeats; 50 forced reconnects leave one socket and no extra timer or listener', async () => {
    const s = client();
    await server.waitFor(() => s.connected);
    const subscriptions = () => server.received.filter((f) => f.cmd === 'aibot_subscribe').length;
    const before = subscriptions();
    server.silence(true);
    const silentSince = Date.now();
    await server.waitFor(() => subscriptions() > before, 3_000);
    expect(Date.now() - silentSince).toBeLessThanOrEqual(2 * QUICK.heartbeatMs + 150);
    server.silence(false);
    await server.waitFor(() => s.connected);

    const timers = () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
    const timersBefore = timers();
    for (let i = 0; i < 50; i++) {
      const count = subscriptions();
      server.cutAll();
      await server.waitFor(() => subscriptions() > count && s.connected);
      // Up past the stable time, so that the next reconnect waits the shortest time again.
      await new Promise((r) => setTimeout(r, QUICK.stableMs));
    }
    expect(server.sockets.size).toBe(1);
    expect(timers()).toBeLessThanOrEqual(timersBefore);
    const socket = (s as unknown as { socket: { listenerCount(event: string): number } }).socket;
    expect(['message', 'close', 'ping', 'error', 'open'].map((e) => socket.listenerCount(e))).toEqual([1, 1, 1, 1, 1]);
  });

  it('reconnects when cut or when pings go unanswered; a refused secret keeps it out, backing off', async () => {
    const s = client();
    await server.waitFor(() => s.connected);
    const subscriptions = () => server.received.filter((f) => f.cmd === 'aibot_subscribe').length;
    server.cutAll();
    await server.waitFor(() => subscriptions() === 2 && s.connected);
    server.silence(true);
    await server.waitFor(() => subscriptions() >= 3, 5_000);
    server.silence(false);
    await server.waitFor(() => s.connected);
    expect(server.sockets.size).toBe(1);
    s.stop();
    await server.waitFor(() => server.sockets.size === 0);

    server.received.length = 0;
    const refused = client(() => {}, { ...BOT, secret: 'wrong' });
    await new Promise((r) => setTimeout(r, 700));
    expect(refused.connected).toBe(false);
    const attempts = subscriptions();
    // 50, 100, 200, 400 ms ceilings, each at least halved: at most a handful in 700 ms.
    expect(attempts).toBeGreaterThanOrEqual(2);
    expect(attempts).toBeLessThanOrEqual(8);
  });
});

describe('our AI-bot client against a server that closes each socket once subscribed', () => {
  let fake: FakePlatform;
  let server: AibotServer;
  let socket: AibotSocket | undefined;
  beforeEach(async () => {
    fake = await startFakePlatform();
    server = attachAibotServer(fake, BOT);
  });
  afterEach(async () => {
    socket?.stop();
    await fake.close();
  });

  const client = (opts: { backoff: Backoff; stableMs?: number }) => {
    socket = new AibotSocket({ url: server.url, config: BOT, logger, onMessage: () => {}, clock: systemClock, ...opts });
    socket.start();
    return socket;
  };

  it('keeps backing off: a subscription that succeeds is no reason to reconnect at once', async () => {
    const backoff = { minMs: 50, maxMs: 800 };
    const log = closeEarly(server.sockets);
    client({ backoff });
    await new Promise((r) => setTimeout(r, 3_000));
    expect(log.ups.length).toBeGreaterThanOrEqual(4);
    // Reset at each subscription, it would reconnect every 100 ms or so: about 30 times.
    expect(log.ups.length).toBeLessThanOrEqual(mostConnects(backoff, 50, 3_000));
  });

  it('starts the backoff over once a socket has stayed up the stable time', async () => {
    const log = closeEarly(server.sockets, 4);
    client({ backoff: { minMs: 50, maxMs: 5_000 }, stableMs: 300 });
    await server.waitFor(() => log.ups.length === 5, 5_000);
    // The fourth close is followed by a wait of at least half of 50 ms doubled three times (less a
    // millisecond or two: timers may fire that early).
    expect(log.ups[4]! - log.downs[3]!).toBeGreaterThanOrEqual((50 * 2 ** 3) / 2 - 2);
    await new Promise((r) => setTimeout(r, 400));
    const cut = Date.now();
    server.cutAll();
    await server.waitFor(() => log.ups.length === 6);
    // The shortest wait again, not the 400 ms or more of a fifth failure in a row.
    expect(log.ups[5]! - cut).toBeLessThan(300);
  });
});

const NOW = Date.now();

describe.each(DIALECTS)('the service over the AI bot’s long connection on %s', (dialect) => {
  let fake: FakePlatform;
  let server: AibotServer;
  let t: TestApp;
  let holder: LongConnections;

  beforeAll(async () => {
    fake = await startFakePlatform();
    server = attachAibotServer(fake, BOT);
    t = await startTestApp(dialect, { now: NOW, env: { WECOM_AIBOT_WS_URL: server.url } });
    await putOrg(t.db, { id: 'o1', name: '机关工委', timezone: 'Asia/Shanghai', digest_cron: null }, NOW);
    await putChannel(t.db, 'o1', 'ws1', { platform: 'wecom-bot', mode: 'websocket', ...BOT }, NOW);
    await putBranch(t.db, 'o1', 'b1', '第一党支部', [{ channel_id: 'ws1', chat_id: 'wrkGroupA', webhook: null, secret: null }], NOW);
    await putMember(t.db, memberRow({ org_id: 'o1', id: 'sec', name: '张书记', role: 'secretary', accounts: { wecom: 'wc-sec' } }), NOW);
    await putMember(t.db, memberRow({ org_id: 'o1', id: 'm1', name: '王一', accounts: { wecom: 'wangwu' } }), NOW);
    holder = new Holders(() => t).make();
    await holder.start();
    await server.waitFor(() => holder.connected('ws1'));
  });
  afterAll(async () => {
    await holder?.stop();
    await t?.close();
    await fake?.close();
  });

  const replies = () => server.received.filter((f) => f.cmd === 'aibot_respond_msg');

  it('records a 汇报 once, however often it comes, and answers each on the socket as a finished stream', async () => {
    const body = botCallback('@党建助手 汇报 群众 为社区老人代办社保认证');
    const first = server.push(body);
    const second = server.push(body);
    await server.waitFor(() => replies().length === 2);
    // Each frame is answered under its own req_id, in whichever order they finish.
    expect(
      replies()
        .map((r) => r.headers.req_id)
        .sort(),
    ).toEqual([first, second].sort());
    const stream = replies()[0]!.body as { msgtype: string; stream: { finish: boolean; content: string; id: string } };
    expect(stream.msgtype).toBe('stream');
    expect(stream.stream.finish).toBe(true);
    expect(stream.stream.id).toBe(body.msgid);
    expect(stream.stream.content).toContain('已记录四服务汇报');
    const rows = await t.db.selectFrom('service_reports').select('text').where('source', '=', body.msgid).execute();
    expect(rows).toEqual([{ text: '为社区老人代办社保认证' }]);
  });

  it('takes 安排 from the secretary as over HTTP', async () => {
    server.received.length = 0;
    server.push(botCallback('@党建助手 安排 党员大会 明天下午3点 议题 学习条例', { from: { userid: 'wc-sec' } }));
    await server.waitFor(() => replies().length === 1);
    expect((replies()[0]!.body as { stream: { content: string } }).stream.content).toContain('已安排');
    expect(await t.db.selectFrom('meetings').select('topic').where('topic', '=', '学习条例').execute()).toHaveLength(1);
  });

  it('takes 签到 as over HTTP', async () => {
    await insertMeeting(t.db, meetingRow({ org_id: 'o1', code: 'WSQ', type: 'assembly', starts_at: NOW + 5 * 60_000, created_by: 'sec' }));
    server.received.length = 0;
    server.push(botCallback('@党建助手 签到'));
    await server.waitFor(() => replies().length === 1);
    expect((replies()[0]!.body as { stream: { content: string } }).stream.content).toContain('王一 已签到');
    expect(await t.db.selectFrom('attendance').select('member_id').execute()).toEqual([{ member_id: 'm1' }]);
  });

  it('takes no HTTP callbacks for a bot on the long connection', async () => {
    const res = await t.app.request('/webhooks/wecom/ws1?msg_signature=x&timestamp=1&nonce=1', { method: 'POST', body: '{}' });
    expect(res.status).toBe(404);
  });
});
