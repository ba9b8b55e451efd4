import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Kysely, Migrator } from 'kysely';
import { createPool } from 'mysql2/promise';
import { describe, expect, it } from 'vitest';
import { createDb, migrate } from '../db/connect.ts';
import * as initial from '../db/migrations/20261128_0001_initial.ts';
import * as outbox from '../db/migrations/20261201_0002_outbox.ts';
import { DIALECTS } from './helpers/db.ts';

// Migration 0003 carries meetings over to the statuses scheduled, held, not_held and cancelled: a meeting cancelled after its
// start was not held; one cancelled before it stays cancelled; the others are untouched.

const MYSQL_SERVER = process.env.TEST_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306';

async function databaseAt(dialect: (typeof DIALECTS)[number]): Promise<{ url: string; drop(): Promise<void> }> {
  if (dialect === 'sqlite')
    return { url: `sqlite:${join(mkdtempSync(join(tmpdir(), 'tongxin-mig-')), 'db.sqlite')}`, drop: async () => {} };
  const name = `tongxin_mig_${process.pid}_${randomBytes(4).toString('hex')}`;
  const pool = createPool({ uri: MYSQL_SERVER });
  await pool.query(`CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_bin`);
  return {
    url: `${MYSQL_SERVER}/${name}`,
    async drop() {
      await pool.query(`DROP DATABASE IF EXISTS \`${name}\``);
      await pool.end();
    },
  };
}

describe.each(DIALECTS)('migration 0003 on %s', (dialect) => {
  it('turns cancellations after the start into not_held, and keeps the rest', async () => {
    const target = await databaseAt(dialect);
    const db = createDb(target.url);
    try {
      const provider = { getMigrations: async () => ({ '20261128_0001_initial': initial, '20261201_0002_outbox': outbox }) };
      await new Migrator({ db, provider }).migrateToLatest();
      const start = Date.UTC(2026, 10, 20, 7);
      const row = (id: string, status: string, updatedAt: number) => ({
        id,
        org_id: 'org1',
        branch_id: 'b1',
        code: id.toUpperCase(),
        type: 'lecture',
        topic: null,
        location: null,
        party_group: null,
        starts_at: start,
        status,
        tags: '[]',
        created_by: null,
        created_at: start - 86_400_000,
        updated_at: updatedAt,
      });
      await (db as unknown as Kysely<Record<string, Record<string, unknown>>>)
        .insertInto('meetings')
        .values([row('aft', 'cancelled', start + 600_000), row('bef', 'cancelled', start - 600_000), row('sch', 'scheduled', start - 1)])
        .execute();
      await migrate(db);
      const rows = await db.selectFrom('meetings').select(['id', 'status', 'status_note']).orderBy('id').execute();
      expect(rows).toEqual([
        { id: 'aft', status: 'not_held', status_note: null },
        { id: 'bef', status: 'cancelled', status_note: null },
        { id: 'sch', status: 'scheduled', status_note: null },
      ]);
    } finally {
      await db.destroy();
      await target.drop();
    }
  });
});
