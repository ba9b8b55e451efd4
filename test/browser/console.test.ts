import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { putAttendance } from '../../db/attendance.ts';
import { putBranch } from '../../db/branches.ts';
import { putChannel } from '../../db/channels.ts';
import { insertMeeting } from '../../db/meetings.ts';
import { putOrg } from '../../db/orgs.ts';
import { insertReport } from '../../db/reports.ts';
import { fromLocal } from '../../src/domain/time.ts';
import { viaDingtalk } from '../helpers/chat.ts';
import { signInLink } from '../helpers/console.ts';
import { DIALECTS, meetingRow, memberPutter } from '../helpers/db.ts';
import { DT_SECRET } from '../helpers/dingtalk.ts';
import { type Served, serveWithBrowser } from './browser.ts';

// The console in a real chromium: a secretary's sign-in link arrives in a private DingTalk message,
// opens her branch, and cannot be used twice; the org's pages, other branches and org admins'
// records are out of her reach, and her forms offer nothing she may not do; a member gets no link;
// an org admin sees the org's branches. Every request the pages make goes to the service itself.

const TZ = 'Asia/Shanghai';
const at = (month: number, day: number, hour = 15) => fromLocal({ year: 2026, month, day, hour }, TZ);
const NOW = at(12, 1, 10);

async function seed(s: Served) {
  const db = s.t.db;
  await putOrg(db, { id: 'o1', name: '某市直机关工委', timezone: TZ, digest_cron: null }, NOW);
  await putChannel(db, 'o1', 'dt1', { platform: 'dingtalk', appKey: 'k', appSecret: DT_SECRET, robotCode: 'r' }, NOW);
  await putBranch(db, 'o1', 'b1', '第一党支部', [{ channel_id: 'dt1', chat_id: 'cid-b1-group', webhook: null, secret: null }], NOW);
  await putBranch(db, 'o1', 'b2', '机关服务中心党支部', [], NOW);
  const member = memberPutter(db, 'o1', NOW);
  await member('sec', '张书记', { role: 'secretary' });
  await member('adm', '李干事', { org_admin: true, branch_id: 'b2' });
  await member('boss', '王主任', { org_admin: true });
  await member('m9', '外支部党员', { branch_id: 'b2' });
  for (let i = 1; i <= 6; i++) await member(`m${i}`, `党员${i}`);
  const meetings = [
    ['AAA', 'assembly', 10, 20, '学习贯彻全会精神', ['research']],
    ['BBB', 'committee', 10, 10, '研究四季度工作', ['deploy']],
    ['CCC', 'committee', 11, 12, '部署年终考核', ['assess', 'deploy']],
    ['DDD', 'lecture', 11, 25, '书记讲党课', ['review']],
    ['EEE', 'committee', 12, 8, '研究明年工作计划', []],
  ] as const;
  for (const [code, type, month, day, topic, tags] of meetings) {
    const meeting = meetingRow({ org_id: 'o1', code, type, starts_at: at(month, day), topic, tags: [...tags], created_by: 'sec' });
    await insertMeeting(db, meeting);
    if (meeting.starts_at > NOW) continue;
    for (const id of ['sec', 'm1', 'm2', 'm3', 'm4']) {
      const row = { meeting_id: meeting.id, member_id: id, org_id: 'o1', status: 'present' as const, note: null, source: null };
      await putAttendance(db, { ...row, at: meeting.starts_at }, meeting.starts_at);
    }
  }
  const tags = ['research', 'deploy', 'check', 'assess', 'review'];
  for (let week = 0; week < 8; week++) {
    for (let k = 0; k <= week % 3; k++) {
      await insertReport(db, {
        id: `r${week}-${k}`,
        org_id: 'o1',
        branch_id: 'b1',
        member_id: `m${k + 1}`,
        category: 'enterprise',
        text: '走访企业，协调解决用电难题',
        tags: [tags[(week + k) % 5]!],
        at: NOW - week * 7 * 86_400_000 - 3_600_000,
        source: null,
      });
    }
  }
}

/** The sign-in link 控制台 sends `staffId` privately, as a full URL. */
const linkFor = async (s: Served, staffId: string) => `${s.url}${(await signInLink(s.t, s.fake, staffId)).path}`;

describe.each(DIALECTS)('the console in chromium on %s', (dialect) => {
  let s: Served;
  beforeAll(async () => {
    s = await serveWithBrowser(dialect, NOW);
    await seed(s);
  });
  afterAll(async () => {
    await s?.close();
  });

  it('a secretary opens the link from DingTalk and sees her branch; the link does not work twice', async () => {
    const link = await linkFor(s, 'dt-sec');
    const page = await s.newPage();
    await page.goto(link);
    await page.waitForURL(/\/console\/orgs\/o1\/branches\/b1$/);
    await expectText(page.locator('h1'), '第一党支部 · 2026年第四季度');
    expect(await page.locator('svg[aria-label="2026年第四季度三会一课完成情况"]').count()).toBe(1);
    expect(await page.locator('svg[aria-label="近八周五同覆盖"]').count()).toBe(1);
    expect(await page.locator('text=研究明年工作计划').count()).toBe(1);
    // Another branch's address shows nothing of it.
    const other = await page.goto(`${s.url}/console/orgs/o1/branches/b2`);
    expect(other?.status()).toBe(404);
    await page.goto(`${s.url}/console/orgs/o1/branches/b1`);
    await s.shot(page, 'branch');

    // A 会议记录, ready to print.
    await page.click('nav.tabs a:has-text("会议")');
    await page.waitForURL(/\/meetings$/);
    await s.shot(page, 'meetings');
    await page.click('tr:has-text("AAA") a:has-text("会议记录")');
    await page.waitForURL(/\/meetings\/AAA$/);
    await expectText(page.locator('.record-title'), '支部党员大会记录');
    expect(await page.locator('.record-table').textContent()).toContain('学习贯彻全会精神');
    await s.shot(page, 'record');
    await page.emulateMedia({ media: 'print' });
    expect(await page.locator('header.top').isVisible()).toBe(false);
    await s.shot(page, 'record-print');
    await page.emulateMedia({ media: 'screen' });

    // A member's name fixed.
    await page.click('nav.tabs a:has-text("党员")');
    await page.click('tr:has-text("党员1") a:has-text("修改")');
    await page.fill('#name', '王党员');
    await s.shot(page, 'member-edit');
    await page.click('button:has-text("保存")');
    await page.waitForURL(/\/members\?saved=/);
    await expectText(page.locator('.ok'), '已保存：王党员');
    expect(await page.locator('td:has-text("王党员")').count()).toBe(1);

    // A CSV with one bad row: the error is shown before anything is written.
    const csv = '姓名,支部,角色,党小组\n新党员甲,第一党支部,党员,第一党小组\n新党员乙,第一党支部,书记员,\n';
    await page.setInputFiles('input[type=file]', { name: 'members.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
    await page.click('button:has-text("检查")');
    await page.waitForSelector('.import-errors');
    await expectText(page.locator('.import-errors'), '第 3 行（新党员乙） · 角色：应为 书记、委员 或 党员');
    await expectText(page.locator('table.import-rows'), '新党员甲');
    expect(await s.t.db.selectFrom('members').select('id').where('name', '=', '新党员甲').execute()).toEqual([]);
    await s.shot(page, 'import-preview');
    await page.click('button:has-text("确认导入 1 人")');
    await expectText(page.locator('.ok'), '已导入 1 人，1 行未导入。');
    expect(await s.t.db.selectFrom('members').select('party_group').where('name', '=', '新党员甲').execute()).toEqual([
      { party_group: '第一党小组' },
    ]);

    // The quarter's ledger, downloaded.
    await page.goto(`${s.url}/console/orgs/o1/branches/b1/exports`);
    await s.shot(page, 'exports');
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('a:has-text("2026年第四季度三会一课台账")')]);
    expect(download.suggestedFilename()).toBe('第一党支部2026年第四季度三会一课台账.xlsx');
    const book = new ExcelJS.Workbook();
    await book.xlsx.readFile((await download.path())!);
    expect(String(book.getWorksheet('会议')!.getCell('A1').value)).toContain('第一党支部');

    for (const [tab, shot] of [
      ['四服务汇报', 'reports'],
      ['五同周报', 'digest'],
    ] as const) {
      await page.click(`nav.tabs a:has-text("${tab}")`);
      await page.waitForLoadState();
      await s.shot(page, shot);
    }

    const again = await s.newPage();
    await again.goto(link);
    await again.waitForSelector('.error');
    await expectText(again.locator('.error'), '登录链接已失效');
    expect(again.url()).toBe(`${s.url}/console/login`);
    await s.shot(again, 'link-spent');
  });

  it('a secretary reaches neither the org’s pages, nor other branches, nor an org admin’s record; her forms offer only what she may do', async () => {
    const page = await s.newPage();
    await page.goto(await linkFor(s, 'dt-sec'));
    await page.waitForURL(/\/console\/orgs\/o1\/branches\/b1$/);
    expect(await page.locator('nav.tabs a:has-text("各支部")').count()).toBe(0);
    for (const path of [
      '/console/orgs/o1',
      '/console/orgs/o1/channels',
      '/console/orgs/o1/calendar',
      '/console/orgs/o1/audit',
      '/console/orgs/o1/directory',
      '/console/orgs/o1/branches/b1/departments',
      '/console/queues',
      '/console/orgs/o1/branches/b2/members',
      '/console/orgs/o1/branches/b2/members/m9',
      '/console/orgs/o1/branches/b1/members/boss',
    ]) {
      expect((await page.goto(`${s.url}${path}`))?.status(), path).toBe(404);
    }
    await page.goto(`${s.url}/console/orgs/o1/branches/b1/members`);
    // An org admin of her branch is listed, and cannot be opened for editing.
    expect(await page.locator('tr:has-text("王主任")').count()).toBe(1);
    expect(await page.locator('tr:has-text("王主任") a:has-text("修改")').count()).toBe(0);
    await page.click('tr:has-text("党员2") a:has-text("修改")');
    await page.waitForURL(/\/members\/m2$/);
    expect(await page.locator('#role option').evaluateAll((options) => options.map((o) => o.getAttribute('value')))).toEqual([
      'committee',
      'member',
    ]);
    expect(await page.locator('#branch').count()).toBe(0);
    expect(await page.locator('#dingtalkUserId, #wecomUserId').count()).toBe(0);
    expect(await page.locator('input[name="orgAdmin"]').count()).toBe(0);
    expect(await page.locator('text=由机关党委管理员设置').count()).toBeGreaterThan(0);
    expect(await page.locator('button:has-text("登记离开")').count()).toBe(1);
    await s.shot(page, 'member-edit-secretary');
    // Her own record: her name, not her role nor her leaving.
    await page.goto(`${s.url}/console/orgs/o1/branches/b1/members/sec`);
    expect(await page.locator('#role').count()).toBe(0);
    expect(await page.locator('#name').count()).toBe(1);
    expect(await page.locator('button:has-text("登记离开")').count()).toBe(0);
  });

  it('a member’s 控制台 gets no link', async () => {
    const reply = await viaDingtalk(s.t, 'dt1', 'dt-m1', '控制台', { direct: true });
    expect(reply).toContain('只有支部书记可以使用这条命令');
    expect(reply).not.toContain('/console/login');
  });

  it('an org admin sees the two branches of the org, by name', async () => {
    const page = await s.newPage();
    await page.goto(await linkFor(s, 'dt-adm'));
    await page.waitForURL(/\/console\/orgs\/o1$/);
    const names = await page.locator('table tr td:first-child a').allTextContents();
    expect(names).toEqual(['机关服务中心党支部', '第一党支部']);
    await s.shot(page, 'org');
    for (const [tab, shot] of [
      ['渠道', 'channels'],
      ['节假日', 'calendar'],
      ['操作记录', 'audit'],
    ] as const) {
      await page.click(`nav.tabs a:has-text("${tab}")`);
      await page.waitForLoadState();
      await s.shot(page, shot);
    }
    // Each bound group, with how pushes reach it: this one through the DingTalk app robot.
    await page.goto(`${s.url}/console/orgs/o1/channels`);
    expect(await page.locator('tr:has(code:text-is("cid-b1-group")) td').allTextContents()).toEqual([
      '第一党支部',
      'cid-b1-group',
      '应用机器人',
    ]);
    // The queue dashboard opens on the console session, with nothing fetched from elsewhere.
    await page.click('nav.tabs a:has-text("队列")');
    await page.waitForURL(/\/console\/queues/);
    await page.waitForSelector('text=outbound', { timeout: 15_000 });
    await s.shot(page, 'queues');
    await page.goto(`${s.url}/console/orgs/o1`);
    await page.click('text=第一党支部');
    await page.waitForURL(/branches\/b1$/);
    await page.click('header button:has-text("退出")');
    await page.waitForURL(/\/console\/login$/);
    await s.shot(page, 'login');
  });

  it('asked nothing of any other host', () => {
    expect(s.requested.length).toBeGreaterThan(5);
    expect(s.requested.filter((u) => !u.startsWith(`${s.url}/`))).toEqual([]);
  });
});

async function expectText(locator: import('playwright-core').Locator, text: string) {
  expect(await locator.first().textContent()).toContain(text);
}
