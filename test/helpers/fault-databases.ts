import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createPool } from 'mysql2/promise';
import { afterAll } from 'vitest';

/**
 * The databases a fault test runs the service on, as [dialect, DATABASE_URL] pairs for describe.each:
 * an SQLite file (processes of their own share it) and a MariaDB database named for this test
 * process, both removed once the file's tests are done.
 */
export function faultDatabases(name: string): [string, string][] {
  const dir = mkdtempSync(join(tmpdir(), `tongxin-faults-${name}-`));
  const mysqlName = `tongxin_faults_${name}_${process.pid}`;
  afterAll(async () => {
    rmSync(dir, { recursive: true, force: true });
    const pool = createPool({ uri: 'mysql://root@127.0.0.1:3306' });
    await pool.query(`DROP DATABASE IF EXISTS \`${mysqlName}\``);
    await pool.end();
  });
  return [
    ['sqlite', `sqlite:${join(dir, `${name}.db`)}`],
    ['mysql', `mysql://root@127.0.0.1:3306/${mysqlName}`],
  ];
}
