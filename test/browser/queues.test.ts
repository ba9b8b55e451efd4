import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { putBranch } from '../../db/branches.ts';
import { insertMeeting } from '../../db/meetings.ts';
import { putOrg } from '../../db/orgs.ts';
import { fromLocal } from '../../src/domain/time.ts';
import { ADMIN_TOKEN } from '../helpers/app.ts';
import { DIALECTS, meetingRow } from '../helpers/db.ts';
import { type Served, serveWithBrowser } from './browser.ts';

// The queue dashboard on the console's session, in a real chromium: IT's writes from bull-board's
// own UI reach the queues (its requests carry the CSRF token on their own), and no page the
// service serves breaks its Content-Security-Policy.

const TZ = 'Asia/Shanghai';
const NOW = fromLocal({ year: 2026, month: 12, day: 1, hour: 10 }, TZ);

async function seed(s: Served) {
  const db = s.t.db;
  await putOrg(db, { id: 'o1', name: '某市直机关工委', timezone: TZ, digest_cron: null }, NOW);
  await putBranch(db, 'o1', 'b1', '第一党支部', [], NOW);
  await insertMeeting(
    db,
    meetingRow({ org_id: 'o1', code: 'AAA', type: 'committee', starts_at: NOW - 86_400_000, topic: '研究四季度工作' }),
  );
}

/** A page that records every Content-Security-Policy violation of the documents it opens. */
async function watchedPage(s: Served): Promise<{ page: Page; violations: string[] }> {
  const page = await s.newPage();
  const violations: string[] = [];
  await page.exposeFunction('reportViolation', (text: string) => void violations.push(text));
  // Run in the page, before its own scripts (the tests are compiled without the DOM's types).
  await page.addInitScript({
    content: `document.addEventListener('securitypolicyviolation', (e) =>
      reportViolation(location.pathname + ': ' + e.effectiveDirective + ' ' + e.blockedURI));`,
  });
  return { page, violations };
}

/** The ⋮ of a queue's page, which opens its actions (pause, add a job, empty…). */
const queueActions = (page: Page) => page.locator('button:has(svg.lucide-ellipsis-vertical)');

describe.each(DIALECTS)('the queue dashboard in chromium on %s', (dialect) => {
  let s: Served;
  beforeAll(async () => {
    s = await serveWithBrowser(dialect, NOW);
    await seed(s);
  });
  afterAll(async () => {
    await s?.close();
  });

  it('IT pauses a queue from the dashboard; no page breaks its policy', async () => {
    const { page, violations } = await watchedPage(s);
    await page.goto(`${s.url}/console/login`);
    await page.fill('#token', ADMIN_TOKEN);
    await page.click('button:has-text("登录")');
    await page.waitForURL(/\/console\/orgs$/);
    const b1 = '/console/orgs/o1/branches/b1';
    const org = ['/console/orgs/o1', '/console/orgs/o1/channels', '/console/orgs/o1/calendar'];
    const branch = [b1, `${b1}/meetings`, `${b1}/meetings/AAA`, `${b1}/members`, `${b1}/reports`, `${b1}/digest`, `${b1}/exports`];
    for (const path of [...org, ...branch, '/guide']) {
      expect((await page.goto(`${s.url}${path}`))?.status(), path).toBe(200);
      await page.waitForLoadState('networkidle');
      // The branch's quarter is drawn as SVG charts, styled by attributes the policy lets through.
      if (path.endsWith('/b1')) expect(await page.locator('svg[aria-label]').count()).toBe(2);
    }

    await page.goto(`${s.url}/console/queues/queue/digests`);
    await queueActions(page).click({ timeout: 15_000 });
    await page.click('[role=menuitem]:has-text("暂停")');
    const [paused] = await Promise.all([
      page.waitForResponse((r) => r.url().endsWith('/console/queues/api/queues/digests/pause') && r.request().method() === 'PUT'),
      page.click('[role=alertdialog] button:has-text("确认"), [role=dialog] button:has-text("确认")'),
    ]);
    expect(paused.status()).toBe(200);
    expect(await s.t.queues.digests.isPaused()).toBe(true);
    await s.shot(page, 'queue-paused');
    await s.t.queues.digests.resume();
    expect(violations).toEqual([]);
  });

  it('the dashboard’s menu leads back to the console', async () => {
    const page = await s.newPage();
    await page.goto(`${s.url}/console/login`);
    await page.fill('#token', ADMIN_TOKEN);
    await page.click('button:has-text("登录")');
    await page.waitForURL(/\/console\/orgs$/);
    await page.goto(`${s.url}/console/queues`);
    await page.locator('header li:last-child button').click({ timeout: 15_000 });
    await page.click('[role=menuitem]:has-text("返回控制台")');
    await page.waitForURL(/\/console\/orgs$/);
    expect(await page.locator('h1').textContent()).toBe('单位');
  });
});
