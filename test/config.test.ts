import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../src/core/config.ts';

describe('loadConfig', () => {
  it('has the documented defaults', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      PORT: 8787,
      DATABASE_URL: 'sqlite:data/tongxin.db',
      REDIS_URL: 'redis://127.0.0.1:6379',
      QUEUE_PREFIX: 'tongxin',
      REMINDER_OFFSETS: [86_400_000, 3_600_000],
      CHECKIN_OPENS: 1_800_000,
      CHECKIN_CLOSES: 7_200_000,
      ABSENT_NUDGE_AFTER: 900_000,
      DIGEST_CRON: '0 9 * * 1',
      TZ_DEFAULT: 'Asia/Shanghai',
      RETENTION_DAYS: 180,
      AUDIT_RETENTION_DAYS: 365,
      LOG_LEVEL: 'info',
      CACHE_TTL: 5_000,
      MAX_IN_FLIGHT: 256,
    });
    expect(config.ADMIN_TOKEN).toBeUndefined();
  });

  it.each([
    ['PORT', 'abc'],
    ['PORT', '70000'],
    ['DATABASE_URL', 'postgres://x'],
    ['REMINDER_OFFSETS', '24h,soon'],
    ['CHECKIN_OPENS', '30 minutes'],
    ['TZ_DEFAULT', 'Mars/Olympus'],
    ['LOG_LEVEL', 'loud'],
    ['DIGEST_CRON', 'every monday'],
    ['WECOM_API_BASE', 'not a url'],
    ['RETENTION_DAYS', '0'],
    ['RETENTION_DAYS', '3651'],
    ['RETENTION_DAYS', '30.5'],
    ['RETENTION_DAYS', 'forever'],
    ['AUDIT_RETENTION_DAYS', '179'],
    ['AUDIT_RETENTION_DAYS', '3651'],
    ['AUDIT_RETENTION_DAYS', 'forever'],
    ['CACHE_TTL', '5'],
    ['MAX_IN_FLIGHT', '0'],
    ['MAX_IN_FLIGHT', 'many'],
    ['TRUST_PROXY', 'x forwarded for'],
    ['TRUST_PROXY', 'x-forwarded-for:'],
    ['TRUST_PROXY', '代理'],
  ])('%s=%s names the variable', (name, value) => {
    expect(() => loadConfig({ [name]: value })).toThrow(new RegExp(`^${name}: expects`));
  });

  it('PUBLIC_URL must name its scheme: localhost:8787 is refused with how to write it', () => {
    expect(() => loadConfig({ PUBLIC_URL: 'localhost:8787' })).toThrow(
      'PUBLIC_URL: expects an http(s) URL starting with http:// or https://, such as https://tongxin.example.gov.cn',
    );
    expect(() => loadConfig({ PUBLIC_URL: 'ftp://files.example.gov.cn' })).toThrow(/^PUBLIC_URL: expects/);
    expect(() => loadConfig({ DINGTALK_API_BASE: 'api.dingtalk.com:443' })).toThrow(/^DINGTALK_API_BASE: expects/);
    expect(loadConfig({ PUBLIC_URL: 'http://localhost:8787/' }).PUBLIC_URL).toBe('http://localhost:8787');
  });

  it('RETENTION_DAYS takes a whole number of days 1-3650; the trail keeps at least 180', () => {
    expect(loadConfig({ RETENTION_DAYS: '1' }).RETENTION_DAYS).toBe(1);
    expect(loadConfig({ RETENTION_DAYS: '3650' }).RETENTION_DAYS).toBe(3650);
    expect(loadConfig({ AUDIT_RETENTION_DAYS: '180' }).AUDIT_RETENTION_DAYS).toBe(180);
    expect(loadConfig({ RETENTION_DAYS: '30' }).AUDIT_RETENTION_DAYS).toBe(365);
  });

  it('ADMIN_TOKEN needs at least 32 characters', () => {
    const short = 'a-31-character-admin-token-0123';
    expect(short).toHaveLength(31);
    expect(() => loadConfig({ ADMIN_TOKEN: short })).toThrow(/^ADMIN_TOKEN: expects at least 32 characters$/);
    expect(loadConfig({ ADMIN_TOKEN: `${short}4` }).ADMIN_TOKEN).toBe(`${short}4`);
  });

  it('TRUST_PROXY is unset by default and names a header, lowercased', () => {
    expect(loadConfig({}).TRUST_PROXY).toBeUndefined();
    expect(loadConfig({ TRUST_PROXY: 'X-Forwarded-For' }).TRUST_PROXY).toBe('x-forwarded-for');
    expect(loadConfig({ TRUST_PROXY: 'x-real-ip' }).TRUST_PROXY).toBe('x-real-ip');
    expect(() => loadConfig({ TRUST_PROXY: 'x forwarded for' })).toThrow(
      /^TRUST_PROXY: expects an HTTP header name such as x-forwarded-for or x-real-ip$/,
    );
  });

  it('never echoes a secret value', () => {
    expect(() => loadConfig({ ADMIN_TOKEN: 'short-secret' })).toThrow(/^ADMIN_TOKEN: expects/);
    try {
      loadConfig({ ADMIN_TOKEN: 'short-secret' });
    } catch (err) {
      expect(String(err)).not.toContain('short-secret');
    }
  });

  it('a bad value stops start-up with exit code 1 and one line', async () => {
    const run = promisify(execFile);
    const result = await run('npx', ['tsx', 'src/main.ts'], { env: { ...process.env, REMINDER_OFFSETS: 'soon' } }).catch(
      (err: { code: number; stderr: string }) => err,
    );
    expect(result).toMatchObject({ code: 1 });
    const lines = (result as { stderr: string }).stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('REMINDER_OFFSETS');
  });
});
