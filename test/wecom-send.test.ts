import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { WecomAppApi } from '../src/platforms/wecom/app-api.ts';
import { TRUSTED_IP_REASON } from '../src/platforms/wecom/api.ts';
import { type RobotMessage, sendGroupRobot } from '../src/platforms/wecom/group-robot.ts';
import { type FakePlatform, startFakePlatform } from './helpers/fake-platform.ts';

const PREFIX = `tongxin-test-wecom-${randomBytes(4).toString('hex')}`;
const KEY = 'robot-key-0123-4567-89ab-cdef01234567';
const SECRET = 'wecom-app-secret-that-must-never-be-logged';
const CONFIG = { corpId: 'ww0123456789abcdef', agentId: '1000002', secret: SECRET };

let fake: FakePlatform;
let redis: Redis;
const logged: string[] = [];
const logger = pino({ level: 'trace' }, { write: (line: string) => void logged.push(line) });

const api = () => new WecomAppApi({ apiBase: fake.url, redis, logger, config: CONFIG, channelId: 'wx1', keyPrefix: PREFIX });
const md = (content: string) => ({ kind: 'markdown' as const, content });
const TOKEN_KEY = `${PREFIX}:wecom-token:${CONFIG.corpId}:${CONFIG.agentId}`;
const seen = () => fake.requests.map((r) => `${r.method} ${r.path}${r.query.access_token ? ` ${r.query.access_token}` : ''}`);

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

describe('WeCom group robot', () => {
  const send = (message: RobotMessage) => sendGroupRobot({ apiBase: fake.url, key: KEY, message, logger });

  it('posts markdown to webhook/send with the key in the query', async () => {
    expect(await send(md('**第一党支部** 明天 14:30 党员大会'))).toEqual({ delivered: true });
    expect(fake.requests).toHaveLength(1);
    const [req] = fake.requests;
    expect(req).toMatchObject({ method: 'POST', path: '/cgi-bin/webhook/send', query: { key: KEY } });
    expect(req!.headers['content-type']).toBe('application/json');
    expect(req!.body).toEqual({ msgtype: 'markdown', markdown: { content: '**第一党支部** 明天 14:30 党员大会' } });
  });

  it('posts text with mentioned_list', async () => {
    expect(await send({ kind: 'text', content: '请尚未签到的同志签到', mentions: ['zhangsan', 'lisi'] })).toEqual({ delivered: true });
    expect(fake.requests[0]!.body).toEqual({
      msgtype: 'text',
      text: { content: '请尚未签到的同志签到', mentioned_list: ['zhangsan', 'lisi'] },
    });
  });

  it('reports 45009 as rate-limited and 93000 as permanent', async () => {
    fake.enqueue(
      'POST',
      '/cgi-bin/webhook/send',
      { json: { errcode: 45009, errmsg: 'api freq out of limit' } },
      { json: { errcode: 93000, errmsg: 'invalid webhook url' } },
    );
    expect(await send(md('a'))).toMatchObject({ delivered: false, kind: 'rate-limited', errcode: 45009 });
    expect(await send(md('b'))).toMatchObject({ delivered: false, kind: 'permanent', errcode: 93000 });
  });

  it('reports HTTP 5xx and a refused connection as retry', async () => {
    fake.enqueue('POST', '/cgi-bin/webhook/send', { status: 502, text: '<html>Bad Gateway</html>' });
    expect(await send(md('a'))).toMatchObject({ delivered: false, kind: 'retry', reason: 'HTTP 502' });
    const closed = await startFakePlatform();
    await closed.close();
    const result = await sendGroupRobot({ apiBase: closed.url, key: KEY, message: md('a'), logger });
    expect(result).toMatchObject({ delivered: false, kind: 'retry' });
  });

  it('refuses over-limit content before any request, without the key in the error', async () => {
    const markdown = '党'.repeat(1366); // 4098 bytes
    await expect(send(md(markdown))).rejects.toThrow(/4098 bytes, over WeCom's 4096-byte limit/);
    await expect(send({ kind: 'text', content: 'x'.repeat(2049) })).rejects.toThrow(/2048-byte/);
    const error = await send(md(markdown)).catch((err: Error) => err);
    expect(String(error)).toContain('robo…');
    expect(String(error)).not.toContain(KEY);
    expect(await send(md('党'.repeat(1365)))).toEqual({ delivered: true }); // 4095 bytes
    expect(fake.requests).toHaveLength(1);
  });
});

describe('WeCom self-built app', () => {
  it('fetches a token, then sends markdown with it to touser joined by |', async () => {
    expect(await api().sendMessage({ touser: ['zhangsan', 'lisi'], message: md('本周五同报告') })).toEqual({ delivered: true });
    const token = await redis.get(TOKEN_KEY);
    expect(token).toMatch(/^tok-\d+$/);
    expect(seen()).toEqual(['GET /cgi-bin/gettoken', `POST /cgi-bin/message/send ${token}`]);
    expect(fake.requests[0]!.query).toEqual({ corpid: CONFIG.corpId, corpsecret: SECRET });
    expect(fake.requests[1]!.body).toEqual({
      touser: 'zhangsan|lisi',
      msgtype: 'markdown',
      agentid: 1000002,
      markdown: { content: '本周五同报告' },
    });
    const ttl = await redis.ttl(TOKEN_KEY);
    expect(ttl).toBeGreaterThan(6890);
    expect(ttl).toBeLessThanOrEqual(6900);
  });

  it('reuses the cached token, in the same instance and in another one sharing Redis', async () => {
    const first = api();
    await first.sendMessage({ touser: ['a'], message: md('1') });
    await first.sendMessage({ touser: ['a'], message: { kind: 'text', content: '2' } });
    await api().sendMessage({ touser: ['a'], message: md('3') });
    const send = `POST /cgi-bin/message/send ${await redis.get(TOKEN_KEY)}`;
    expect(seen()).toEqual(['GET /cgi-bin/gettoken', send, send, send]);
    expect(fake.requests[2]!.body).toMatchObject({ msgtype: 'text', text: { content: '2' } });
  });

  it('makes one gettoken call for concurrent sends', async () => {
    const one = api();
    const results = await Promise.all([1, 2, 3, 4, 5].map((n) => one.sendMessage({ touser: ['a'], message: md(String(n)) })));
    expect(results.every((r) => r.delivered)).toBe(true);
    expect(fake.requests.filter((r) => r.path === '/cgi-bin/gettoken')).toHaveLength(1);
  });

  it('on 42001 fetches a new token once and retries with it', async () => {
    const app = api();
    const stale = await app.accessToken();
    fake.enqueue('POST', '/cgi-bin/message/send', { json: { errcode: 42001, errmsg: 'access_token expired' } });
    expect(await app.sendMessage({ touser: ['a'], message: md('x') })).toEqual({ delivered: true });
    const fresh = await redis.get(TOKEN_KEY);
    expect(fresh).not.toBe(stale);
    expect(seen()).toEqual([
      'GET /cgi-bin/gettoken',
      `POST /cgi-bin/message/send ${stale}`,
      'GET /cgi-bin/gettoken',
      `POST /cgi-bin/message/send ${fresh}`,
    ]);
  });

  it('gives up after a second token error instead of looping', async () => {
    const expired = { json: { errcode: 42001, errmsg: 'access_token expired' } };
    fake.enqueue('POST', '/cgi-bin/message/send', expired, expired);
    const result = await api().sendMessage({ touser: ['a'], message: md('x') });
    expect(result).toMatchObject({ delivered: false, kind: 'retry', errcode: 42001 });
    const [first, second] = fake.requests.filter((r) => r.path === '/cgi-bin/message/send').map((r) => r.query.access_token);
    expect(seen()).toEqual([
      'GET /cgi-bin/gettoken',
      `POST /cgi-bin/message/send ${first}`,
      'GET /cgi-bin/gettoken',
      `POST /cgi-bin/message/send ${second}`,
    ]);
    expect(second).not.toBe(first);
  });

  it('treats 40014 like an expired token', async () => {
    fake.enqueue('POST', '/cgi-bin/message/send', { json: { errcode: 40014, errmsg: 'invalid access_token' } });
    expect(await api().sendMessage({ touser: ['a'], message: md('x') })).toEqual({ delivered: true });
    expect(fake.requests.filter((r) => r.path === '/cgi-bin/gettoken')).toHaveLength(2);
  });

  it('reports 60020 as permanent and logs the trusted-IP fix plainly', async () => {
    fake.enqueue('POST', '/cgi-bin/message/send', { json: { errcode: 60020, errmsg: 'not allow to access from your ip' } });
    const result = await api().sendMessage({ touser: ['a'], message: md('x') });
    expect(result).toEqual({ delivered: false, kind: 'permanent', errcode: 60020, reason: TRUSTED_IP_REASON });
    expect(logged.some((line) => line.includes("add this server's egress IP to the app's 企业可信IP"))).toBe(true);
  });

  it('returns a failed gettoken as the send result without sending', async () => {
    fake.enqueue('GET', '/cgi-bin/gettoken', { json: { errcode: 45009, errmsg: 'api freq out of limit' } });
    expect(await api().sendMessage({ touser: ['a'], message: md('x') })).toMatchObject({ delivered: false, kind: 'rate-limited' });
    expect(seen()).toEqual(['GET /cgi-bin/gettoken']);
  });

  it('refuses over-limit content and empty recipient lists before any request', async () => {
    await expect(api().sendMessage({ touser: ['a'], message: md('x'.repeat(2049)) })).rejects.toThrow(/2048-byte/);
    await expect(api().sendMessage({ touser: [], message: md('x') })).rejects.toThrow(/recipients/);
    expect(fake.requests).toHaveLength(0);
  });
});

// Runs last: checks everything the tests above logged, at trace level.
describe('WeCom self-built app: files', () => {
  const file = {
    name: '第一党支部2026年第四季度三会一课台账.xlsx',
    contentType: 'application/octet-stream',
    bytes: Buffer.from('PK\u0003\u0004 a file'),
  };

  it('uploads the file as media (field media, its name) and sends a file message with the media_id', async () => {
    fake.on('POST', '/cgi-bin/media/upload', () => ({ json: { errcode: 0, errmsg: 'ok', type: 'file', media_id: 'MEDIA1' } }));
    expect(await api().sendFile({ touser: ['zhangsan'], file })).toEqual({ delivered: true });
    const token = await redis.get(TOKEN_KEY);
    expect(seen()).toEqual(['GET /cgi-bin/gettoken', `POST /cgi-bin/media/upload ${token}`, `POST /cgi-bin/message/send ${token}`]);
    const upload = fake.requests[1]!;
    expect(upload.query.type).toBe('file');
    expect(upload.files.map((f) => [f.field, f.name, f.bytes.toString()])).toEqual([['media', file.name, file.bytes.toString()]]);
    expect(fake.requests[2]!.body).toEqual({ touser: 'zhangsan', msgtype: 'file', agentid: 1000002, file: { media_id: 'MEDIA1' } });
  });

  it('on 42001 at the upload fetches a new token once and uploads again', async () => {
    const app = api();
    const stale = await app.accessToken();
    fake.enqueue('POST', '/cgi-bin/media/upload', { json: { errcode: 42001, errmsg: 'access_token expired' } });
    expect(await app.sendFile({ touser: ['zhangsan'], file })).toEqual({ delivered: true });
    const fresh = await redis.get(TOKEN_KEY);
    expect(seen()).toEqual([
      'GET /cgi-bin/gettoken',
      `POST /cgi-bin/media/upload ${stale}`,
      'GET /cgi-bin/gettoken',
      `POST /cgi-bin/media/upload ${fresh}`,
      `POST /cgi-bin/message/send ${fresh}`,
    ]);
  });

  it('sends nothing when the upload fails or answers without a media_id; refuses an empty file before any request', async () => {
    fake.enqueue('POST', '/cgi-bin/media/upload', { json: { errcode: 60020, errmsg: 'not allow to access from your ip' } });
    expect(await api().sendFile({ touser: ['zhangsan'], file })).toMatchObject({
      delivered: false,
      kind: 'permanent',
      reason: TRUSTED_IP_REASON,
    });
    fake.enqueue('POST', '/cgi-bin/media/upload', { json: { errcode: 0, errmsg: 'ok' } });
    expect(await api().sendFile({ touser: ['zhangsan'], file })).toMatchObject({ delivered: false, kind: 'retry' });
    expect(fake.requests.filter((r) => r.path === '/cgi-bin/message/send')).toEqual([]);
    fake.clear();
    await expect(api().sendFile({ touser: ['zhangsan'], file: { ...file, bytes: Buffer.from('PK') } })).rejects.toThrow(/5 bytes to 20 MB/);
    expect(fake.requests).toEqual([]);
  });
});

it('never logs the app secret, the access tokens or the robot key', () => {
  expect(logged.length).toBeGreaterThan(0);
  const all = logged.join('\n');
  expect(all).not.toContain(SECRET);
  expect(all).not.toContain(KEY);
  expect(all).not.toMatch(/tok-\d/);
  expect(all).toContain('robo…');
});
