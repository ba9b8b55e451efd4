import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createConnection } from 'mysql2/promise';
import { freePort } from './private-redis.ts';

// A MariaDB of a test's own (Debian's mariadbd, a fresh data directory, a free port), for faults
// the shared server must never see: stopped, hung (SIGSTOP), restarted. Only this process started
// it, and only it is stopped.

export interface PrivateMariadb {
  /** The server's URL without a database: append `/name`. */
  url: string;
  start(): Promise<void>;
  /** A clean shutdown, as `systemctl stop` does. */
  stop(): Promise<void>;
  /** Freezes the server (SIGSTOP): connections stay open and nothing answers. */
  hang(): void;
  resume(): void;
  close(): Promise<void>;
}

export async function startPrivateMariadb(): Promise<PrivateMariadb> {
  const dir = mkdtempSync(join(tmpdir(), 'tongxin-mariadb-'));
  const port = await freePort();
  const url = `mysql://root@127.0.0.1:${port}`;
  await promisify(execFile)('mariadb-install-db', [
    '--no-defaults',
    `--datadir=${join(dir, 'data')}`,
    '--auth-root-authentication-method=normal',
    '--skip-test-db',
    '--user=root',
  ]);
  let child: ChildProcess | null = null;
  const server: PrivateMariadb = {
    url,
    async start() {
      child = spawn(
        'mariadbd',
        [
          '--no-defaults',
          `--datadir=${join(dir, 'data')}`,
          `--port=${port}`,
          '--bind-address=127.0.0.1',
          `--socket=${join(dir, 'mysqld.sock')}`,
          `--pid-file=${join(dir, 'mysqld.pid')}`,
          '--user=root',
          '--skip-log-bin',
          '--innodb-buffer-pool-size=64M',
          `--log-error=${join(dir, 'error.log')}`,
        ],
        { stdio: 'ignore' },
      );
      for (let i = 0; i < 200; i++) {
        try {
          const conn = await createConnection({ host: '127.0.0.1', port, user: 'root' });
          await conn.end();
          return;
        } catch {
          await new Promise((r) => setTimeout(r, 100));
        }
      }
      throw new Error(`the private MariaDB on port ${port} did not come up`);
    },
    async stop() {
      const running = child;
      child = null;
      if (!running || running.exitCode !== null) return;
      running.kill('SIGCONT');
      running.kill('SIGTERM');
      await once(running, 'exit');
    },
    hang: () => child?.kill('SIGSTOP'),
    resume: () => child?.kill('SIGCONT'),
    async close() {
      await server.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  await server.start();
  return server;
}
