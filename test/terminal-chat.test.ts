import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';

// The terminal chat as a newcomer runs it: a child process on a fresh SQLite file, fed through stdin.

const dir = mkdtempSync(join(tmpdir(), 'tongxin-terminal-chat-'));
// The demo runs workers: their queues go under a prefix of this run's, removed after it.
const prefix = `tongxin-test-${randomBytes(4).toString('hex')}`;
afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  const redis = new Redis('redis://127.0.0.1:6379');
  const keys = await redis.keys(`${prefix}*`);
  if (keys.length) await redis.del(...keys);
  await redis.quit();
});

function chat(args: string[], input: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/terminal-chat.ts', ...args], {
      env: { ...process.env, DATABASE_URL: `sqlite:${join(dir, 'x.db')}`, QUEUE_PREFIX: prefix, LOG_LEVEL: 'silent' },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (s: string) => (stdout += s));
    child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(input);
  });
}

describe('npm run chat', () => {
  it('--demo seeds an org and answers 帮助 and 安排 through the real handlers', async () => {
    const { code, stdout, stderr } = await chat(['--demo'], '帮助\n安排 支委会 明天下午3点\nexit\n');
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toContain('使用说明');
    expect(stdout).toMatch(/已安排支部委员会会议（[A-Z0-9]{3}）/);
    expect(stdout).toMatch(/会议编号：[A-Z0-9]{3}　应到 1 人/);
    expect(stdout).not.toContain('**');
  });

  it('--group answers what is not a command, as the bot does to a group message that @-mentions it', async () => {
    const { code, stdout } = await chat(['--as', 'm1', '--group'], '随便说说\n');
    expect(code).toBe(0);
    expect(stdout).toContain('group chat demo-group');
    expect(stdout).toContain('没有看懂「随便说说」。发送「帮助」查看用法。');
  });

  it('an unknown --as exits 1 with one line naming how to add members', async () => {
    const { code, stdout, stderr } = await chat(['--as', 'nobody'], '');
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(stderr).toContain('PUT /admin/orgs/:org/members/:member');
  });
});
