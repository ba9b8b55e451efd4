import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { ServerType } from '@hono/node-server';
import { type Browser, type Page, chromium } from 'playwright-core';
import { startWorkers } from '../../jobs/workers.ts';
import { serveHttp } from '../../src/core/http-server.ts';
import type { TestDialect } from '../helpers/db.ts';
import { type TestApp, startTestApp } from '../helpers/app.ts';
import { type FakePlatform, startFakePlatform } from '../helpers/fake-platform.ts';
import { freePort } from '../helpers/private-redis.ts';

// The service on a port of its own with PUBLIC_URL pointing at it, its workers sending to a
// platform that records what it is sent (where a sign-in link arrives), and Debian's chromium
// (never a downloaded browser) to drive it. Every request the pages make is recorded, and screenshots go to
// .ci/screenshots/ to be looked at.

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const SHOTS = join(import.meta.dirname, '..', '..', '.ci', 'screenshots');

// As root in a container chromium needs --no-sandbox; the rest keep it from calling out at start.
const ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export interface Served {
  t: TestApp;
  fake: FakePlatform;
  url: string;
  browser: Browser;
  /** Every URL a page of this run asked for. */
  requested: string[];
  newPage(): Promise<Page>;
  shot(page: Page, name: string): Promise<void>;
  close(): Promise<void>;
}

export async function serveWithBrowser(dialect: TestDialect, now: number): Promise<Served> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const fake = await startFakePlatform();
  const api = { DINGTALK_OAPI_BASE: fake.url, DINGTALK_API_BASE: fake.url, WECOM_API_BASE: fake.url };
  const t = await startTestApp(dialect, { now, env: { PUBLIC_URL: url, ...api } });
  const workers = await startWorkers({ ...t });
  const server: ServerType = serveHttp(t.app.fetch, { port, hostname: '127.0.0.1' });
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
  const requested: string[] = [];
  mkdirSync(SHOTS, { recursive: true });
  return {
    t,
    fake,
    url,
    browser,
    requested,
    async newPage() {
      const context = await browser.newContext({ viewport: { width: 1280, height: 860 }, locale: 'zh-CN', acceptDownloads: true });
      const page = await context.newPage();
      page.on('request', (r) => requested.push(r.url()));
      return page;
    },
    async shot(page, name) {
      await page.screenshot({ path: join(SHOTS, `${name}-${dialect}.png`), fullPage: true });
    },
    async close() {
      await browser.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await workers.close();
      await t.close();
      await fake.close();
    },
  };
}
