import { createHash, randomBytes } from 'node:crypto';
import { type Server, type Socket, connect, createServer } from 'node:net';
import { once } from 'node:events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { putChannel } from '../db/channels.ts';
import { putMember } from '../db/members.ts';
import { putOrg } from '../db/orgs.ts';
import { QUEUE_NAMES, createQueues } from '../jobs/queues.ts';
import { createApp } from '../src/app.ts';
import { attachment } from '../src/admin/http.ts';
import { ManualClock } from '../src/core/clock.ts';
import { loadConfig } from '../src/core/config.ts';
import { serveHttp } from '../src/core/http-server.ts';
import { createLogger } from '../src/core/logger.ts';
import { createRedis } from '../src/core/redis.ts';
import { ADMIN_TOKEN, type TestApp, startTestApp } from './helpers/app.ts';
import { type ConsoleRig, PUBLIC_URL, browser, signIn, startConsole } from './helpers/console.ts';
import { DIALECTS, type TestDialect, memberRow, openTestDb } from './helpers/db.ts';
import { DT_SECRET } from './helpers/dingtalk.ts';
import { freePort } from './helpers/private-redis.ts';

// The HTTP surface's defences: guesses at ADMIN_TOKEN limited per client address (sign-in and the
// bearer API), bull-board's writes under the console session, the pages' security headers, a
// deadline on every request body, no download token in the error log, and RFC 8187 file names.

const NOW = Date.UTC(2026, 11, 1, 2, 0, 0);
const WRONG = 'wrong-token-0123456789abcdefghijklmn';

function tally(statuses: number[]): Record<number, number> {
  const counts: Record<number, number> = {};
  for (const status of statuses) counts[status] = (counts[status] ?? 0) + 1;
  return counts;
}

const signInWithToken = (t: TestApp, token: string, headers: Record<string, string> = {}) =>
  browser(t).post('/console/login', { token }, headers);

const bearer = (t: TestApp, token: string, headers: Record<string, string> = {}) =>
  Promise.resolve(t.app.request('/admin/orgs', { headers: { authorization: `Bearer ${token}`, ...headers } }));

describe('filename*', () => {
  it('percent-encodes what RFC 8187 leaves out of attr-char, brackets of a branch name included', () => {
    const header = attachment('第二党支部(机关)2026年第四季度台账.xlsx', 'ledger.xlsx');
    const value = /filename\*=UTF-8''(.+)$/.exec(header)![1]!;
    expect(value).toBe(
      `${encodeURIComponent('第二党支部')}%28${encodeURIComponent('机关')}%29${encodeURIComponent('2026年第四季度台账')}.xlsx`,
    );
    expect(attachment("a'b*c!d", 'x.txt')).toMatch(/filename\*=UTF-8''a%27b%2Ac%21d$/);
    // attr-char: ALPHA DIGIT ! # $ & + - . ^ _ ` | ~, minus those RFC 5987 implementations choke on.
    expect(value).toMatch(/^[A-Za-z0-9%#$&+.^_`|~-]+$/);
  });
});

describe.each(DIALECTS)('guesses at ADMIN_TOKEN on %s', (dialect) => {
  let proxied: TestApp;
  let direct: TestApp;
  beforeAll(async () => {
    proxied = await startTestApp(dialect, { now: NOW, env: { PUBLIC_URL, TRUST_PROXY: 'X-Forwarded-For' } });
    direct = await startTestApp(dialect, { now: NOW, env: { PUBLIC_URL } });
    // Counts go to Redis once it is connected; before that a process counts alone.
    await Promise.all([proxied.redis.ping(), direct.redis.ping()]);
  });
  afterAll(async () => {
    await proxied?.close();
    await direct?.close();
  });

  it('sign-in: of 40 wrong tokens sent at once, 5 are judged and 35 refused unread; then the right one is refused too', async () => {
    const from = { 'x-forwarded-for': '203.0.113.1' };
    const answers = await Promise.all(Array.from({ length: 40 }, () => signInWithToken(proxied, WRONG, from)));
    expect(tally(answers.map((r) => r.status))).toEqual({ 401: 5, 429: 35 });
    const refused = await signInWithToken(proxied, ADMIN_TOKEN, from);
    expect(refused.status).toBe(429);
    expect(await refused.text()).toContain('尝试次数过多，请 15 分钟后再试。');
  });

  it('the bearer API: the same, answered in JSON', async () => {
    const from = { 'x-forwarded-for': '203.0.113.2' };
    const answers = await Promise.all(Array.from({ length: 40 }, () => bearer(proxied, WRONG, from)));
    expect(tally(answers.map((r) => r.status))).toEqual({ 401: 5, 429: 35 });
    const refused = await bearer(proxied, ADMIN_TOKEN, from);
    expect(refused.status).toBe(429);
    expect(await refused.json()).toHaveProperty('error');
    // The dashboard behind the same token is behind the same count.
    const queues = await proxied.app.request('/admin/queues', { headers: { authorization: `Bearer ${ADMIN_TOKEN}`, ...from } });
    expect(queues.status).toBe(429);
    // A request without a token guesses nothing: 401, as before.
    expect((await proxied.app.request('/admin/orgs', { headers: from })).status).toBe(401);
  });

  it('a right token does not count, and many at once are all let in', async () => {
    const from = { 'x-forwarded-for': '203.0.113.3' };
    const right = await Promise.all(Array.from({ length: 12 }, () => bearer(proxied, ADMIN_TOKEN, from)));
    expect(tally(right.map((r) => r.status))).toEqual({ 200: 12 });
    for (let i = 0; i < 6; i++) expect((await signInWithToken(proxied, ADMIN_TOKEN, from)).status).toBe(303);
    const wrong = await Promise.all(Array.from({ length: 5 }, () => bearer(proxied, WRONG, from)));
    expect(tally(wrong.map((r) => r.status))).toEqual({ 401: 5 });
    expect((await bearer(proxied, ADMIN_TOKEN, from)).status).toBe(429);
  });

  it('with TRUST_PROXY, counts by the address the proxy appended: two clients apart, the client’s own entries ignored', async () => {
    const first = await Promise.all(
      Array.from({ length: 5 }, (_, i) => signInWithToken(proxied, WRONG, { 'x-forwarded-for': `10.9.9.${i}, 198.51.100.7` })),
    );
    expect(tally(first.map((r) => r.status))).toEqual({ 401: 5 });
    expect((await signInWithToken(proxied, ADMIN_TOKEN, { 'x-forwarded-for': '198.51.100.7' })).status).toBe(429);
    // Another client behind the same proxy is not locked out.
    expect((await signInWithToken(proxied, WRONG, { 'x-forwarded-for': '198.51.100.8' })).status).toBe(401);
    expect((await signInWithToken(proxied, ADMIN_TOKEN, { 'x-forwarded-for': '198.51.100.8' })).status).toBe(303);
    // Naming another address first does not get the locked client out.
    expect((await signInWithToken(proxied, ADMIN_TOKEN, { 'x-forwarded-for': '198.51.100.8, 198.51.100.7' })).status).toBe(429);
  });

  it('without TRUST_PROXY, the header is ignored', async () => {
    const first = await Promise.all(Array.from({ length: 5 }, () => signInWithToken(direct, WRONG, { 'x-forwarded-for': '198.51.100.1' })));
    expect(tally(first.map((r) => r.status))).toEqual({ 401: 5 });
    expect((await signInWithToken(direct, ADMIN_TOKEN, { 'x-forwarded-for': '198.51.100.2' })).status).toBe(429);
    expect((await bearer(direct, ADMIN_TOKEN, { 'x-forwarded-for': '198.51.100.2' })).status).toBe(200);
  });
});

/** A TCP relay to the shared Redis that can stop passing anything on: a Redis that hangs. */
async function hangableRedis() {
  const sockets = new Set<Socket>();
  let hung = false;
  const server: Server = createServer((client) => {
    const upstream = connect(6379, '127.0.0.1');
    for (const [from, to] of [
      [client, upstream],
      [upstream, client],
    ] as const) {
      sockets.add(from);
      from.on('data', (chunk) => hung || to.write(chunk));
      from.on('error', () => to.destroy());
      from.on('close', () => to.destroy());
    }
  }).listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    url: `redis://127.0.0.1:${(server.address() as { port: number }).port}`,
    hang: () => {
      hung = true;
    },
    async close() {
      for (const s of sockets) s.destroy();
      server.close();
    },
  };
}

describe.each(DIALECTS)('guesses while Redis is away on %s', (dialect) => {
  async function appOn(dialectName: TestDialect, redisUrl: string) {
    const testDb = await openTestDb(dialectName);
    const config = loadConfig({
      DATABASE_URL: testDb.url,
      ADMIN_TOKEN,
      QUEUE_PREFIX: `tongxin-test-${randomBytes(4).toString('hex')}`,
      LOG_LEVEL: 'silent',
    });
    const logger = createLogger('silent');
    const redis = createRedis(redisUrl, logger);
    const queues = createQueues(config.REDIS_URL, config.QUEUE_PREFIX, logger);
    const app = createApp({ config, db: testDb.db, redis, clock: new ManualClock(NOW), logger, queues });
    return {
      app,
      redis,
      async close() {
        redis.disconnect();
        await queues.close();
        await testDb.close();
      },
    };
  }

  const guessesCountedInProcess = async (app: { request: (path: string, init?: RequestInit) => Response | Promise<Response> }) => {
    const get = (token: string) => Promise.resolve(app.request('/admin/orgs', { headers: { authorization: `Bearer ${token}` } }));
    expect((await get(ADMIN_TOKEN)).status).toBe(200);
    const wrong = await Promise.all(Array.from({ length: 8 }, () => get(WRONG)));
    expect(tally(wrong.map((r) => r.status))).toEqual({ 401: 5, 429: 3 });
    expect((await get(ADMIN_TOKEN)).status).toBe(429);
  };

  it('unreachable: the admin API still answers, counting in the process by the same rule', async () => {
    const s = await appOn(dialect, `redis://127.0.0.1:${await freePort()}`);
    try {
      await guessesCountedInProcess(s.app);
    } finally {
      await s.close();
    }
  });

  it('connected but not answering: the same, after a short wait for it', async () => {
    const relay = await hangableRedis();
    const s = await appOn(dialect, relay.url);
    try {
      await s.redis.ping();
      relay.hang();
      await guessesCountedInProcess(s.app);
    } finally {
      await s.close();
      await relay.close();
    }
  });
});

async function seedOneOrg(t: TestApp) {
  await putOrg(t.db, { id: 'o1', name: '某市直机关工委', timezone: 'Asia/Shanghai', digest_cron: null }, NOW);
  await putChannel(t.db, 'o1', 'dt1', { platform: 'dingtalk', appKey: 'k', appSecret: DT_SECRET, robotCode: 'r' }, NOW);
  await putMember(
    t.db,
    memberRow({ org_id: 'o1', branch_id: 'b1', id: 'adm', name: '李干事', org_admin: true, accounts: { dingtalk: 'dt-adm' } }),
    NOW,
  );
}

describe.each(DIALECTS)('the queue dashboard on the console session on %s', (dialect) => {
  let rig: ConsoleRig;
  let t: TestApp;
  beforeAll(async () => {
    rig = await startConsole(dialect, NOW, seedOneOrg);
    t = rig.t;
  });
  afterAll(() => rig?.close());

  const pause = (b: { request(path: string, init: RequestInit): Promise<Response> }, headers: Record<string, string>) =>
    b.request('/console/queues/api/queues/digests/pause', { method: 'PUT', headers });

  it('IT: a write needs this site’s Origin and the session’s CSRF token, which the API hands over in the XSRF cookie', async () => {
    const staff = browser(t);
    expect((await staff.post('/console/login', { token: ADMIN_TOKEN }, { origin: PUBLIC_URL })).status).toBe(303);
    const csrf = /name="_csrf" value="([^"]+)"/.exec(await (await staff.request('/console/orgs')).text())![1]!;
    expect((await staff.request('/console/queues')).status).toBe(200);
    const api = await staff.request('/console/queues/api/queues');
    expect(api.status).toBe(200);
    const cookie = api.headers.getSetCookie().find((c) => c.startsWith('XSRF-TOKEN='))!;
    expect(cookie).toBe(`XSRF-TOKEN=${csrf}; Path=/console/queues; Secure; SameSite=Strict`);
    expect(cookie).not.toMatch(/HttpOnly/i);

    const refused: Record<string, string>[] = [
      { origin: 'https://evil.example', 'x-xsrf-token': csrf },
      { 'x-xsrf-token': csrf },
      { origin: PUBLIC_URL },
      { origin: PUBLIC_URL, 'x-xsrf-token': 'forged' },
    ];
    for (const headers of refused) {
      expect((await pause(staff, headers)).status, JSON.stringify(headers)).toBe(403);
    }
    expect(await t.queues.digests.isPaused()).toBe(false);
    // A CORS-simple POST from a sibling site adds nothing.
    const added = await staff.request('/console/queues/api/queues/digests/add', {
      method: 'POST',
      headers: { origin: 'https://evil.tongxin.example.gov.cn', 'content-type': 'text/plain' },
      body: JSON.stringify({ name: 'probe', data: {}, options: {} }),
    });
    expect(added.status).toBe(403);
    expect((await t.queues.digests.getJobs()).filter((job) => job.name === 'probe')).toEqual([]);

    expect((await pause(staff, { origin: PUBLIC_URL, 'x-xsrf-token': csrf })).status).toBe(200);
    expect(await t.queues.digests.isPaused()).toBe(true);
    await t.queues.digests.resume();
    // Every write asked of the dashboard is on the trail, done or refused.
    const trail = await t.db
      .selectFrom('audit_log')
      .select(['actor_kind', 'object', 'result'])
      .where('action', '=', 'queues.write')
      .execute();
    expect(trail.filter((e) => e.result === 'refused')).toHaveLength(refused.length + 1);
    expect(trail.filter((e) => e.result === 'ok')).toEqual([
      { actor_kind: 'it', object: 'queues:PUT /api/queues/digests/pause', result: 'ok' },
    ]);
  });

  it('an org admin of a one-org deployment sees the read-only board and cannot write', async () => {
    const adm = await signIn(t, rig.fake, 'dt-adm');
    const csrf = /name="_csrf" value="([^"]+)"/.exec(await (await adm.request('/console/orgs/o1')).text())![1]!;
    expect((await adm.request('/console/queues')).status).toBe(200);
    const api = await adm.request('/console/queues/api/queues');
    const body = (await api.json()) as { queues: { name: string; readOnlyMode: boolean }[] };
    expect(body.queues.map((q) => [q.name, q.readOnlyMode]).sort()).toEqual(QUEUE_NAMES.map((n) => [n, true]).sort());
    expect(api.headers.getSetCookie()).toEqual([]);
    expect((await pause(adm, { origin: PUBLIC_URL, 'x-xsrf-token': csrf })).status).toBe(403);
    expect(await t.queues.digests.isPaused()).toBe(false);
  });

  it('the bearer dashboard at /admin/queues is as it was: the token is the whole check', async () => {
    const res = await t.app.request('/admin/queues/api/queues/digests/pause', {
      method: 'PUT',
      headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
    });
    expect(res.status).toBe(200);
    expect(await t.queues.digests.isPaused()).toBe(true);
    await t.queues.digests.resume();
    const last = await t.db
      .selectFrom('audit_log')
      .selectAll()
      .where('action', '=', 'queues.write')
      .orderBy('id', 'desc')
      .executeTakeFirstOrThrow();
    expect([last.actor_kind, last.object, last.result]).toEqual(['it', 'queues:PUT /api/queues/digests/pause', 'ok']);
  });
});

describe.each(DIALECTS)('the headers of every page on %s', (dialect) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(dialect, { now: NOW, env: { PUBLIC_URL } });
    await seedOneOrg(t);
  });
  afterAll(() => t?.close());

  const directives = (res: Response) =>
    new Map(
      (res.headers.get('content-security-policy') ?? '').split(';').map((d) => {
        const [name, ...values] = d.trim().split(/\s+/);
        return [name!, values] as const;
      }),
    );

  it('console, /guide and the dashboard: a policy that runs only the service’s own scripts, no framing, no sniffing', async () => {
    const staff = browser(t);
    expect((await staff.post('/console/login', { token: ADMIN_TOKEN })).status).toBe(303);
    const pages: [string, Response][] = [
      ['sign-in page', await browser(t).request('/console/login')],
      ['a refused sign-in', await browser(t).post('/console/login', { token: WRONG })],
      ['a signed-in page', await staff.request('/console/orgs/o1')],
      ['the guide', await t.app.request('/guide')],
      ['the dashboard', await staff.request('/console/queues')],
    ];
    for (const [name, res] of pages) {
      expect(res.headers.get('content-type'), name).toMatch(/^text\/html/);
      expect(res.headers.get('x-frame-options'), name).toBe('DENY');
      expect(res.headers.get('x-content-type-options'), name).toBe('nosniff');
      const csp = directives(res);
      expect(csp.get('script-src'), name).toEqual(["'self'"]);
      expect(csp.get('object-src'), name).toEqual(["'none'"]);
      expect(csp.get('frame-ancestors'), name).toEqual(["'none'"]);
    }
    const own = pages.slice(0, 3).map(([, res]) => directives(res));
    for (const csp of own) {
      expect(csp.get('default-src')).toEqual(["'self'"]);
      expect(csp.get('style-src')).toEqual(["'self'"]);
      expect(csp.get('base-uri')).toEqual(["'none'"]);
      expect(csp.get('form-action')).toEqual(["'self'"]);
    }
  });

  it('the guide’s inline style is let through by its hash and nothing else', async () => {
    const res = await t.app.request('/guide');
    const style = /<style>([\s\S]*?)<\/style>/.exec(await res.text())![1]!;
    const hash = createHash('sha256').update(style, 'utf8').digest('base64');
    expect(directives(res).get('style-src')).toEqual([`'sha256-${hash}'`]);
  });
});

describe.each(DIALECTS)('the error log on %s', (dialect) => {
  it('names the route of a failed request, never what its path names', async () => {
    const testDb = await openTestDb(dialect);
    const lines: string[] = [];
    const logger = createLogger('info', { write: (s: string) => void lines.push(s) });
    const config = loadConfig({
      DATABASE_URL: testDb.url,
      PUBLIC_URL,
      ADMIN_TOKEN,
      QUEUE_PREFIX: `tongxin-test-${randomBytes(4).toString('hex')}`,
    });
    const redis = createRedis(config.REDIS_URL, logger);
    const queues = createQueues(config.REDIS_URL, config.QUEUE_PREFIX, logger);
    const app = createApp({ config, db: testDb.db, redis, clock: new ManualClock(NOW), logger, queues });
    const named = 'zhang-san-13800001234';
    try {
      // The database fails under the request, as it may.
      await testDb.db.destroy();
      const res = await app.request(`/admin/orgs/o1/members/${named}`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
      expect(res.status).toBe(500);
      const logged = lines.join('');
      expect(logged).toContain('request failed');
      expect(logged).not.toContain(named);
      expect(JSON.parse(lines.find((l) => l.includes('request failed'))!)).toMatchObject({
        route: '/admin/orgs/:org/members/:member',
        method: 'GET',
      });
    } finally {
      await queues.close();
      await redis.quit();
      await testDb.close().catch(() => {});
    }
  });
});

/** Sends `path` a request declaring 1000 bytes of body, then one byte every 2 s: when and how it ended. */
async function slowBody(port: number, path: string, headers: Record<string, string> = {}) {
  const socket = connect(port, '127.0.0.1');
  await once(socket, 'connect');
  const started = performance.now();
  const head = Object.entries({ host: `127.0.0.1:${port}`, 'content-length': '1000', ...headers })
    .map(([k, v]) => `${k}: ${v}\r\n`)
    .join('');
  socket.write(`POST ${path} HTTP/1.1\r\n${head}\r\n`);
  const drip = setInterval(() => socket.writable && socket.write('a'), 2_000);
  let answer = '';
  socket.on('data', (chunk) => {
    answer += chunk.toString('utf8');
  });
  socket.on('error', () => {});
  await once(socket, 'close');
  clearInterval(drip);
  return { seconds: (performance.now() - started) / 1000, answer };
}

describe.each(DIALECTS)('a body that arrives too slowly on %s', (dialect) => {
  let t: TestApp;
  let server: ReturnType<typeof serveHttp>;
  let port: number;
  beforeAll(async () => {
    t = await startTestApp(dialect, { now: NOW, env: { PUBLIC_URL } });
    await seedOneOrg(t);
    port = await freePort();
    server = serveHttp(t.app.fetch, { port, hostname: '127.0.0.1' });
    await once(server, 'listening');
  });
  afterAll(async () => {
    server?.close();
    await t?.close();
  });

  it('is cut off on the sign-in page as on a webhook, which still answers with its own 408', { timeout: 40_000 }, async () => {
    const [login, webhook] = await Promise.all([
      slowBody(port, '/console/login', { 'content-type': 'application/x-www-form-urlencoded' }),
      slowBody(port, '/webhooks/dingtalk/dt1', { 'content-type': 'application/json' }),
    ]);
    expect(login.seconds).toBeLessThan(15);
    expect(login.answer).toMatch(/^HTTP\/1\.1 408 /);
    expect(webhook.seconds).toBeLessThan(15);
    expect(webhook.answer).toMatch(/^HTTP\/1\.1 408 /);
    expect(webhook.answer).toContain('{"error":"body not received in time"}');
  });
});
