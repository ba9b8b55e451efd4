import type { Locator } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { putBranch } from '../../db/branches.ts';
import { putChannel } from '../../db/channels.ts';
import { getMember } from '../../db/members.ts';
import { putOrg } from '../../db/orgs.ts';
import { fromLocal } from '../../src/domain/time.ts';
import { signInLink } from '../helpers/console.ts';
import { DIALECTS, memberPutter } from '../helpers/db.ts';
import { DT_SECRET } from '../helpers/dingtalk.ts';
import { type FakeDirectory, serveDingtalkDirectory } from '../helpers/fake-directory.ts';
import { type Served, serveWithBrowser } from './browser.ts';

// The roster from the directory in a real chromium: an org admin signs in from DingTalk, picks each
// branch's departments from the platform's tree, previews the fake DingTalk directory (the counts
// in Chinese, a hostile name shown as text), ticks the box an empty department asks for, applies,
// and finds the roster changed.

const TZ = 'Asia/Shanghai';
const NOW = fromLocal({ year: 2026, month: 12, day: 1, hour: 10 }, TZ);
const HOSTILE_NAME = '<img src=x onerror=alert(1)>新同志';

/** Top 1; 10 (11 under it), 20 and 30 (nobody in it) under it. */
const directory: FakeDirectory = {
  departments: [
    { id: '1', parentId: null },
    { id: '10', parentId: '1' },
    { id: '11', parentId: '10' },
    { id: '20', parentId: '1' },
    { id: '30', parentId: '1' },
  ],
  people: [
    { userId: 'dt-adm', name: '李干事', departments: ['10'] },
    { userId: 'dt-m1', name: '王小一', departments: ['10'] },
    { userId: 'dt-new1', name: '陈新', departments: ['11'] },
    { userId: 'dt-new2', name: HOSTILE_NAME, departments: ['20'] },
    { userId: 'dt-m2', name: '赵二', departments: ['20'] },
    { userId: 'dt-both', name: '两边都在', departments: ['11', '20'] },
  ],
};

async function seed(s: Served) {
  const db = s.t.db;
  await putOrg(db, { id: 'o1', name: '某市直机关工委', timezone: TZ, digest_cron: null }, NOW);
  await putChannel(db, 'o1', 'dt1', { platform: 'dingtalk', appKey: 'k', appSecret: DT_SECRET, robotCode: 'r' }, NOW);
  await putBranch(db, 'o1', 'b1', '第一党支部', [], NOW);
  await putBranch(db, 'o1', 'b2', '机关服务中心党支部', [], NOW);
  const member = memberPutter(db, 'o1', NOW);
  await member('adm', '李干事', { org_admin: true });
  await member('m1', '王一');
  await member('m2', '赵二', { branch_id: 'b1' });
  await member('m3', '孙三', { role: 'committee' });
  serveDingtalkDirectory(s.fake, directory);
}

const text = async (locator: Locator) => (await locator.first().textContent()) ?? '';

describe.each(DIALECTS)('the directory in chromium on %s', (dialect) => {
  let s: Served;
  beforeAll(async () => {
    s = await serveWithBrowser(dialect, NOW);
    await seed(s);
  });
  afterAll(async () => {
    await s?.close();
  });

  it('an org admin maps departments from the tree, previews the directory in Chinese and applies it', async () => {
    const page = await s.newPage();
    await page.goto(`${s.url}${(await signInLink(s.t, s.fake, 'dt-adm')).path}`);
    await page.waitForURL(/\/console\/orgs\/o1$/);

    // 第一党支部: 10 with those under it, picked from the top of the tree.
    await page.click('text=第一党支部');
    await page.click('nav.tabs a:has-text("通讯录部门")');
    await page.waitForURL(/\/branches\/b1\/departments$/);
    await page.click('tr:has-text("部门10") button:has-text("添加")');
    expect(await text(page.locator('.ok'))).toBe('已保存：渠道 dt1 的部门 10（含下级部门）。');
    // Under 10: 11 is covered already by the branch's own mapping, and may be browsed.
    await page.click('tr:has-text("部门10") a:has-text("下级部门")');
    await page.waitForURL(/under=10$/);
    expect(await page.locator('td:text-is("部门11")').count()).toBe(1);
    await s.shot(page, 'directory-departments');

    // The service centre's branch: 20, and 30, where nobody is listed.
    await page.goto(`${s.url}/console/orgs/o1/branches/b2/departments`);
    expect(await text(page.locator('tr:has-text("部门10")'))).toContain('已对应「第一党支部」');
    for (const id of ['20', '30']) {
      await page.uncheck(`tr:has-text("部门${id}") input[name="includeSub"]`);
      await page.click(`tr:has-text("部门${id}") button:has-text("添加")`);
      await page.waitForSelector('.ok');
    }
    expect(await page.locator('table tr:has(button:has-text("移除"))').count()).toBe(2);

    await page.goto(`${s.url}/console/orgs/o1`);
    await page.click('nav.tabs a:has-text("通讯录同步")');
    await page.waitForURL(/\/directory$/);
    await page.click('a:has-text("读取通讯录并预览")');
    await page.waitForURL(/\/directory\/preview$/);
    const counts: Record<string, string> = {};
    for (const tile of await page.locator('.count').all()) counts[await text(tile.locator('span'))] = await text(tile.locator('strong'));
    expect(counts).toEqual({
      新成员: '2',
      改名: '1',
      调整支部: '1',
      已不在部门: '1',
      冲突: '1',
      未显示姓名: '0',
      重新出现: '0',
      空部门: '1',
    });
    expect(await text(page.locator('.summary'))).toBe(
      '确认后将写入：新成员 2 人，改名 1 人，调整支部 1 人，标记离开 1 人。冲突 1 人只列出，不处理。',
    );
    // The hostile name is text on the page, not an element.
    expect(await page.locator('#newMembers td', { hasText: HOSTILE_NAME }).count()).toBe(1);
    expect(await page.locator('img').count()).toBe(0);
    expect(await text(page.locator('#moved tr:has-text("赵二")'))).toContain('机关服务中心党支部');
    expect(await page.locator('input[name="confirmEmpty"]').getAttribute('required')).not.toBeNull();
    await s.shot(page, 'directory-preview');

    await page.check('input[name="confirmEmpty"]');
    await page.click('button:has-text("按此预览更新名单")');
    await page.waitForSelector('.ok');
    expect(await text(page.locator('.ok'))).toBe(
      '已按通讯录更新名单：新成员 2 人，改名 1 人，调整支部 1 人，标记离开 1 人。冲突 1 人未处理，请核实后在党员页调整。',
    );
    await s.shot(page, 'directory-applied');

    expect(await getMember(s.t.db, 'o1', 'dt-new2')).toMatchObject({ name: HOSTILE_NAME, branch_id: 'b2', role: 'member' });
    expect(await getMember(s.t.db, 'o1', 'm1')).toMatchObject({ name: '王小一' });
    expect(await getMember(s.t.db, 'o1', 'm2')).toMatchObject({ branch_id: 'b2' });
    expect(await getMember(s.t.db, 'o1', 'm3')).toMatchObject({ status: 'left', role: 'committee' });
    await page.goto(`${s.url}/console/orgs/o1/branches/b1/members`);
    expect(await page.locator('td:text-is("陈新")').count()).toBe(1);
    expect(await text(page.locator('tr:has-text("孙三")'))).toContain('已离开');

    // Previewed again: nothing left to write, the conflict still listed.
    await page.goto(`${s.url}/console/orgs/o1/directory/preview`);
    expect(await text(page.locator('.count:has-text("冲突") strong'))).toBe('1');
    expect(await page.locator('text=通讯录与名单一致，没有需要更新的内容。').count()).toBe(1);
  });

  it('asked nothing of any other host', () => {
    expect(s.requested.filter((u) => !u.startsWith(`${s.url}/`))).toEqual([]);
  });
});
