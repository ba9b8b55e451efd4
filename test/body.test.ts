import { request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type ServerType, serve } from '@hono/node-server';
import { Hono } from 'hono';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { putChannel } from '../db/channels.ts';
import { putOrg } from '../db/orgs.ts';
import { BODY_DEADLINE_MS, BodyTimeout, MAX_BODY_BYTES, readBody } from '../src/core/body.ts';
import { ADMIN_TOKEN, type TestApp, startTestApp } from './helpers/app.ts';
import { DIALECTS } from './helpers/db.ts';
import { DT_SECRET, signedHeaders } from './helpers/dingtalk.ts';

const NOW = Date.UTC(2026, 10, 28, 2, 0, 0);

/** A body that sends `first` and then nothing: `reading` settles once its reader waits for more. */
function stalling(first = '{"msgId":') {
  let pulled = () => {};
  const reading = new Promise<void>((resolve) => {
    pulled = resolve;
  });
  const state = { cancelled: false };
  const stream = new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(new TextEncoder().encode(first));
    },
    pull() {
      pulled();
    },
    cancel() {
      state.cancelled = true;
    },
  });
  return { stream, reading, state };
}

const post = (body: ReadableStream<Uint8Array> | string) =>
  new Request('http://localhost/x', { method: 'POST', body, duplex: 'half' } as RequestInit);

describe('readBody: the deadline', () => {
  it('is 10 s unless given', () => {
    expect(BODY_DEADLINE_MS).toBe(10_000);
  });

  it('throws BodyTimeout and cancels the reader when the body stalls', async () => {
    const { stream, state } = stalling();
    const started = Date.now();
    await expect(readBody(post(stream), MAX_BODY_BYTES, 150)).rejects.toBeInstanceOf(BodyTimeout);
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
    expect(state.cancelled).toBe(true);
  });

  it('reads a body whose chunks arrive slowly but within the deadline', async () => {
    const parts = ['{"a":', '1,', '"b":2}'];
    const stream = new ReadableStream<Uint8Array>({
      async pull(controller) {
        await new Promise((r) => setTimeout(r, 30));
        const part = parts.shift();
        if (part === undefined) controller.close();
        else controller.enqueue(new TextEncoder().encode(part));
      },
    });
    expect(await readBody(post(stream), MAX_BODY_BYTES, 1_000)).toBe('{"a":1,"b":2}');
  });
});

describe('readBody: a slow client of a real HTTP server', () => {
  let server: ServerType;
  let port: number;

  beforeAll(async () => {
    const app = new Hono().post('/echo', async (c) => {
      try {
        return c.text(await readBody(c.req.raw, MAX_BODY_BYTES, 300));
      } catch (err) {
        if (err instanceof BodyTimeout) return c.text('timeout', 408);
        throw err;
      }
    });
    await new Promise<void>((resolve) => {
      server = serve({ fetch: app.fetch, port: 0 }, () => resolve());
    });
    port = (server.address() as AddressInfo).port;
  });

  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  /** Sends `sent` and stalls; the status the server answers, and how long it took. */
  function stall(headers: Record<string, string>, sent: string): Promise<{ status: number; ms: number }> {
    const started = Date.now();
    return new Promise((resolve, reject) => {
      const req = httpRequest({ port, path: '/echo', method: 'POST', headers }, (res) => {
        res.resume();
        resolve({ status: res.statusCode ?? 0, ms: Date.now() - started });
        req.destroy();
      });
      req.on('error', reject);
      req.write(sent);
    });
  }

  it('answers 408 to a chunked body that stops arriving', async () => {
    const { status, ms } = await stall({ 'transfer-encoding': 'chunked' }, '{"msgId":');
    expect(status).toBe(408);
    expect(ms).toBeGreaterThanOrEqual(290);
    expect(ms).toBeLessThan(5_000);
  });

  it('answers 408 to a body shorter than its Content-Length', async () => {
    const { status } = await stall({ 'content-length': '100' }, '{"msgId":');
    expect(status).toBe(408);
  });
});

describe.each(DIALECTS)('a stalled body answers 408 on %s', (dialect) => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp(dialect, { now: NOW });
    await putOrg(t.db, { id: 'org1', name: '某市机关工委', timezone: 'Asia/Shanghai', digest_cron: null }, NOW);
    await putChannel(t.db, 'org1', 'dt1', { platform: 'dingtalk', appKey: 'k', appSecret: DT_SECRET, robotCode: 'r' }, NOW);
    await putChannel(t.db, 'org1', 'wb1', { platform: 'wecom-bot', token: 't', encodingAESKey: 'a'.repeat(43) }, NOW);
  });

  afterEach(() => {
    vi.useRealTimers();
  });

  afterAll(async () => {
    await t?.close();
  });

  it.each([
    ['the DingTalk webhook', 'POST', '/webhooks/dingtalk/dt1', signedHeaders(NOW)],
    ['the WeCom webhook', 'POST', '/webhooks/wecom/wb1', {}],
    ['the admin API', 'PUT', '/admin/orgs/org2', { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' }],
  ])('%s, after 10 s', async (_, method, path, headers) => {
    // Only the deadline's timer is faked: the wait is 10 s of fake time, not of the test's.
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const { stream, reading, state } = stalling();
    const answer = Promise.resolve(t.app.request(path, { method, headers, body: stream, duplex: 'half' } as RequestInit));
    await reading;
    vi.advanceTimersByTime(BODY_DEADLINE_MS - 1);
    await Promise.resolve();
    expect(state.cancelled).toBe(false);
    vi.advanceTimersByTime(1);
    const res = await answer;
    expect(res.status).toBe(408);
    expect(await res.json()).toHaveProperty('error');
    expect(state.cancelled).toBe(true);
  });
});
