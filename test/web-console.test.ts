import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { putBranch } from '../db/branches.ts';
import { putChannel } from '../db/channels.ts';
import { insertMeeting } from '../db/meetings.ts';
import { leaveMember, putMember } from '../db/members.ts';
import { putOrg } from '../db/orgs.ts';
import { fromLocal } from '../src/domain/time.ts';
import { ADMIN_TOKEN, type TestApp, startTestApp } from './helpers/app.ts';
import { viaDingtalk } from './helpers/chat.ts';
import { DIALECTS, countOf, meetingRow, memberRow } from './helpers/db.ts';
import { DT_SECRET } from './helpers/dingtalk.ts';

// The console's sign-in and first pages (SPEC §9.4), over HTTP: 控制台 one-to-one gives a link that
// works once, for 10 minutes; the session cookie; what each role sees; CSRF and Origin on writes;
// IT's token sign-in, slowed and locked out after failures.

const TZ = 'Asia/Shanghai';
const NOW = fromLocal({ year: 2026, month: 12, day: 1, hour: 10 }, TZ);
const PUBLIC_URL = 'https://tongxin.example.gov.cn';
const HOSTILE = '<script>alert(1)</script>支部';

async function seed(t: TestApp) {
  const db = t.db;
  await putOrg(db, { id: 'o1', name: '某市直机关工委', timezone: TZ, digest_cron: null }, NOW);
  await putOrg(db, { id: 'o2', name: '另一机关', timezone: TZ, digest_cron: null }, NOW);
  await putChannel(db, 'o1', 'dt1', { platform: 'dingtalk', appKey: 'k', appSecret: DT_SECRET, robotCode: 'r' }, NOW);
  await putBranch(db, 'o1', 'b1', '第一党支部', [], NOW);
  await putBranch(db, 'o1', 'b2', HOSTILE, [], NOW);
  await putBranch(db, 'o2', 'b1', '外单位支部', [], NOW);
  const m = (id: string, name: string, extra: Partial<Parameters<typeof memberRow>[0]> = {}) =>
    putMember(db, memberRow({ org_id: 'o1', branch_id: 'b1', id, name, dingtalk_user_id: `dt-${id}`, ...extra }), NOW);
  await m('sec', '张书记', { role: 'secretary' });
  await m('m1', '王一');
  await m('adm', '机关党委李干事', { org_admin: 1 });
  await m('sec2', '赵书记', { role: 'secretary', branch_id: 'b2' });
  await m('gone', '钱书记', { role: 'secretary' });
  await insertMeeting(
    db,
    meetingRow({ org_id: 'o1', code: 'K7Q', type: 'committee', starts_at: NOW + 2 * 86_400_000, topic: '研究<b>年度</b>工作' }),
  );
}

/** A browser of its own: keeps the console cookie between requests, as a browser would. */
function browser(t: TestApp) {
  let cookie = '';
  return {
    async request(path: string, init: RequestInit = {}) {
      const headers = new Headers(init.headers);
      if (cookie) headers.set('cookie', cookie);
      const res = await t.app.request(path, { ...init, headers });
      const set = res.headers.get('set-cookie');
      if (set) cookie = set.split(';')[0]!.endsWith('=') ? '' : set.split(';')[0]!;
      return res;
    },
    post(path: string, form: Record<string, string>, headers: Record<string, string> = {}) {
      return this.request(path, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
        body: new URLSearchParams(form).toString(),
      });
    },
    get cookie() {
      return cookie;
    },
  };
}

const linkOf = (reply: string) => {
  const match = /https:\/\/tongxin\.example\.gov\.cn(\/console\/login\?t=([\w-]+))/.exec(reply);
  if (!match) throw new Error(`no sign-in link in: ${reply}`);
  return { path: match[1]!, token: match[2]! };
};

async function signIn(t: TestApp, staffId: string) {
  const b = browser(t);
  const { token } = linkOf(await viaDingtalk(t, 'dt1', staffId, '控制台', { direct: true }));
  const res = await b.post('/console/login', { t: token });
  expect(res.status).toBe(303);
  return b;
}

const csrfOf = async (res: Response) => /name="_csrf" value="([^"]+)"/.exec(await res.text())![1]!;

describe.each(DIALECTS)('the console on %s', (dialect) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(dialect, { now: NOW, env: { PUBLIC_URL } });
    await seed(t);
  });
  afterAll(() => t?.close());

  it('控制台 one-to-one gives a secretary a link; in a group, to a member, it gives none', async () => {
    const reply = await viaDingtalk(t, 'dt1', 'dt-sec', '控制台', { direct: true });
    expect(reply).toContain('控制台登录链接，请在 10 分钟内打开，只能使用一次');
    linkOf(reply);
    expect(await viaDingtalk(t, 'dt1', 'dt-sec', '控制台')).toContain('「控制台」只在私聊中回复');
    const member = await viaDingtalk(t, 'dt1', 'dt-m1', '控制台', { direct: true });
    expect(member).toContain('只有支部书记可以使用这条命令');
    expect(member).not.toContain('/console/login');
    // Only hashes are stored.
    const { token } = linkOf(reply);
    const rows = await t.db.selectFrom('one_time_links').selectAll().where('purpose', '=', 'login').execute();
    expect(JSON.stringify(rows)).not.toContain(token);
  });

  it('opening the link shows a page that signs in by posting it; the link works once', async () => {
    const b = browser(t);
    const { path, token } = linkOf(await viaDingtalk(t, 'dt1', 'dt-sec', '控制台', { direct: true }));
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
    const late = linkOf(await viaDingtalk(t, 'dt1', 'dt-sec', '控制台', { direct: true }));
    t.clock.set(NOW + 10 * 60_000 + 1);
    expect((await browser(t).post('/console/login', { t: late.token })).status).toBe(410);
    t.clock.set(NOW);
    const left = linkOf(await viaDingtalk(t, 'dt1', 'dt-gone', '控制台', { direct: true }));
    await leaveMember(t.db, 'o1', 'gone', NOW, '调离', NOW);
    expect((await browser(t).post('/console/login', { t: left.token })).status).toBe(410);
  });

  it('a secretary lands on her branch, sees its quarter, and no other branch or org', async () => {
    const b = await signIn(t, 'dt-sec');
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
    const b = await signIn(t, 'dt-adm');
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
    const b = await signIn(t, 'dt-sec');
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

  it('serves its own stylesheet; every page refers only to this host', async () => {
    const css = await t.app.request('/console/assets/console.css');
    expect(css.status).toBe(200);
    expect(css.headers.get('content-type')).toContain('text/css');
    expect(await css.text()).not.toMatch(/url\(|@import|https?:/);
    const login = await (await t.app.request('/console/login')).text();
    expect(login).toContain('系统管理员令牌');
    expect(login).not.toMatch(/(src|href)="https?:/);
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
