import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_TOKEN, type TestApp, startTestApp } from './helpers/app.ts';

// The queue dashboard (issue: "@bull-board/hono at /admin/queues behind the admin token").

describe('queue dashboard', () => {
  let t: TestApp;
  let bare: TestApp;
  const get = (app: TestApp, path: string, token?: string) =>
    Promise.resolve(app.app.request(path, token ? { headers: { authorization: `Bearer ${token}` } } : {}));

  beforeAll(async () => {
    t = await startTestApp('sqlite');
    bare = await startTestApp('sqlite', { env: { ADMIN_TOKEN: '' } });
  });
  afterAll(async () => {
    await t.close();
    await bare.close();
  });

  it('answers 401 without the token or with a wrong one', async () => {
    for (const path of ['/admin/queues', '/admin/queues/', '/admin/queues/api/queues']) {
      const res = await get(t, path);
      expect(res.status, path).toBe(401);
      expect(res.headers.get('www-authenticate')).toBe('Bearer');
    }
    expect((await get(t, '/admin/queues', 'wrong-token-0123456789')).status).toBe(401);
  });

  it('serves the dashboard page, its API and its static files with the token', async () => {
    const page = await get(t, '/admin/queues', ADMIN_TOKEN);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    const html = await page.text();
    // The page's assets are relative to <base href="/admin/queues/">.
    expect(html).toContain('<base href="/admin/queues/"');

    const api = await get(t, '/admin/queues/api/queues', ADMIN_TOKEN);
    expect(api.status).toBe(200);
    const body = (await api.json()) as { queues: { name: string }[] };
    expect(body.queues.map((q) => q.name).sort()).toEqual(['digests', 'directory', 'outbound', 'reminders']);

    const src = /src="(static\/js\/main\.[^"]+\.js)"/.exec(html)?.[1];
    expect(src).toBeDefined();
    const file = await get(t, `/admin/queues/${src}`, ADMIN_TOKEN);
    expect(file.status).toBe(200);
    expect(file.headers.get('content-type')).toMatch(/javascript/);
    expect((await get(t, `/admin/queues/${src}`)).status).toBe(401);
  });

  it('does not exist (404) when ADMIN_TOKEN is unset', async () => {
    expect(bare.config.ADMIN_TOKEN).toBeUndefined();
    expect((await get(bare, '/admin/queues')).status).toBe(404);
    expect((await get(bare, '/admin/queues', ADMIN_TOKEN)).status).toBe(404);
    expect((await get(bare, '/admin/queues/api/queues', ADMIN_TOKEN)).status).toBe(404);
  });
});
