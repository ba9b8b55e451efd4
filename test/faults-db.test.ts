import { once } from 'node:events';
import { type Server, type Socket, createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDb } from '../db/connect.ts';
import { createQueues } from '../jobs/queues.ts';
import { createApp } from '../src/app.ts';
import { ManualClock } from '../src/core/clock.ts';
import { loadConfig } from '../src/core/config.ts';
import { createLogger } from '../src/core/logger.ts';
import { createRedis } from '../src/core/redis.ts';
import { ADMIN_TOKEN } from './helpers/app.ts';
import { dingtalkCallback, signedHeaders } from './helpers/dingtalk.ts';

// A database that accepts connections and never answers (a hung server, a dead link behind a
// proxy): every webhook and /healthz still answer within 1 s — 503, so that the platform retries.

describe('a hung database', () => {
  let hung: Server;
  const sockets: Socket[] = [];
  let app: ReturnType<typeof createApp>;
  let close: () => Promise<void>;

  beforeAll(async () => {
    hung = createServer((socket) => sockets.push(socket)).listen(0, '127.0.0.1');
    await once(hung, 'listening');
    const { port } = hung.address() as { port: number };
    const config = loadConfig({
      DATABASE_URL: `mysql://root@127.0.0.1:${port}/hung`,
      ADMIN_TOKEN,
      QUEUE_PREFIX: `tongxin-test-hung-${process.pid}`,
      LOG_LEVEL: 'silent',
    });
    const logger = createLogger(config.LOG_LEVEL);
    const db = createDb(config.DATABASE_URL);
    const redis = createRedis(config.REDIS_URL, logger);
    const queues = createQueues(config.REDIS_URL, config.QUEUE_PREFIX, logger);
    app = createApp({ config, db, redis, clock: new ManualClock(Date.now()), logger, queues });
    close = async () => {
      for (const socket of sockets) socket.destroy();
      hung.close();
      await Promise.allSettled([queues.close(), redis.quit(), db.destroy()]);
    };
  });
  afterAll(() => close());

  const timed = async (request: () => Promise<Response> | Response) => {
    const started = performance.now();
    const res = await request();
    return { status: res.status, ms: performance.now() - started };
  };

  it('answers every webhook 503 within 1 s, the channel lookup included', async () => {
    const dingtalk = await timed(() =>
      app.request('/webhooks/dingtalk/dt-unknown-to-cache', {
        method: 'POST',
        headers: signedHeaders(Date.now()),
        body: JSON.stringify(dingtalkCallback('签到')),
      }),
    );
    const wecom = await timed(() => app.request('/webhooks/wecom/wc1?msg_signature=a&timestamp=1&nonce=n', { method: 'POST', body: '{}' }));
    const check = await timed(() => app.request('/webhooks/wecom/wc1?msg_signature=a&timestamp=1&nonce=n&echostr=x'));
    for (const answer of [dingtalk, wecom, check]) {
      expect(answer.status).toBe(503);
      expect(answer.ms).toBeLessThan(1_000);
    }
  });

  it('answers /healthz within 1 s, naming the database as down', async () => {
    const started = performance.now();
    const res = await app.request('/healthz');
    expect(performance.now() - started).toBeLessThan(1_000);
    expect(res.status).toBe(503);
    expect(await res.json()).toEqual({ db: 'down', redis: 'ok' });
  });
});
