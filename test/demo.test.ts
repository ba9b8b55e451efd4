import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getChannel, putChannel } from '../db/channels.ts';
import { openDb } from '../db/connect.ts';
import { putOrg } from '../db/orgs.ts';
import { canPostTo, chatTarget, privateAnswer, privateTarget } from '../src/domain/targets.ts';
import { quarterKey, toLocal } from '../src/domain/time.ts';
import { deliver } from '../src/platforms/deliver.ts';
import { PlatformClients } from '../src/platforms/shared/clients.ts';
import { channelRef } from '../src/platforms/index.ts';
import { DEMO_ORG, seedDemo } from '../src/platforms/terminal/demo.ts';
import { QuotaCounter } from '../src/platforms/shared/quota.ts';
import { type TestApp, startTestApp } from './helpers/app.ts';
import { DIALECTS } from './helpers/db.ts';
import { type FakePlatform, startFakePlatform } from './helpers/fake-platform.ts';

// The terminal demo's own platform: what groups and members would receive is printed where the
// demo runs (a file written to a folder, named with its size and path); no platform is called and
// no platform quota counts it.

const TZ = 'Asia/Shanghai';

describe('the demo channel as a target', () => {
  const demo = channelRef({ id: 'demo-console', orgId: 'o1', config: { platform: 'demo' } });
  const m1 = { id: 'm1', accounts: {} };

  it('reaches every member privately by id and posts into its group chats, as DingTalk would', () => {
    const privately = { target: { kind: 'member', channelId: 'demo-console', memberId: 'm1' }, format: 'dingtalk' };
    expect(privateTarget(m1, [demo])).toEqual(privately);
    expect(privateAnswer(m1, [demo], 'demo-console')).toEqual(privately);
    const chat = { channel_id: 'demo-console', chat_id: 'demo-group', webhook: null };
    expect(canPostTo(chat, [demo])).toBe(true);
    expect(chatTarget(chat, [demo]).format).toBe('dingtalk');
  });

  it('comes after a platform that can reach the member', () => {
    const dingtalk = channelRef({ id: 'dt1', orgId: 'o1', config: { platform: 'dingtalk', appKey: 'k', appSecret: 's', robotCode: 'r' } });
    expect(privateTarget({ ...m1, accounts: { dingtalk: 'u1' } }, [demo, dingtalk])?.target).toMatchObject({ channelId: 'dt1' });
  });
});

describe.each(DIALECTS)('the demo platform on %s', (dialect) => {
  let fake: FakePlatform;
  let t: TestApp;
  let dir: string;
  const NOW = Date.UTC(2026, 11, 7, 2);

  beforeAll(async () => {
    fake = await startFakePlatform();
    dir = mkdtempSync(join(tmpdir(), 'tongxin-demo-files-'));
    t = await startTestApp(dialect, {
      now: NOW,
      env: { DINGTALK_API_BASE: fake.url, DINGTALK_OAPI_BASE: fake.url, WECOM_API_BASE: fake.url },
    });
  });
  afterAll(async () => {
    await t.close();
    await fake.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('seeds an empty database with a demo channel, turns an older demo DingTalk channel into one, and leaves others alone', async () => {
    expect(await seedDemo(t.db, TZ, NOW)).toEqual({ kind: 'seeded' });
    expect((await getChannel(t.db, 'demo-console'))?.config).toEqual({ platform: 'demo' });

    await putChannel(t.db, DEMO_ORG, 'demo-console', { platform: 'dingtalk', appKey: 'demo-app-key', appSecret: 'x', robotCode: 'r' }, NOW);
    expect(await seedDemo(t.db, TZ, NOW)).toEqual({ kind: 'again' });
    expect((await getChannel(t.db, 'demo-console'))?.config).toEqual({ platform: 'demo' });

    const other = await startTestApp(dialect, { now: NOW });
    try {
      await putOrg(other.db, { id: 'jgdw', name: '机关党委', timezone: TZ, digest_cron: null }, NOW);
      expect(await seedDemo(other.db, TZ, NOW)).toEqual({ kind: 'taken', orgs: ['jgdw'] });
    } finally {
      await other.close();
    }
  });

  it('prints pushes to a group and a member, writes a file, calls no platform and counts no quota', async () => {
    let shown = '';
    const terminal = {
      write(text: string) {
        shown += text;
      },
      fileDir: dir,
    };
    const deps = { db: t.db, redis: t.redis, logger: t.logger, clock: t.clock, config: t.config, terminal };
    const clients = new PlatformClients(deps);
    const chat = { kind: 'chat' as const, channelId: 'demo-console', chatId: 'demo-group' };
    const m1 = { kind: 'member' as const, channelId: 'demo-console', memberId: 'm1' };

    const toGroup = { title: '会议提醒', markdown: '**会议提醒**：支部委员会会议', mentions: ['m1', 'm2'] };
    expect(await deliver(deps, clients, chat, toGroup, 'd1')).toEqual({ delivered: true });
    expect(shown).toContain('── 推送到群「第一党支部」（demo-group）：会议提醒\n会议提醒：支部委员会会议\n@张三 @王五\n');

    expect(await deliver(deps, clients, m1, { title: '签到提醒', markdown: '请尽快签到。' }, 'd2')).toEqual({ delivered: true });
    expect(shown).toContain('── 私信给 张三（m1）：签到提醒\n请尽快签到。\n');

    const file = { kind: 'ledger' as const, branchId: 'b1', quarter: quarterKey(NOW, TZ), asOf: NOW };
    const sec = { kind: 'member' as const, channelId: 'demo-console', memberId: 'sec' };
    expect(await deliver(deps, clients, sec, { title: '台账', markdown: '台账', file }, 'd3')).toEqual({ delivered: true });
    const path = join(dir, '第一党支部2026年第四季度三会一课台账.xlsx');
    const size = statSync(path).size;
    expect(size).toBeGreaterThan(1024);
    expect(shown).toContain(
      `── 私信给 李书记（sec）：文件「第一党支部2026年第四季度三会一课台账.xlsx」（${(size / 1024).toFixed(1)} KB），已写入 ${path}\n`,
    );

    expect(fake.requests).toEqual([]);
    const quota = new QuotaCounter({ db: t.db, redis: t.redis, logger: t.logger, clock: t.clock, prefix: t.config.QUEUE_PREFIX });
    await quota.count((await getChannel(t.db, 'demo-console'))!, 'api');
    expect(await quota.usage(DEMO_ORG, TZ)).toEqual([]);
    expect(await t.redis.keys(`${t.config.QUEUE_PREFIX}:quota:*`)).toEqual([]);
  });

  it('without a terminal (a service on the demo database) fails a push at once and sends nothing', async () => {
    const deps = { db: t.db, redis: t.redis, logger: t.logger, clock: t.clock, config: t.config };
    const chat = { kind: 'chat' as const, channelId: 'demo-console', chatId: 'demo-group' };
    expect(await deliver(deps, new PlatformClients(deps), chat, { title: '会议提醒', markdown: '会议提醒' }, 'd4')).toMatchObject({
      delivered: false,
      kind: 'permanent',
      reason: expect.stringContaining('npm run chat -- --demo'),
    });
    expect(fake.requests).toEqual([]);
  });

  it('is not a platform the admin API takes for a channel', async () => {
    const res = await t.admin('PUT', `/admin/orgs/${DEMO_ORG}/channels/c2`, { platform: 'demo' });
    expect(res.status).toBe(400);
    expect(await getChannel(t.db, 'c2')).toBeUndefined();
  });
});

describe('npm run chat -- --demo', () => {
  let fake: FakePlatform;
  let redis: Redis;
  const dir = mkdtempSync(join(tmpdir(), 'tongxin-demo-'));
  const prefix = `tongxin-test-${randomBytes(4).toString('hex')}`;

  beforeAll(async () => {
    fake = await startFakePlatform();
    redis = new Redis('redis://127.0.0.1:6379');
  });
  afterAll(async () => {
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length) await redis.del(...keys);
    await redis.quit();
    await fake.close();
    rmSync(dir, { recursive: true, force: true });
  });

  function demo(database: string, env: Record<string, string> = {}) {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/terminal-chat.ts', '--demo'], {
      env: {
        ...process.env,
        DATABASE_URL: `sqlite:${join(dir, database)}`,
        QUEUE_PREFIX: prefix,
        LOG_LEVEL: 'silent',
        // Where the demo writes its files (os.tmpdir()).
        TMPDIR: dir,
        DINGTALK_API_BASE: fake.url,
        DINGTALK_OAPI_BASE: fake.url,
        WECOM_API_BASE: fake.url,
        ...env,
      },
    }) as ChildProcessWithoutNullStreams;
    const out = { stdout: '', stderr: '' };
    child.stdout.setEncoding('utf8').on('data', (s: string) => (out.stdout += s));
    child.stderr.setEncoding('utf8').on('data', (s: string) => (out.stderr += s));
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    const until = async (text: string | RegExp, ms: number) => {
      const deadline = Date.now() + ms;
      const seen = () => (typeof text === 'string' ? out.stdout.includes(text) : text.test(out.stdout));
      while (!seen()) {
        if (Date.now() > deadline || child.exitCode !== null) throw new Error(`not shown: ${text}\n${out.stdout}\n${out.stderr}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    };
    return { child, out, exited, until };
  }

  it('shows in the terminal the reminder the group receives and the file 导出 sends, and calls no platform', async () => {
    // A meeting at a whole minute at least 80 s away, with a reminder offset that makes it due
    // 20 s after the demo starts (time enough for it to start on a busy machine): the reminder fires while the test watches.
    const started = Date.now();
    const startsAt = Math.ceil((started + 80_000) / 60_000) * 60_000;
    const offset = Math.round((startsAt - started) / 1000) - 20;
    const run = demo('demo.db', { REMINDER_OFFSETS: `${offset}s` });
    try {
      await run.until('同心 console', 30_000);
      const local = toLocal(startsAt, TZ);
      const hm = `${String(local.hour).padStart(2, '0')}:${String(local.minute).padStart(2, '0')}`;
      const day = local.day === toLocal(started, TZ).day ? '今天' : '明天';
      run.child.stdin.write(`安排 支委会 ${day}${hm}\n`);
      await run.until(/已安排支部委员会会议（([A-Z0-9]{3})）/, 15_000);
      const code = /已安排支部委员会会议（([A-Z0-9]{3})）/.exec(run.out.stdout)![1]!;

      run.child.stdin.write('导出\n');
      await run.until('已写入', 20_000);
      await run.until('── 推送到群「第一党支部」（demo-group）：会议提醒', 40_000);
      run.child.stdin.end('exit\n');
      expect(await run.exited).toBe(0);

      const { stdout, stderr } = run.out;
      expect(stderr).toBe('');
      expect(stdout).toContain(`请假 ${code} 事由`);
      const file = /── 私信给 李书记（sec）：文件「(.+?\.xlsx)」（[\d.]+ KB），已写入 (\S+)/.exec(stdout);
      expect(file).not.toBeNull();
      expect(file![2]).toBe(join(dir, 'tongxin-demo', file![1]!));
      expect(existsSync(file![2]!)).toBe(true);
    } finally {
      run.child.kill();
    }
    expect(fake.requests).toEqual([]);
    expect(await redis.keys(`${prefix}*quota*`)).toEqual([]);
  }, 90_000);

  it('keeps its jobs to its own database: two demos on one Redis each show their own pushes', async () => {
    const other = demo('other.db');
    const run = demo('second.db');
    try {
      await other.until('同心 console', 30_000);
      await run.until('同心 console', 30_000);
      // A job names only a delivery: taken by the other demo's workers, it would be lost there.
      for (let i = 0; i < 4; i++) run.child.stdin.write('导出\n');
      await run.until(/(已写入[\s\S]*){4}/, 30_000);
      run.child.stdin.end('exit\n');
      other.child.stdin.end('exit\n');
      expect(await run.exited).toBe(0);
      expect(await other.exited).toBe(0);
      expect(other.out.stdout).not.toContain('已写入');
    } finally {
      run.child.kill();
      other.child.kill();
    }
  }, 90_000);

  it('on a database that holds another org, says to give the demo a fresh database instead', async () => {
    const db = await openDb(`sqlite:${join(dir, 'ours.db')}`);
    await putOrg(db, { id: 'jgdw', name: '机关党委', timezone: TZ, digest_cron: null }, Date.now());
    await db.destroy();
    const run = demo('ours.db');
    run.child.stdin.end();
    expect(await run.exited).toBe(1);
    expect(run.out.stdout).toBe('');
    expect(run.out.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(run.out.stderr).toContain('holds org jgdw');
    expect(run.out.stderr).toContain('DATABASE_URL=sqlite:data/demo.db npm run chat -- --demo');
    expect(run.out.stderr).toContain('--as <member>');
  });
});
