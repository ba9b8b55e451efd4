import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { createPool } from 'mysql2/promise';
import { QUEUE_NAMES, createQueues } from '../jobs/queues.ts';

async function freePort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as { port: number }).port;
  server.close();
  return port;
}

async function waitForHealth(port: number, child: ChildProcess): Promise<Response> {
  for (let i = 0; i < 100; i++) {
    if (child.exitCode !== null) throw new Error(`the service exited with ${child.exitCode}`);
    try {
      // Redis may still be connecting for a moment after the port opens: wait for a 200.
      const res = await fetch(`http://127.0.0.1:${port}/healthz`);
      if (res.status === 200 || i === 99) return res;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error('the service did not answer /healthz within 20 s');
}

const dir = mkdtempSync(join(tmpdir(), 'tongxin-start-'));
const mysqlName = `tongxin_start_${process.pid}`;
const prefix = `tongxin-start-${process.pid}`;
afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  const queues = createQueues('redis://127.0.0.1:6379', prefix);
  await Promise.all(QUEUE_NAMES.map((name) => queues[name].obliterate({ force: true })));
  await queues.close();
  const pool = createPool({ uri: 'mysql://root@127.0.0.1:3306' });
  await pool.query(`DROP DATABASE IF EXISTS \`${mysqlName}\``);
  await pool.end();
});

// `npm start` is `tsx src/main.ts`: the same entry, run as a process of its own.
describe.each([
  ['sqlite', `sqlite:${join(dir, 'nested', 'tongxin.db')}`],
  ['mysql', `mysql://root@127.0.0.1:3306/${mysqlName}`],
])('the service on %s', (_dialect, url) => {
  it('starts, creates and migrates its database, answers /healthz 200, and stops on SIGTERM', async () => {
    const port = await freePort();
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      env: { ...process.env, PORT: String(port), DATABASE_URL: url, LOG_LEVEL: 'warn', QUEUE_PREFIX: prefix },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    try {
      const res = await waitForHealth(port, child);
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ db: 'ok', redis: 'ok' });
    } finally {
      child.kill('SIGTERM');
    }
    const [code] = await once(child, 'exit');
    expect(code).toBe(0);
  });
});
