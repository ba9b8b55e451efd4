import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { putAttendance } from '../../db/attendance.ts';
import { putBranchDepartments } from '../../db/branch-departments.ts';
import { putBranch } from '../../db/branches.ts';
import { putChannel } from '../../db/channels.ts';
import { insertMeeting } from '../../db/meetings.ts';
import { putOrg } from '../../db/orgs.ts';
import { insertReport } from '../../db/reports.ts';
import { fromLocal } from '../../src/domain/time.ts';
import { ADMIN_TOKEN } from '../helpers/app.ts';
import { signInLink } from '../helpers/console.ts';
import { DIALECTS, meetingRow, memberPutter } from '../helpers/db.ts';
import { DT_SECRET } from '../helpers/dingtalk.ts';
import { serveDingtalkDirectory } from '../helpers/fake-directory.ts';
import { type Served, serveWithBrowser } from './browser.ts';

// Every console page on a phone (390×844): no table cell and no link lies outside the screen,
// unless it sits in a box of its own that scrolls sideways. As IT (who sees every page) and as a
// secretary (whose pages offer her forms).

const TZ = 'Asia/Shanghai';
const at = (month: number, day: number, hour = 15) => fromLocal({ year: 2026, month, day, hour }, TZ);
const NOW = at(12, 1, 10);
const PHONE = { width: 390, height: 844 };

async function seed(s: Served) {
  const db = s.t.db;
  await putOrg(db, { id: 'o1', name: '某市直机关工委', timezone: TZ, digest_cron: null }, NOW);
  await putChannel(db, 'o1', 'dt1', { platform: 'dingtalk', appKey: 'k', appSecret: DT_SECRET, robotCode: 'r' }, NOW);
  await putBranch(db, 'o1', 'b1', '第一党支部', [{ channel_id: 'dt1', chat_id: 'cid-b1-group', webhook: null, secret: null }], NOW);
  await putBranch(db, 'o1', 'b2', '机关服务中心党支部', [], NOW);
  const member = memberPutter(db, 'o1', NOW);
  await member('sec', '张书记', { role: 'secretary' });
  for (let i = 1; i <= 4; i++)
    await member(`m${i}`, `党员${i}`, {
      party_group: '第一党小组',
      accounts: { dingtalk: `dt-long-account-${i}`, wecom: `wecom-long-${i}` },
    });
  // A directory whose preview lists a kind of each: long names and ids, a member gone, one in two branches.
  await db.transaction().execute(async (trx) => {
    await putBranchDepartments(trx, 'o1', 'b1', [{ channel: 'dt1', departmentId: '1001', includeSub: true }], NOW);
    await putBranchDepartments(trx, 'o1', 'b2', [{ channel: 'dt1', departmentId: '1002', includeSub: false }], NOW);
  });
  serveDingtalkDirectory(s.fake, {
    departments: [
      { id: '1', parentId: null },
      { id: '1001', parentId: '1' },
      { id: '1002', parentId: '1' },
      { id: '1003', parentId: '1001' },
    ],
    people: [
      { userId: 'dt-long-account-1', name: '党员1（通讯录中的姓名较长）', departments: ['1001'] },
      { userId: 'dt-long-account-2', name: '党员2', departments: ['1002'] },
      { userId: 'dt-long-account-3', name: '党员3', departments: ['1003', '1002'] },
      { userId: 'dt-a-very-long-directory-user-id-0001', name: '新来的同志欧阳某某', departments: ['1003'] },
    ],
  });
  const meetings = [
    ['AAA', 'assembly', 10, 20, '学习贯彻党的二十届四中全会精神专题研讨'],
    ['BBB', 'committee', 11, 10, '研究四季度工作'],
    ['CCC', 'lecture', 12, 8, '书记讲党课'],
  ] as const;
  for (const [code, type, month, day, topic] of meetings) {
    const meeting = meetingRow({
      org_id: 'o1',
      code,
      type,
      starts_at: at(month, day),
      topic,
      created_by: 'sec',
      location: '机关三楼会议室',
    });
    await insertMeeting(db, meeting);
    if (meeting.starts_at > NOW) continue;
    for (const id of ['sec', 'm1', 'm2']) {
      const row = { meeting_id: meeting.id, member_id: id, org_id: 'o1', status: 'present' as const, note: null, source: null };
      await putAttendance(db, { ...row, at: meeting.starts_at }, meeting.starts_at);
    }
  }
  for (let k = 0; k < 3; k++)
    await insertReport(db, {
      id: `r${k}`,
      org_id: 'o1',
      branch_id: 'b1',
      member_id: `m${k + 1}`,
      category: 'enterprise',
      text: '走访企业，协调解决用电难题，了解企业生产经营中遇到的困难并逐项登记',
      tags: ['research'],
      at: NOW - k * 86_400_000,
      source: null,
    });
}

/** What lies outside the screen and outside any box that scrolls sideways, as `tag「text」 left–right`. */
function clipped(page: Page): Promise<string[]> {
  // Run in the page (the tests are compiled without the DOM's types).
  return page.evaluate(`(() => {
    const width = document.documentElement.clientWidth;
    const scrolls = (el) => {
      for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
        const x = getComputedStyle(p).overflowX;
        if ((x === 'auto' || x === 'scroll') && p.scrollWidth > p.clientWidth) return true;
      }
      return false;
    };
    const out = [];
    for (const el of document.querySelectorAll('td, th, a, button, input, select')) {
      const r = el.getBoundingClientRect();
      if (r.width === 0 && r.height === 0) continue;
      if (r.left >= -0.5 && r.right <= width + 0.5) continue;
      if (scrolls(el)) continue;
      out.push(el.tagName.toLowerCase() + '「' + (el.textContent || el.getAttribute('name') || '').trim().slice(0, 20) + '」 ' + Math.round(r.left) + '–' + Math.round(r.right));
    }
    return out;
  })()`);
}

const b1 = '/console/orgs/o1/branches/b1';
const BRANCH_PAGES = [
  b1,
  `${b1}/meetings`,
  `${b1}/meetings/AAA`,
  `${b1}/members`,
  `${b1}/members/m1`,
  `${b1}/reports`,
  `${b1}/digest`,
  `${b1}/exports`,
];
const ORG_PAGES = [
  '/console/orgs',
  '/console/orgs/o1',
  '/console/orgs/o1/channels',
  '/console/orgs/o1/calendar',
  '/console/orgs/o1/audit',
  '/console/orgs/o1/directory',
  '/console/orgs/o1/directory/preview',
];
/** Pages of a branch that only an org admin or IT sees. */
const BRANCH_ADMIN_PAGES = [`${b1}/departments`, `${b1}/departments?channel=dt1&under=1001`];

describe.each(DIALECTS)('the console on a phone in chromium on %s', (dialect) => {
  let s: Served;
  beforeAll(async () => {
    s = await serveWithBrowser(dialect, NOW);
    await seed(s);
  });
  afterAll(async () => {
    await s?.close();
  });

  async function look(page: Page, paths: string[], who: string) {
    await page.setViewportSize(PHONE);
    const found: Record<string, string[]> = {};
    for (const path of paths) {
      expect((await page.goto(`${s.url}${path}`))?.status(), path).toBe(200);
      const out = await clipped(page);
      if (out.length) found[path] = out;
      await s.shot(page, `phone-${who}${path.replace(/^\/console/, '').replace(/[/?&=]/g, '-')}`);
    }
    expect(found).toEqual({});
  }

  it('IT’s pages: nothing clipped at 390 px', async () => {
    const page = await s.newPage();
    await page.goto(`${s.url}/console/login`);
    await page.fill('#token', ADMIN_TOKEN);
    await page.click('button:has-text("登录")');
    await page.waitForURL(/\/console\/orgs$/);
    await look(page, [...ORG_PAGES, ...BRANCH_PAGES, ...BRANCH_ADMIN_PAGES], 'it');
    // The digest's bold shows as bold, not as asterisks beside the Chinese.
    await page.goto(`${s.url}${b1}/digest`);
    expect(await page.locator('.digest strong', { hasText: '本周空白' }).count()).toBe(1);
    expect(await page.locator('.digest').textContent()).not.toContain('**');
  });

  it('a secretary’s pages: nothing clipped at 390 px', async () => {
    const page = await s.newPage();
    await page.goto(`${s.url}${(await signInLink(s.t, s.fake, 'dt-sec')).path}`);
    await page.waitForURL(/\/console\/orgs\/o1\/branches\/b1$/);
    await look(page, BRANCH_PAGES, 'sec');
    // The import's preview, which a form opens.
    await page.goto(`${s.url}${b1}/members`);
    const csv = '姓名,支部,角色,党小组,手机号\n新党员甲,第一党支部,党员,机关第一党小组,13800000000\n新党员乙,第九党支部,党员,,\n';
    await page.setInputFiles('input[type=file]', { name: 'members.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
    await page.click('button:has-text("检查")');
    await page.waitForSelector('table.import-rows');
    await s.shot(page, 'phone-sec-import-preview');
    expect(await clipped(page)).toEqual([]);
  });
});
