import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DingtalkAppApi } from '../src/platforms/dingtalk/app-api.ts';
import { type CustomRobotMessage, customRobotSignQuery, sendCustomRobot } from '../src/platforms/dingtalk/custom-robot.ts';
import { type FakeAnswer, type FakePlatform, startFakePlatform } from './helpers/fake-platform.ts';

const PREFIX = `tongxin-test-dingtalk-${randomBytes(4).toString('hex')}`;
const ROBOT_TOKEN = 'robottoken0123456789abcdef0123456789abcdef0123456789abcdef012345';
const ROBOT_SECRET = 'SECrobot-signing-secret-that-must-never-be-logged';
const APP_SECRET = 'dingtalk-app-secret-that-must-never-be-logged';
const CONFIG = { appKey: 'dingappkey0123', appSecret: APP_SECRET, robotCode: 'dingrobotcode0123' };
const TOKEN_KEY = `${PREFIX}:dingtalk-token:${CONFIG.appKey}`;
const OAPI_TOKEN_KEY = `${PREFIX}:dingtalk-oapi-token:${CONFIG.appKey}`;

// DingTalk's documented example.
const VECTOR = { timestamp: 1577262236757, secret: 'this is secret', sign: 'hmPWwU%2B7lVdm3ZZz0r9tSfx0L4Q26jWOZr9%2BGs6EZQM%3D' };

let fake: FakePlatform;
let redis: Redis;
const logged: string[] = [];
const logger = pino({ level: 'trace' }, { write: (line: string) => void logged.push(line) });

const api = () => new DingtalkAppApi({ apiBase: fake.url, oapiBase: fake.url, redis, logger, config: CONFIG, keyPrefix: PREFIX });
const note = { title: '本周五同报告', markdown: '### 第一党支部\n- 党员大会 1 次' };
const seen = () =>
  fake.requests.map((r) => {
    const token = r.headers['x-acs-dingtalk-access-token'];
    return `${r.method} ${r.path}${token ? ` ${String(token)}` : ''}`;
  });

async function dropKeys() {
  const keys = await redis.keys(`${PREFIX}:*`);
  if (keys.length) await redis.del(...keys);
}

beforeAll(async () => {
  fake = await startFakePlatform();
  redis = new Redis('redis://127.0.0.1:6379', { maxRetriesPerRequest: null });
});
afterEach(async () => {
  fake.clear();
  await dropKeys();
});
afterAll(async () => {
  await fake.close();
  await redis.quit();
});

describe('DingTalk custom robot', () => {
  const send = (message: CustomRobotMessage, extra: { secret?: string; msgUuid?: string } = {}) =>
    sendCustomRobot({ oapiBase: fake.url, accessToken: ROBOT_TOKEN, message, logger, ...extra });

  it('signs with the documented vector, percent-encoded exactly so in the request URL', async () => {
    expect(customRobotSignQuery(VECTOR.timestamp, VECTOR.secret)).toBe(`timestamp=${VECTOR.timestamp}&sign=${VECTOR.sign}`);
    // The fake platform keeps only the decoded query, so a bare server records the raw URL.
    const urls: string[] = [];
    const raw = createServer((req, res) => {
      urls.push(req.url ?? '');
      req.resume().on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end('{"errcode":0,"errmsg":"ok"}'));
    });
    await new Promise<void>((resolve) => raw.listen(0, '127.0.0.1', resolve));
    try {
      const oapiBase = `http://127.0.0.1:${(raw.address() as AddressInfo).port}`;
      const result = await sendCustomRobot({
        oapiBase,
        accessToken: ROBOT_TOKEN,
        secret: VECTOR.secret,
        message: { kind: 'text', content: '测试' },
        now: () => VECTOR.timestamp,
      });
      expect(result).toEqual({ delivered: true });
      expect(urls).toEqual([`/robot/send?access_token=${ROBOT_TOKEN}&timestamp=${VECTOR.timestamp}&sign=${VECTOR.sign}`]);
    } finally {
      raw.closeAllConnections();
      await new Promise((resolve) => raw.close(resolve));
    }
  });

  it('sends no timestamp or sign without a secret, and signs with now() when it has one', async () => {
    await send({ kind: 'text', content: 'a' });
    expect(fake.requests[0]!.query).toEqual({ access_token: ROBOT_TOKEN });
    const before = Date.now();
    await send({ kind: 'text', content: 'b' }, { secret: ROBOT_SECRET });
    const { query } = fake.requests[1]!;
    expect(Number(query.timestamp)).toBeGreaterThanOrEqual(before);
    expect(Number(query.timestamp)).toBeLessThanOrEqual(Date.now());
    expect(`timestamp=${query.timestamp}&sign=${encodeURIComponent(query.sign!)}`).toBe(
      customRobotSignQuery(Number(query.timestamp), ROBOT_SECRET),
    );
  });

  it('posts markdown with at.atUserIds, adding the @id DingTalk needs in the text', async () => {
    const message = {
      kind: 'markdown' as const,
      title: '党员大会提醒',
      text: '**明天 14:30** 党员大会，@zhangsan 请准备发言',
      atUserIds: ['zhangsan', 'lisi'],
    };
    expect(await send(message, { msgUuid: 'delivery-42' })).toEqual({ delivered: true });
    const [req] = fake.requests;
    expect(req).toMatchObject({ method: 'POST', path: '/robot/send' });
    expect(req!.headers['content-type']).toMatch(/^application\/json/);
    expect(req!.body).toEqual({
      msgtype: 'markdown',
      markdown: { title: '党员大会提醒', text: '**明天 14:30** 党员大会，@zhangsan 请准备发言\n\n@lisi' },
      at: { atUserIds: ['zhangsan', 'lisi'], isAtAll: false },
      msgUuid: 'delivery-42',
    });
  });

  it('posts text with at.atUserIds and @id in the content; no msgUuid unless given', async () => {
    expect(await send({ kind: 'text', content: '请尚未签到的同志签到', atUserIds: ['zhangsan', 'zhangsan2'] })).toEqual({
      delivered: true,
    });
    expect(fake.requests[0]!.body).toEqual({
      msgtype: 'text',
      text: { content: '请尚未签到的同志签到 @zhangsan @zhangsan2' },
      at: { atUserIds: ['zhangsan', 'zhangsan2'], isAtAll: false },
    });
  });

  it('passes the same msgUuid on a retried send', async () => {
    fake.enqueue('POST', '/robot/send', { json: { errcode: -1, errmsg: '系统繁忙' } });
    const message = { kind: 'text' as const, content: 'x' };
    expect(await send(message, { msgUuid: 'u-1' })).toMatchObject({ delivered: false, kind: 'retry', errcode: -1 });
    expect(await send(message, { msgUuid: 'u-1' })).toEqual({ delivered: true });
    expect(fake.requests.map((r) => (r.body as { msgUuid?: string }).msgUuid)).toEqual(['u-1', 'u-1']);
  });

  it('reports 130101 and 410100 as rate-limited, 310000 and 400101 as permanent', async () => {
    fake.enqueue(
      'POST',
      '/robot/send',
      { json: { errcode: 130101, errmsg: 'send too fast, exceed 20 times per minute' } },
      { json: { errcode: 410100, errmsg: '发送速度太快而限流' } },
      { json: { errcode: 310000, errmsg: 'keywords not in content' } },
      { json: { errcode: 400101, errmsg: 'access_token不存在' } },
    );
    const message = { kind: 'text' as const, content: 'x' };
    expect(await send(message)).toMatchObject({ delivered: false, kind: 'rate-limited', errcode: 130101 });
    expect(await send(message)).toMatchObject({ delivered: false, kind: 'rate-limited', errcode: 410100 });
    expect(await send(message)).toMatchObject({ delivered: false, kind: 'permanent', errcode: 310000 });
    expect(await send(message)).toMatchObject({ delivered: false, kind: 'permanent', errcode: 400101 });
  });

  it('reports HTTP 5xx, a 200 that is not JSON and a refused connection as retry', async () => {
    fake.enqueue('POST', '/robot/send', { status: 502, text: '<html>Bad Gateway</html>' }, { text: 'oops' });
    const message = { kind: 'text' as const, content: 'x' };
    expect(await send(message)).toMatchObject({ delivered: false, kind: 'retry', reason: 'HTTP 502' });
    expect(await send(message)).toMatchObject({ delivered: false, kind: 'retry' });
    const closed = await startFakePlatform();
    await closed.close();
    const result = await sendCustomRobot({ oapiBase: closed.url, accessToken: ROBOT_TOKEN, secret: ROBOT_SECRET, message, logger });
    expect(result).toMatchObject({ delivered: false, kind: 'retry' });
    expect(JSON.stringify(result)).not.toContain(ROBOT_TOKEN);
  });

  it('refuses a body over 20,000 bytes before any request, without the token in the error', async () => {
    const title = '周报';
    // body = {"msgtype":"markdown","markdown":{"title":"周报","text":"…"},"at":{"atUserIds":[],"isAtAll":false}}
    const overhead = Buffer.byteLength(
      JSON.stringify({ msgtype: 'markdown', markdown: { title, text: '' }, at: { atUserIds: [], isAtAll: false } }),
    );
    const fits = 'x'.repeat(20_000 - overhead);
    const error = await send({ kind: 'markdown', title, text: `${fits}x` }).catch((err: Error) => err);
    expect(String(error)).toMatch(/20001 bytes, over DingTalk's 20000-byte limit/);
    expect(String(error)).toContain('robo…');
    expect(String(error)).not.toContain(ROBOT_TOKEN);
    await expect(send({ kind: 'text', content: '党'.repeat(7000) })).rejects.toThrow(/20000-byte/);
    await expect(send({ kind: 'text', content: ' ' })).rejects.toThrow(/empty/);
    expect(fake.requests).toHaveLength(0);
    expect(await send({ kind: 'markdown', title, text: fits })).toEqual({ delivered: true });
    expect(fake.requests).toHaveLength(1);
  });
});

describe('DingTalk app API (enterprise-internal robot)', () => {
  it('fetches a token, then sends groupMessages/send with it in the header and msgParam as a JSON string', async () => {
    expect(await api().sendGroup({ openConversationId: 'cidGroupA==', message: note })).toEqual({ delivered: true });
    const token = await redis.get(TOKEN_KEY);
    expect(token).toMatch(/^ding-token-\d+$/);
    expect(seen()).toEqual(['POST /v1.0/oauth2/accessToken', `POST /v1.0/robot/groupMessages/send ${token}`]);
    expect(fake.requests[0]!.body).toEqual({ appKey: CONFIG.appKey, appSecret: APP_SECRET });
    const body = fake.requests[1]!.body as Record<string, unknown>;
    expect(body).toEqual({
      openConversationId: 'cidGroupA==',
      robotCode: CONFIG.robotCode,
      msgKey: 'sampleMarkdown',
      msgParam: JSON.stringify({ title: note.title, text: note.markdown }),
    });
    expect(typeof body.msgParam).toBe('string');
    const ttl = await redis.ttl(TOKEN_KEY);
    expect(ttl).toBeGreaterThan(6890);
    expect(ttl).toBeLessThanOrEqual(6900);
  });

  it('sends a card through card/instances/createAndDeliver as the SDK does; a repeat is the card made before', async () => {
    const card = {
      openConversationId: 'cidGroupA==',
      templateId: 'tpl.schema',
      outTrackId: 'tx-start-m1-0123456789',
      params: { title: '会议开始' },
    };
    expect(await api().sendCard(card)).toEqual({ delivered: true });
    const token = await redis.get(TOKEN_KEY);
    expect(seen()).toEqual(['POST /v1.0/oauth2/accessToken', `POST /v1.0/card/instances/createAndDeliver ${token}`]);
    expect(fake.requests[1]!.body).toEqual({
      cardTemplateId: 'tpl.schema',
      outTrackId: 'tx-start-m1-0123456789',
      cardData: { cardParamMap: { title: '会议开始' } },
      callbackType: 'STREAM',
      imGroupOpenSpaceModel: { supportForward: false },
      openSpaceId: 'dtv1.card//IM_GROUP.cidGroupA==',
      imGroupOpenDeliverModel: { robotCode: CONFIG.robotCode },
    });
    // Sent again, DingTalk refuses the outTrackId as existing: the card is there.
    expect(await api().sendCard(card)).toEqual({ delivered: true });
    expect(fake.requests.at(-1)!.body).toMatchObject({ outTrackId: card.outTrackId });
  });

  it('reads what DingTalk says of a card it will not deliver: made and not delivered, its template or permission refused', async () => {
    const card = { openConversationId: 'cidGroupA==', templateId: 'tpl.schema', outTrackId: 'tx-start-m2-0123456789', params: {} };
    const answer = (...answers: FakeAnswer[]) => fake.enqueue('POST', '/v1.0/card/instances/createAndDeliver', ...answers);
    const refused = (status: number, code: string): FakeAnswer => ({ status, json: { code, message: code } });
    answer({
      json: {
        success: true,
        result: { outTrackId: card.outTrackId, deliverResults: [{ spaceType: 'IM_GROUP', success: false, errorMsg: 'system error' }] },
      },
    });
    expect(await api().sendCard(card)).toEqual({
      delivered: false,
      kind: 'no-card',
      reason: 'DingTalk did not deliver the card: system error',
    });
    // Its retry finds the card made: still not delivered.
    answer(refused(400, 'param.cardAlreadyExist'));
    expect(await api().sendCard(card)).toMatchObject({ delivered: false, kind: 'no-card' });

    const unsure = { ...card, outTrackId: 'tx-start-m3-0123456789' };
    answer({ json: { success: false } }, refused(400, 'param.cardAlreadyExist'));
    expect(await api().sendCard(unsure)).toMatchObject({ delivered: false, kind: 'retry' });
    expect(await api().sendCard(unsure)).toMatchObject({ delivered: false, kind: 'no-card' });

    answer(
      refused(400, 'param.templateUnpublished'),
      refused(400, 'param.templateNotExist'),
      refused(403, 'Forbidden.AccessDenied.AccessTokenPermissionDenied'),
      refused(400, 'param.cardTemplateIdEmpty'),
      refused(400, 'param.contentUnsafe'),
    );
    const other = { ...card, outTrackId: 'tx-start-m4-0123456789' };
    for (let i = 0; i < 3; i++) expect(await api().sendCard(other)).toMatchObject({ delivered: false, kind: 'no-card' });
    expect(await api().sendCard(other)).toMatchObject({ delivered: false, kind: 'permanent' });
    expect(await api().sendCard(other)).toMatchObject({
      delivered: false,
      kind: 'permanent',
      reason: expect.stringContaining('contentUnsafe'),
    });
  });

  it('sends oToMessages/batchSend with userIds, and refuses more than 20 or none before any request', async () => {
    expect(await api().sendPrivate({ userIds: ['zhangsan', 'lisi'], message: note })).toEqual({ delivered: true });
    const send = fake.requests.find((r) => r.path === '/v1.0/robot/oToMessages/batchSend');
    expect(send!.body).toEqual({
      robotCode: CONFIG.robotCode,
      userIds: ['zhangsan', 'lisi'],
      msgKey: 'sampleMarkdown',
      msgParam: JSON.stringify({ title: note.title, text: note.markdown }),
    });
    fake.clear();
    const many = Array.from({ length: 21 }, (_, i) => `user${i}`);
    await expect(api().sendPrivate({ userIds: many, message: note })).rejects.toThrow(/1-20 userIds, not 21/);
    await expect(api().sendPrivate({ userIds: [], message: note })).rejects.toThrow(/not 0/);
    expect(fake.requests).toHaveLength(0);
    expect(await api().sendPrivate({ userIds: many.slice(0, 20), message: note })).toEqual({ delivered: true });
  });

  it('reuses the cached token, in the same instance and in another one sharing Redis', async () => {
    const first = api();
    await first.sendGroup({ openConversationId: 'cidA', message: note });
    await first.sendPrivate({ userIds: ['a'], message: note });
    await api().sendGroup({ openConversationId: 'cidB', message: note });
    const token = await redis.get(TOKEN_KEY);
    expect(seen()).toEqual([
      'POST /v1.0/oauth2/accessToken',
      `POST /v1.0/robot/groupMessages/send ${token}`,
      `POST /v1.0/robot/oToMessages/batchSend ${token}`,
      `POST /v1.0/robot/groupMessages/send ${token}`,
    ]);
  });

  it('makes one token call for concurrent sends', async () => {
    const one = api();
    const results = await Promise.all([1, 2, 3, 4, 5].map((n) => one.sendGroup({ openConversationId: `cid${n}`, message: note })));
    expect(results.every((r) => r.delivered)).toBe(true);
    expect(fake.requests.filter((r) => r.path === '/v1.0/oauth2/accessToken')).toHaveLength(1);
  });

  it('on an auth failure fetches a new token once and retries with it', async () => {
    const app = api();
    const stale = await app.accessToken();
    fake.enqueue('POST', '/v1.0/robot/groupMessages/send', {
      status: 401,
      json: { code: 'InvalidAuthentication', message: '不合法的access_token', requestid: 'r1' },
    });
    expect(await app.sendGroup({ openConversationId: 'cidA', message: note })).toEqual({ delivered: true });
    const fresh = await redis.get(TOKEN_KEY);
    expect(fresh).not.toBe(stale);
    expect(seen()).toEqual([
      'POST /v1.0/oauth2/accessToken',
      `POST /v1.0/robot/groupMessages/send ${stale}`,
      'POST /v1.0/oauth2/accessToken',
      `POST /v1.0/robot/groupMessages/send ${fresh}`,
    ]);
  });

  it('gives up after a second auth failure instead of looping', async () => {
    const expired = { status: 403, json: { code: 'Forbidden.AccessDenied.AccessTokenExpired', message: 'token expired' } };
    fake.enqueue('POST', '/v1.0/robot/oToMessages/batchSend', expired, expired);
    const result = await api().sendPrivate({ userIds: ['a'], message: note });
    expect(result).toMatchObject({ delivered: false, kind: 'retry' });
    expect(seen().map((s) => s.split(' ')[1])).toEqual([
      '/v1.0/oauth2/accessToken',
      '/v1.0/robot/oToMessages/batchSend',
      '/v1.0/oauth2/accessToken',
      '/v1.0/robot/oToMessages/batchSend',
    ]);
  });

  it('reports 429, Throttling and the QPS limits as rate-limited, other 4xx as permanent, 5xx as retry, without a refresh', async () => {
    fake.enqueue(
      'POST',
      '/v1.0/robot/groupMessages/send',
      { status: 429, json: { code: 'Throttling.Api', message: 'too many requests' } },
      { status: 403, json: { code: 'Throttling.User', message: 'flow control' } },
      { status: 403, json: { code: 'Forbidden.AccessDenied.QpsLimitForAppkeyAndApi', message: 'qps limit' } },
      { status: 400, json: { code: 'invalidParameter.robotCode', message: 'robot 不存在' } },
      { status: 403, json: { code: 'Forbidden.AccessDenied.AccessTokenPermissionDenied', message: 'no permission' } },
      { status: 503, text: 'Service Unavailable' },
    );
    const app = api();
    const send = () => app.sendGroup({ openConversationId: 'cidA', message: note });
    expect(await send()).toMatchObject({ delivered: false, kind: 'rate-limited', reason: 'HTTP 429 Throttling.Api: too many requests' });
    expect(await send()).toMatchObject({ delivered: false, kind: 'rate-limited' });
    expect(await send()).toMatchObject({ delivered: false, kind: 'rate-limited' });
    expect(await send()).toMatchObject({
      delivered: false,
      kind: 'permanent',
      reason: expect.stringContaining('invalidParameter.robotCode'),
    });
    expect(await send()).toMatchObject({ delivered: false, kind: 'permanent' });
    expect(await send()).toMatchObject({ delivered: false, kind: 'retry', reason: 'HTTP 503' });
    expect(fake.requests.filter((r) => r.path === '/v1.0/oauth2/accessToken')).toHaveLength(1);
  });

  it('reports a batchSend whose every recipient was flow-controlled as rate-limited', async () => {
    fake.enqueue('POST', '/v1.0/robot/oToMessages/batchSend', { json: { processQueryKey: 'q', flowControlledStaffIdList: ['a', 'b'] } });
    expect(await api().sendPrivate({ userIds: ['a', 'b'], message: note })).toMatchObject({ delivered: false, kind: 'rate-limited' });
  });

  it('returns a refused token call as the send result without sending', async () => {
    fake.enqueue('POST', '/v1.0/oauth2/accessToken', {
      status: 400,
      json: { code: 'invalidClientIdOrSecret', message: '无效的clientId或者clientSecret' },
    });
    expect(await api().sendGroup({ openConversationId: 'cidA', message: note })).toMatchObject({ delivered: false, kind: 'permanent' });
    fake.enqueue('POST', '/v1.0/oauth2/accessToken', { status: 401, json: { code: 'InvalidAuthentication', message: 'bad appSecret' } });
    expect(await api().sendGroup({ openConversationId: 'cidA', message: note })).toMatchObject({ delivered: false, kind: 'permanent' });
    expect(seen()).toEqual(['POST /v1.0/oauth2/accessToken', 'POST /v1.0/oauth2/accessToken']);
  });

  it('refuses a body over 20,000 bytes before any request', async () => {
    await expect(api().sendGroup({ openConversationId: 'cidA', message: { title: 't', markdown: '党'.repeat(7000) } })).rejects.toThrow(
      /20000-byte/,
    );
    expect(fake.requests).toHaveLength(0);
  });
});

describe('DingTalk app API: files', () => {
  const file = {
    name: '第一党支部支部党员大会记录（K7Q）.docx',
    type: 'docx',
    contentType: 'application/octet-stream',
    bytes: Buffer.from('PK\u0003\u0004 a file'),
  };

  it('uploads through the older API with its own token, then sends sampleFile with the media_id to the users', async () => {
    fake.on('POST', '/media/upload', () => ({ json: { errcode: 0, errmsg: 'ok', type: 'file', media_id: '@lAz.media' } }));
    expect(await api().sendPrivateFile({ userIds: ['zhangsan'], file })).toEqual({ delivered: true });
    const token = await redis.get(OAPI_TOKEN_KEY);
    expect(token).toMatch(/^ding-oapi-token-/);
    const gettoken = fake.requests.find((r) => r.path === '/gettoken')!;
    expect(gettoken.query).toEqual({ appkey: CONFIG.appKey, appsecret: APP_SECRET });
    const upload = fake.requests.find((r) => r.path === '/media/upload')!;
    expect(upload.query).toEqual({ access_token: token, type: 'file' });
    expect(upload.files.map((f) => [f.field, f.name, f.bytes.toString()])).toEqual([['media', file.name, file.bytes.toString()]]);
    const send = fake.requests.find((r) => r.path === '/v1.0/robot/oToMessages/batchSend')!;
    expect(send.body).toEqual({
      robotCode: CONFIG.robotCode,
      userIds: ['zhangsan'],
      msgKey: 'sampleFile',
      msgParam: JSON.stringify({ mediaId: '@lAz.media', fileName: file.name, fileType: 'docx' }),
    });
  });

  it('on 40014 at the upload fetches a new token once and uploads again', async () => {
    const app = api();
    fake.enqueue('POST', '/media/upload', { json: { errcode: 40014, errmsg: '不合法的access_token' } });
    expect(await app.sendPrivateFile({ userIds: ['zhangsan'], file })).toEqual({ delivered: true });
    const fresh = await redis.get(OAPI_TOKEN_KEY);
    const uploads = fake.requests.filter((r) => r.path === '/media/upload').map((r) => r.query.access_token);
    expect(uploads).toHaveLength(2);
    expect(uploads[1]).toBe(fresh);
    expect(uploads[0]).not.toBe(fresh);
  });

  it('sends nothing when the upload fails: the monthly quota or a refused AppSecret is permanent, a busy API waits', async () => {
    fake.enqueue('GET', '/gettoken', { json: { errcode: 40089, errmsg: '不合法的corpid或corpsecret' } });
    expect(await api().sendPrivateFile({ userIds: ['zhangsan'], file })).toMatchObject({ delivered: false, kind: 'permanent' });
    fake.enqueue(
      'POST',
      '/media/upload',
      { json: { errcode: 90020, errmsg: 'api count limit' } },
      { json: { errcode: 90018, errmsg: 'qps' } },
    );
    expect(await api().sendPrivateFile({ userIds: ['zhangsan'], file })).toMatchObject({ delivered: false, kind: 'permanent' });
    expect(await api().sendPrivateFile({ userIds: ['zhangsan'], file })).toMatchObject({ delivered: false, kind: 'rate-limited' });
    expect(fake.requests.filter((r) => r.path === '/v1.0/robot/oToMessages/batchSend')).toEqual([]);
  });
});

// Runs last: checks everything the tests above logged, at trace level.
it('never logs the app secret, the robot secret, the robot token or access tokens', () => {
  expect(logged.length).toBeGreaterThan(0);
  const all = logged.join('\n');
  expect(all).not.toContain(APP_SECRET);
  expect(all).not.toContain(ROBOT_SECRET);
  expect(all).not.toContain(ROBOT_TOKEN);
  expect(all).not.toMatch(/ding-(oapi-)?token-\d/);
  expect(all).toContain('robo…');
});
