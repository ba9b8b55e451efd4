import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Kysely, Migrator } from 'kysely';
import { createPool } from 'mysql2/promise';
import { describe, expect, it } from 'vitest';
import { createDb, migrate, migrations } from '../db/connect.ts';
import { DIALECTS } from './helpers/db.ts';

/** The service's migrations named before `name`: a database as an older release left it. */
const migrationsBefore = (name: string) => Object.fromEntries(Object.entries(migrations).filter(([migration]) => migration < name));

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
      const provider = { getMigrations: async () => migrationsBefore('20261202') };
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

// Migration 0012 moves members' platform ids into member_accounts, a row an account, and drops the
// columns: one account per platform per member, a platform user one member of an org.

describe.each(DIALECTS)('migration 0012 on %s', (dialect) => {
  it('copies each platform id to an account, drops the columns, and keeps a platform user to one member', async () => {
    const target = await databaseAt(dialect);
    const db = createDb(target.url);
    try {
      const before = migrationsBefore('20261211_0012_member_accounts');
      await new Migrator({ db, provider: { getMigrations: async () => before } }).migrateToLatest();
      const row = (org_id: string, id: string, dingtalk: string | null, wecom: string | null) => ({
        org_id,
        id,
        branch_id: 'b1',
        name: id,
        role: 'member',
        party_group: null,
        probationary: 0,
        mobile: null,
        wecom_user_id: wecom,
        dingtalk_user_id: dingtalk,
        created_at: 1,
        updated_at: 1,
      });
      await (db as unknown as Kysely<Record<string, Record<string, unknown>>>)
        .insertInto('members')
        .values([
          row('o1', 'both', 'd-both', 'w-both'),
          row('o1', 'ding', 'd-1', null),
          row('o1', 'none', null, null),
          row('o1', 'wecom', null, 'w-1'),
          row('o2', 'ding', 'd-1', null),
        ])
        .execute();
      await migrate(db);

      const accounts = await db
        .selectFrom('member_accounts')
        .selectAll()
        .orderBy('org_id')
        .orderBy('member_id')
        .orderBy('platform')
        .execute();
      expect(accounts).toEqual([
        { org_id: 'o1', member_id: 'both', platform: 'dingtalk', user_id: 'd-both' },
        { org_id: 'o1', member_id: 'both', platform: 'wecom', user_id: 'w-both' },
        { org_id: 'o1', member_id: 'ding', platform: 'dingtalk', user_id: 'd-1' },
        { org_id: 'o1', member_id: 'wecom', platform: 'wecom', user_id: 'w-1' },
        { org_id: 'o2', member_id: 'ding', platform: 'dingtalk', user_id: 'd-1' },
      ]);
      const columns = Object.keys(
        (await db.selectFrom('members').selectAll().where('id', '=', 'none').executeTakeFirstOrThrow()) as object,
      );
      expect(columns).not.toContain('dingtalk_user_id');
      expect(columns).not.toContain('wecom_user_id');

      const add = (org_id: string, member_id: string, platform: 'dingtalk' | 'wecom', user_id: string) =>
        db.insertInto('member_accounts').values({ org_id, member_id, platform, user_id }).execute();
      // A platform user is one member of an org; a member has one account a platform.
      await expect(add('o1', 'none', 'dingtalk', 'd-1')).rejects.toThrow();
      await expect(add('o1', 'ding', 'dingtalk', 'd-2')).rejects.toThrow();
      await add('o1', 'none', 'wecom', 'd-1');
      await add('o2', 'both', 'dingtalk', 'd-both');
      expect(
        await db.selectFrom('member_accounts').select('member_id').where('org_id', '=', 'o1').where('user_id', '=', 'd-1').execute(),
      ).toHaveLength(2);
    } finally {
      await db.destroy();
      await target.drop();
    }
  });
});
