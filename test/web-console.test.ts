import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { putBranch } from '../db/branches.ts';
import { putChannel } from '../db/channels.ts';
import { insertMeeting } from '../db/meetings.ts';
import { getMember, leaveMember, putMember } from '../db/members.ts';
import { insertReport } from '../db/reports.ts';
import { putOrg } from '../db/orgs.ts';
import { fromLocal } from '../src/domain/time.ts';
import { ADMIN_TOKEN, type TestApp, startTestApp } from './helpers/app.ts';
import { viaDingtalk } from './helpers/chat.ts';
import { DIALECTS, countOf, meetingRow, memberPutter, memberRow } from './helpers/db.ts';
import { DT_SECRET } from './helpers/dingtalk.ts';
import type { FakePlatform } from './helpers/fake-platform.ts';
import { PUBLIC_URL, browser, csrfOf, signIn, signInLink, startConsole as startRig } from './helpers/console.ts';

// The console's sign-in and first pages, over HTTP: 控制台 one-to-one gives a link that
// works once, for 10 minutes; the session cookie; what each role sees; CSRF and Origin on writes;
// IT's token sign-in, slowed and locked out after failures.

const TZ = 'Asia/Shanghai';
const NOW = fromLocal({ year: 2026, month: 12, day: 1, hour: 10 }, TZ);
const HOSTILE = '<script>alert(1)</script>支部';

async function seed(t: TestApp) {
  const db = t.db;
  await putOrg(db, { id: 'o1', name: '某市直机关工委', timezone: TZ, digest_cron: null }, NOW);
  await putOrg(db, { id: 'o2', name: '另一机关', timezone: TZ, digest_cron: null }, NOW);
  await putChannel(db, 'o1', 'dt1', { platform: 'dingtalk', appKey: 'k', appSecret: DT_SECRET, robotCode: 'r' }, NOW);
  await putBranch(db, 'o1', 'b1', '第一党支部', [], NOW);
  await putBranch(db, 'o1', 'b2', HOSTILE, [], NOW);
  await putBranch(db, 'o2', 'b1', '外单位支部', [], NOW);
  const m = memberPutter(db, 'o1', NOW);
  await m('sec', '张书记', { role: 'secretary' });
  await m('m1', '王一');
  await m('adm', '机关党委李干事', { org_admin: true });
  await m('sec2', '赵书记', { role: 'secretary', branch_id: 'b2' });
  await m('gone', '钱书记', { role: 'secretary' });
  await insertMeeting(
    db,
    meetingRow({ org_id: 'o1', code: 'K7Q', type: 'committee', starts_at: NOW + 2 * 86_400_000, topic: '研究<b>年度</b>工作' }),
  );
}

const startConsole = (dialect: (typeof DIALECTS)[number]) => startRig(dialect, NOW, seed);

describe.each(DIALECTS)('the console on %s', (dialect) => {
  let t: TestApp;
  let fake: FakePlatform;
  let close: () => Promise<void>;
  beforeAll(async () => {
    ({ t, fake, close } = await startConsole(dialect));
  });
  afterAll(() => close?.());

  it('控制台 one-to-one sends a secretary a link privately, never in the reply; in a group, to a member, it sends none', async () => {
    const link = await signInLink(t, fake, 'dt-sec');
    expect(link.reply).toBe('登录链接将单独私信发给你，10 分钟内有效，只能使用一次。');
    expect(link.text).toContain('控制台登录链接，请在 10 分钟内打开，只能使用一次');
    expect((link.message.body as { userIds: string[] }).userIds).toEqual(['dt-sec']);
    expect(await viaDingtalk(t, 'dt1', 'dt-sec', '控制台')).toContain('「控制台」只在私聊中回复');
    const member = await viaDingtalk(t, 'dt1', 'dt-m1', '控制台', { direct: true });
    expect(member).toContain('只有支部书记可以使用这条命令');
    expect(member).not.toContain('/console/login');
    // Only hashes are stored; the stored reply and the queued message hold no link.
    const rows = await t.db.selectFrom('one_time_links').selectAll().where('purpose', '=', 'login').execute();
    expect(JSON.stringify(rows)).not.toContain(link.token);
    const stored = JSON.stringify(await t.db.selectFrom('inbound_events').select('reply').execute());
    expect(stored).toContain('登录链接将单独私信发给你');
    expect(stored).not.toContain('/console/login');
    expect(JSON.stringify(await t.db.selectFrom('deliveries').selectAll().execute())).not.toContain(link.token);
  });

  it('opening the link shows a page that signs in by posting it; the link works once', async () => {
    const b = browser(t);
    const { path, token } = await signInLink(t, fake, 'dt-sec');
    // A link preview's GET spends nothing.
    for (let i = 0; i < 2; i++) {
      const opened = await b.request(path);
      expect(opened.status).toBe(200);
      const body = await opened.text();
      expect(body).toContain(`<input type="hidden" name="t" value="${token}" />`);
      expect(body).toContain('<script src="/console/assets/enter.js"></script>');
    }
    const res = await b.post('/console/login', { t: token });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/console');
    const cookie = res.headers.get('set-cookie')!;
    expect(cookie).toMatch(/^tongxin_console=[\w-]{32};/);
    for (const flag of ['HttpOnly', 'SameSite=Strict', 'Secure', 'Path=/console', 'Max-Age=28800']) expect(cookie).toContain(flag);

    const again = await browser(t).post('/console/login', { t: token });
    expect(again.status).toBe(410);
    expect(await again.text()).toContain('登录链接已失效');
  });

  it('a link past its 10 minutes, or of a member who has left since, signs nobody in', async () => {
    const late = await signInLink(t, fake, 'dt-sec');
    t.clock.set(NOW + 10 * 60_000 + 1);
    expect((await browser(t).post('/console/login', { t: late.token })).status).toBe(410);
    t.clock.set(NOW);
    const left = await signInLink(t, fake, 'dt-gone');
    await leaveMember(t.db, 'o1', 'gone', NOW, '调离', NOW);
    expect((await browser(t).post('/console/login', { t: left.token })).status).toBe(410);
  });

  it('a secretary lands on her branch, sees its quarter, and no other branch or org', async () => {
    const b = await signIn(t, fake, 'dt-sec');
    const home = await b.request('/console');
    expect(home.status).toBe(303);
    expect(home.headers.get('location')).toBe('/console/orgs/o1/branches/b1');
    const res = await b.request('/console/orgs/o1/branches/b1');
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.headers.get('x-frame-options')).toBe('DENY');
    const body = await res.text();
    expect(body).toContain('第一党支部 · 2026年第四季度');
    expect(body).toContain('三会一课完成情况');
    expect(body).toContain('<svg');
    expect(body).toContain('研究&lt;b&gt;年度&lt;/b&gt;工作');
    expect(body).not.toContain('<b>年度</b>');
    expect(body).not.toMatch(/https?:\/\/(?!www\.w3\.org)/);
    for (const path of ['/console/orgs/o1/branches/b2', '/console/orgs/o2/branches/b1', '/console/orgs/o1', '/console/orgs']) {
      expect((await b.request(path)).status, path).toBe(404);
    }
  });

  it('an org admin sees every branch of her org, by name, each name escaped', async () => {
    const b = await signIn(t, fake, 'dt-adm');
    expect((await b.request('/console')).headers.get('location')).toBe('/console/orgs/o1');
    const body = await (await b.request('/console/orgs/o1')).text();
    expect(body).toContain('&lt;script&gt;alert(1)&lt;/script&gt;支部');
    expect(body).not.toContain('<script>alert(1)</script>');
    const first = body.indexOf('第一党支部');
    const other = body.indexOf('&lt;script&gt;');
    expect(first).toBeGreaterThan(0);
    // Sorted by name in code points: '<' (U+003C) before '第'.
    expect(other).toBeLessThan(first);
    expect((await b.request('/console/orgs/o1/branches/b2')).status).toBe(200);
    expect((await b.request('/console/orgs/o2/branches/b1')).status).toBe(404);
  });

  it('sign-out needs the session’s CSRF token and this site’s Origin, then ends the session', async () => {
    const b = await signIn(t, fake, 'dt-sec');
    const csrf = await csrfOf(await b.request('/console/orgs/o1/branches/b1'));
    expect((await b.post('/console/logout', {})).status).toBe(403);
    expect((await b.post('/console/logout', { _csrf: 'forged' })).status).toBe(403);
    expect((await b.post('/console/logout', { _csrf: csrf }, { origin: 'https://evil.example' })).status).toBe(403);
    const out = await b.post('/console/logout', { _csrf: csrf }, { origin: PUBLIC_URL });
    expect(out.status).toBe(303);
    expect(out.headers.get('location')).toBe('/console/login');
    const after = await b.request('/console/orgs/o1/branches/b1');
    expect(after.status).toBe(303);
    expect(after.headers.get('location')).toBe('/console/login');
    expect(await countOf(t.db, 'console_sessions')).toBeGreaterThan(0);
    const ended = await t.db.selectFrom('console_sessions').select('ended_at').where('ended_at', 'is not', null).execute();
    expect(ended).toHaveLength(1);
  });

  it('IT signs in with ADMIN_TOKEN; each failure is slowed, and 5 lock the address out', async () => {
    const key = `${t.config.QUEUE_PREFIX}:console-signin-failures:local`;
    await t.redis.del(key);
    const started = performance.now();
    const failures = await Promise.all(Array.from({ length: 5 }, () => browser(t).post('/console/login', { token: 'wrong-token' })));
    expect(failures.map((r) => r.status)).toEqual([401, 401, 401, 401, 401]);
    expect(performance.now() - started).toBeGreaterThanOrEqual(990);
    expect((await browser(t).post('/console/login', { token: ADMIN_TOKEN })).status).toBe(429);
    await t.redis.del(key);

    const b = browser(t);
    expect((await b.post('/console/login', { token: ADMIN_TOKEN })).status).toBe(303);
    expect((await b.request('/console')).headers.get('location')).toBe('/console/orgs');
    const orgs = await (await b.request('/console/orgs')).text();
    expect(orgs).toContain('某市直机关工委');
    expect(orgs).toContain('另一机关');
    expect(orgs).toContain('系统管理员');
    expect((await b.request('/console/orgs/o2/branches/b1')).status).toBe(200);
  });

  it('refuses a body over 2 MB before reading it', async () => {
    const res = await browser(t).post('/console/login', { token: 'x'.repeat(3 * 1024 * 1024) });
    expect(res.status).toBe(413);
  });

  it('serves its own stylesheet; every page refers only to this host', async () => {
    const css = await t.app.request('/console/assets/console.css');
    expect(css.status).toBe(200);
    expect(css.headers.get('content-type')).toContain('text/css');
    expect(await css.text()).not.toMatch(/url\(|@import|https?:/);
    const login = await (await t.app.request('/console/login')).text();
    expect(login).toContain('系统管理员令牌');
    expect(login).not.toMatch(/(src|href)="https?:/);
  });

  it('has an icon of its own: the pages name it, and /favicon.ico answers for those that do not', async () => {
    const login = await (await t.app.request('/console/login')).text();
    const href = /<link rel="icon" type="image\/svg\+xml" href="([^"]+)"/.exec(login)?.[1];
    expect(href).toBe('/console/assets/favicon.svg');
    for (const path of [href!, '/favicon.ico']) {
      const icon = await t.app.request(path);
      expect(icon.status, path).toBe(200);
      expect(icon.headers.get('content-type'), path).toBe('image/svg+xml');
      expect(await icon.text(), path).toMatch(/^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"[\s\S]*<\/svg>$/);
    }
  });
});

describe.each(DIALECTS)('the console’s branch pages on %s', (dialect) => {
  let t: TestApp;
  let fake: FakePlatform;
  let close: () => Promise<void>;
  let sec: ReturnType<typeof browser>;
  let csrf: string;
  const b1 = '/console/orgs/o1/branches/b1';
  beforeAll(async () => {
    ({ t, fake, close } = await startConsole(dialect));
    await insertReport(t.db, {
      id: 'r1',
      org_id: 'o1',
      branch_id: 'b1',
      member_id: 'm1',
      category: 'enterprise',
      text: '走访<img src=x onerror=alert(1)>企业',
      tags: ['research'],
      at: NOW - 86_400_000,
      source: null,
    });
    await insertReport(t.db, {
      id: 'r2',
      org_id: 'o1',
      branch_id: 'b1',
      member_id: 'sec',
      category: 'public',
      text: '为社区老人代办社保认证',
      tags: [],
      at: NOW - 2 * 86_400_000,
      source: null,
    });
    sec = await signIn(t, fake, 'dt-sec');
    csrf = await csrfOf(await sec.request(b1));
  });
  afterAll(() => close?.());

  it('lists meetings; a 会议记录 prints and downloads as Word; the ledger downloads', async () => {
    const list = await (await sec.request(`${b1}/meetings`)).text();
    expect(list).toContain('研究&lt;b&gt;年度&lt;/b&gt;工作');
    const record = await sec.request(`${b1}/meetings/K7Q`);
    expect(record.status).toBe(200);
    const body = await record.text();
    expect(body).toContain('支部委员会会议记录');
    expect(body).toContain('<button type="button" data-print>打印</button>');
    expect(body).toContain('<script src="/console/assets/console.js"></script>');
    const docx = await sec.request(`${b1}/meetings/K7Q/record.docx`);
    expect(docx.headers.get('content-type')).toBe('application/vnd.openxmlformats-officedocument.wordprocessingml.document');
    const xlsx = await sec.request(`${b1}/ledger.xlsx?quarter=2026-Q4`);
    expect(xlsx.status).toBe(200);
    expect(xlsx.headers.get('content-disposition')).toContain(encodeURIComponent('第一党支部2026年第四季度三会一课台账.xlsx'));
    expect((await sec.request(`${b1}/exports`)).status).toBe(200);
  });

  it('refuses every page and file of another branch, whatever the path names', async () => {
    for (const suffix of [
      '/meetings',
      '/meetings/K7Q',
      '/meetings/K7Q/record.docx',
      '/ledger.xlsx',
      '/members',
      '/members/sec2',
      '/reports',
      '/digest',
      '/exports',
    ]) {
      expect((await sec.request(`/console/orgs/o1/branches/b2${suffix}`)).status, suffix).toBe(404);
    }
    // A member of another branch through her own branch's path.
    expect((await sec.request(`${b1}/members/sec2`)).status).toBe(404);
    const before = await t.db.selectFrom('members').select(['name']).where('id', '=', 'sec2').executeTakeFirstOrThrow();
    const res = await sec.post('/console/orgs/o1/branches/b2/members/sec2', { _csrf: csrf, name: '被改名', role: 'member', branch: 'b2' });
    expect(res.status).toBe(404);
    expect(await t.db.selectFrom('members').select(['name']).where('id', '=', 'sec2').executeTakeFirstOrThrow()).toEqual(before);
  });

  it('edits a member only with the CSRF token; a bad value is said in Chinese and changes nothing', async () => {
    const form = { name: '王一民', role: 'member', branch: 'b1', dingtalkUserId: 'dt-m1', group: '第一党小组' };
    expect((await sec.post(`${b1}/members/m1`, form)).status).toBe(403);
    const bad = await sec.post(`${b1}/members/m1`, { ...form, _csrf: csrf, name: '' });
    expect(bad.status).toBe(400);
    expect(await bad.text()).toContain('姓名：不能为空');
    // Accounts are who a member is in chat: a secretary may not point one elsewhere, and the form does not offer it.
    const taken = await sec.post(`${b1}/members/m1`, { ...form, _csrf: csrf, dingtalkUserId: 'dt-sec' });
    expect(taken.status).toBe(403);
    expect(await taken.text()).toContain('钉钉、企业微信账号只能由机关党委管理员设置');
    const page = await (await sec.request(`${b1}/members/m1`)).text();
    expect(page).not.toContain('name="dingtalkUserId"');
    expect(page).not.toContain('name="branch"');
    expect((await t.db.selectFrom('members').select('name').where('id', '=', 'm1').executeTakeFirstOrThrow()).name).toBe('王一');
    const ok = await sec.post(`${b1}/members/m1`, { ...form, _csrf: csrf });
    expect(ok.status).toBe(303);
    expect(decodeURIComponent(ok.headers.get('location')!)).toBe(`${b1}/members?saved=王一民`);
    const row = await t.db.selectFrom('members').selectAll().where('id', '=', 'm1').executeTakeFirstOrThrow();
    expect([row.name, row.party_group]).toEqual(['王一民', '第一党小组']);
  });

  it('transfers a member to another branch (an org admin’s to do) and records a member’s leave', async () => {
    await putMember(t.db, memberRow({ org_id: 'o1', branch_id: 'b1', id: 'm9', name: '孙九', accounts: { dingtalk: 'dt-m9' } }), NOW);
    await putMember(t.db, memberRow({ org_id: 'o1', branch_id: 'b1', id: 'm8', name: '周八', accounts: { dingtalk: 'dt-m8' } }), NOW);
    const asked = await sec.post(`${b1}/members/m9`, { _csrf: csrf, name: '孙九', role: 'member', branch: 'b2' });
    expect(asked.status).toBe(403);
    expect(await asked.text()).toContain('把党员转到其他支部需由机关党委管理员办理');
    const adm = await signIn(t, fake, 'dt-adm');
    const admCsrf = await csrfOf(await adm.request(`${b1}/members/m9`));
    const moved = await adm.post(`${b1}/members/m9`, {
      _csrf: admCsrf,
      name: '孙九',
      role: 'member',
      branch: 'b2',
      dingtalkUserId: 'dt-m9',
    });
    expect(moved.status).toBe(303);
    expect((await t.db.selectFrom('members').select('branch_id').where('id', '=', 'm9').executeTakeFirstOrThrow()).branch_id).toBe('b2');
    expect(await t.db.selectFrom('member_moves').select(['from_branch', 'to_branch']).where('member_id', '=', 'm9').execute()).toEqual([
      { from_branch: 'b1', to_branch: 'b2' },
    ]);
    // Moved away, the member is no longer hers to edit.
    expect((await sec.request(`${b1}/members/m9`)).status).toBe(404);

    // The form asks for the date with the browser's date picker; the service checks what it is sent.
    expect(await (await sec.request(`${b1}/members/m8`)).text()).toContain('<input id="at" name="at" type="date" />');
    expect((await sec.post(`${b1}/members/m8/leave`, { _csrf: csrf, at: '12月1日' })).status).toBe(400);
    const impossible = await sec.post(`${b1}/members/m8/leave`, { _csrf: csrf, at: '2026-02-31' });
    expect(impossible.status).toBe(400);
    expect(await impossible.text()).toContain('离开日期：请选择日期');
    expect((await sec.post(`${b1}/members/m8/leave`, { _csrf: csrf, at: '2026-11-30', reason: '退休' })).status).toBe(303);
    const left = await t.db.selectFrom('members').selectAll().where('id', '=', 'm8').executeTakeFirstOrThrow();
    expect([left.status, Number(left.left_at), left.left_reason]).toEqual([
      'left',
      fromLocal({ year: 2026, month: 11, day: 30 }, TZ),
      '退休',
    ]);
    const roster = await (await sec.request(`${b1}/members`)).text();
    expect(roster).toContain('已离开（2026年11月30日）');
  });

  it('imports a CSV: every row checked and shown first, nothing written until confirmed', async () => {
    const csv = [
      '姓名,支部,角色,党小组',
      '新党员甲,第一党支部,党员,第二党小组',
      ',第一党支部,党员,',
      '外支部人,HOSTILE,党员,',
      '新党员乙,第一党支部,书记员,',
      '新党员丙,第九党支部,党员,',
    ]
      .join('\n')
      .replace('HOSTILE', '<script>alert(1)</script>支部');
    const upload = new FormData();
    upload.set('_csrf', csrf);
    upload.set('file', new Blob([csv], { type: 'text/csv' }), 'members.csv');
    const count = () => t.db.selectFrom('members').select('id').where('org_id', '=', 'o1').execute();
    const before = (await count()).length;
    const preview = await sec.request(`${b1}/members/import`, { method: 'POST', body: upload });
    expect(preview.status).toBe(200);
    const text = await preview.text();
    expect(text).toContain('共 5 行：<strong>1 行可以导入</strong>，4 行有问题。还没有写入任何内容。');
    expect(text).toContain('第 3 行 · 姓名：必填');
    expect(text).toContain('第 4 行（外支部人） · 支部：不是本支部：只能导入本支部的党员');
    expect(text).toContain('第 5 行（新党员乙） · 角色：应为 书记、委员 或 党员');
    // A 支部 the org does not have is named as written, not taken for another branch.
    expect(text).toContain('第 6 行（新党员丙） · 支部：没有名为「第九党支部」的支部');
    // Every row to be imported is listed, with what it makes of the member.
    expect(text).toContain('<td>2</td><td>新党员甲</td>');
    expect(text).toContain('<td>第二党小组</td><td>新增</td>');
    expect(text).not.toContain('<script>alert(1)</script>');
    expect((await count()).length).toBe(before);

    const carried = /name="csv" value="([^"]+)"/.exec(text)![1]!;
    const done = await sec.post(`${b1}/members/import`, { _csrf: csrf, confirm: '1', csv: carried });
    expect(await done.text()).toContain('已导入 1 人，4 行未导入。');
    expect((await count()).length).toBe(before + 1);
    const added = await t.db.selectFrom('members').selectAll().where('name', '=', '新党员甲').executeTakeFirstOrThrow();
    expect([added.branch_id, added.party_group, (await getMember(t.db, 'o1', added.id))!.accounts.dingtalk ?? null]).toEqual([
      'b1',
      '第二党小组',
      null,
    ]);
  });

  it('filters reports by category, tag, member and dates, every text escaped', async () => {
    const all = await (await sec.request(`${b1}/reports`)).text();
    expect(all).toContain('共 2 条。');
    expect(all).toContain('走访&lt;img src=x onerror=alert(1)&gt;企业');
    expect(all).not.toContain('<img src=x');
    expect(await (await sec.request(`${b1}/reports?category=public`)).text()).toContain('共 1 条。');
    expect(await (await sec.request(`${b1}/reports?tag=research`)).text()).toContain('共 1 条。');
    expect(await (await sec.request(`${b1}/reports?member=sec`)).text()).toContain('共 1 条。');
    expect(await (await sec.request(`${b1}/reports?from=2026-11-30&to=2026-11-30`)).text()).toContain('共 1 条。');
  });

  it('shows this week’s digest so far, its user text escaped', async () => {
    const page = await (await sec.request(`${b1}/digest`)).text();
    expect(page).toContain('本周到目前为止');
    expect(page).toContain('<h3>三会一课（本季度）</h3>');
    expect(page).toContain('走访＜img src=x onerror=alert(1)＞企业');
    expect(page).not.toContain('<img src=x');
    // Last week's, once pushed, is listed under it.
    expect((await t.admin('POST', '/admin/orgs/o1/digests/run', { week: '2026-W48' })).status).toBe(200);
    const after = await (await sec.request(`${b1}/digest`)).text();
    expect(after).toContain('2026年12月1日 10:00 已发送');
    expect(after).toContain('2026年第48周');
  });
});

describe.each(DIALECTS)('the console’s org pages on %s', (dialect) => {
  let t: TestApp;
  let fake: FakePlatform;
  let close: () => Promise<void>;
  let adm: ReturnType<typeof browser>;
  let csrf: string;
  beforeAll(async () => {
    ({ t, fake, close } = await startConsole(dialect));
    await putBranch(
      t.db,
      'o1',
      'b1',
      '第一党支部',
      [{ channel_id: 'dt1', chat_id: 'cidGroupA==', webhook: 'robot-token-b1', secret: null }],
      NOW,
    );
    adm = await signIn(t, fake, 'dt-adm');
    csrf = await csrfOf(await adm.request('/console/orgs/o1/channels'));
  });
  afterAll(() => close?.());

  it('shows each channel’s checklist: the callback URL, which credentials are stored (never their values), the last callback', async () => {
    const page = await (await adm.request('/console/orgs/o1/channels')).text();
    expect(page).toContain(`${PUBLIC_URL}/webhooks/dingtalk/dt1`);
    expect(page).toContain('AppSecret');
    expect(page).not.toContain(DT_SECRET);
    expect(page).not.toContain('robot-token-b1');
    // The sign-in above came through dt1.
    expect(page).not.toContain('从未收到');
    expect(page).toContain('已登记钉钉账号的党员');
  });

  it('sends a test message through the real sender, to the admin privately or to a bound group', async () => {
    fake.clear();
    const me = await adm.post('/console/orgs/o1/channels/dt1/test', { _csrf: csrf, to: 'me' });
    expect(await me.text()).toContain('测试消息已发出（渠道 dt1）');
    const sent = fake.requests.find((r) => r.path === '/v1.0/robot/oToMessages/batchSend')!;
    expect((sent.body as { userIds: string[] }).userIds).toEqual(['dt-adm']);
    const group = await adm.post('/console/orgs/o1/channels/dt1/test', { _csrf: csrf, to: 'chat:cidGroupA==' });
    expect(await group.text()).toContain('测试消息已发出');
    expect(fake.requests.find((r) => r.path === '/robot/send')!.query.access_token).toBe('robot-token-b1');
    fake.on('POST', '/robot/send', () => ({ json: { errcode: 310000, errmsg: 'keywords not in content' } }));
    const refused = await adm.post('/console/orgs/o1/channels/dt1/test', { _csrf: csrf, to: 'chat:cidGroupA==' });
    expect(await refused.text()).toContain('测试消息未发出（渠道 dt1）：the custom robot refused the message (310000)');
    expect((await adm.post('/console/orgs/o1/channels/dt1/test', { to: 'me' })).status).toBe(403);
  });

  it('shows an org admin which years have data, read-only: the calendar every org shares is IT’s to change', async () => {
    const page = await (await adm.request('/console/orgs/o1/calendar?year=2027')).text();
    expect(page).toContain('2027年');
    expect(page).toContain('由系统管理员统一维护');
    expect(page).not.toContain('name="kind"');
    const refused = await adm.post('/console/orgs/o1/calendar?year=2027', { _csrf: csrf, date: '2027-03-03', kind: 'holiday' });
    expect(refused.status).toBe(403);
    expect(await refused.text()).toContain('节假日由系统管理员统一维护');
    expect(await t.db.selectFrom('calendar_overrides').selectAll().execute()).toEqual([]);
  });

  it('lets IT add a calendar override', async () => {
    const staff = browser(t);
    expect((await staff.post('/console/login', { token: ADMIN_TOKEN })).status).toBe(303);
    const itCsrf = await csrfOf(await staff.request('/console/orgs/o1/calendar?year=2027'));
    const added = await staff.post('/console/orgs/o1/calendar?year=2027', {
      _csrf: itCsrf,
      date: '2027-01-01',
      kind: 'holiday',
      name: '元旦',
    });
    expect(await added.text()).toContain('已添加：2027-01-01 放假 元旦');
    expect(await t.db.selectFrom('calendar_overrides').select(['date', 'kind', 'name']).execute()).toEqual([
      { date: '2027-01-01', kind: 'holiday', name: '元旦' },
    ]);
    expect((await staff.post('/console/orgs/o1/calendar', { _csrf: itCsrf, date: '明年元旦', kind: 'holiday' })).status).toBe(200);
    expect(await t.db.selectFrom('calendar_overrides').select('date').execute()).toHaveLength(1);
  });

  it('opens the queue dashboard behind the session, without fonts from elsewhere; not for a secretary, not with two orgs', async () => {
    const staff = browser(t);
    expect((await staff.post('/console/login', { token: ADMIN_TOKEN })).status).toBe(303);
    const dashboard = await staff.request('/console/queues');
    expect(dashboard.status).toBe(200);
    const html = await dashboard.text();
    expect(html).toContain('<base href="/console/queues');
    expect(html).not.toContain('fonts.googleapis.com');
    expect(html).not.toMatch(/(src|href)="https?:/);
    expect((await staff.request('/console/queues/api/queues')).status).toBe(200);
    expect((await browser(t).request('/console/queues')).status).toBe(303);
    const sec = await signIn(t, fake, 'dt-sec');
    expect((await sec.request('/console/queues')).status).toBe(404);
    expect((await sec.request('/console/orgs/o1/channels')).status).toBe(404);
    // Two orgs share the queues: an org admin of one does not see them.
    expect((await adm.request('/console/queues')).status).toBe(404);
  });
  it('shows the terminal demo’s channel as such: no callback, no credentials, no test message', async () => {
    await putChannel(t.db, 'o1', 'demo1', { platform: 'demo' }, NOW);
    const page = await (await adm.request('/console/orgs/o1/channels')).text();
    expect(page).toContain('demo1 · 终端演示');
    expect(page).toContain('不发往任何平台，也不计入调用额度');
    expect(page).not.toMatch(/webhooks\/\w+\/demo1/);
    expect(page).not.toContain('/channels/demo1/test');
  });
});

describe.each(DIALECTS)('the console without PUBLIC_URL on %s', (dialect) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(dialect, { now: NOW });
    await seed(t);
  });
  afterAll(() => t?.close());

  it('is off: 控制台 says so in one line and /console answers 404', async () => {
    expect(await viaDingtalk(t, 'dt1', 'dt-sec', '控制台', { direct: true })).toBe('本单位还没有开启控制台，请联系管理员。');
    expect((await t.app.request('/console')).status).toBe(404);
    expect((await t.app.request('/console/login')).status).toBe(404);
  });
});
