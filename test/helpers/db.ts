import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Kysely } from 'kysely';
import { createPool } from 'mysql2/promise';
import type { Database, Meeting } from '../../db/schema.ts';
import { newId } from '../../src/core/ids.ts';
import { openDb } from '../../db/connect.ts';
import { type MemberInput, putMember } from '../../db/members.ts';

const ALL_DIALECTS = ['sqlite', 'mysql'] as const;
export type TestDialect = (typeof ALL_DIALECTS)[number];

/**
 * Every database test runs once per dialect: all of them, or those named in TEST_DIALECTS
 * (`TEST_DIALECTS=sqlite` for a quick local loop). A name it does not know fails the run rather
 * than leaving a dialect silently untested.
 */
export const DIALECTS: readonly TestDialect[] = dialectsNamed(process.env.TEST_DIALECTS);

function dialectsNamed(names: string | undefined): readonly TestDialect[] {
  const named = (names ?? '')
    .split(',')
    .map((n) => n.trim())
    .filter(Boolean);
  if (!named.length) return ALL_DIALECTS;
  const unknown = named.filter((n) => !(ALL_DIALECTS as readonly string[]).includes(n));
  if (unknown.length) throw new Error(`TEST_DIALECTS names ${unknown.join(', ')}; known: ${ALL_DIALECTS.join(', ')}`);
  return ALL_DIALECTS.filter((d) => named.includes(d));
}

const MYSQL_SERVER = process.env.TEST_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306';

export interface TestDb {
  db: Kysely<Database>;
  url: string;
  close(): Promise<void>;
}

/**
 * A fresh, migrated database of its own: SQLite in memory (in a temporary file with `shared`, for a
 * test whose service processes open it too), or a throw-away MariaDB database.
 */
export async function openTestDb(dialect: TestDialect, opts: { shared?: boolean } = {}): Promise<TestDb> {
  if (dialect === 'sqlite') {
    const dir = opts.shared ? mkdtempSync(join(tmpdir(), 'tongxin-test-')) : undefined;
    const url = dir ? `sqlite:${join(dir, 'test.db')}` : 'sqlite::memory:';
    const db = await openDb(url);
    return {
      db,
      url,
      async close() {
        await db.destroy();
        if (dir) rmSync(dir, { recursive: true, force: true });
      },
    };
  }
  const name = `tongxin_test_${process.pid}_${randomBytes(4).toString('hex')}`;
  const url = `${MYSQL_SERVER}/${name}`;
  const db = await openDb(url);
  return {
    db,
    url,
    async close() {
      await db.destroy();
      const pool = createPool({ uri: MYSQL_SERVER });
      await pool.query(`DROP DATABASE IF EXISTS \`${name}\``);
      await pool.end();
    },
  };
}

/** Row counts of the tables that chat input may write: "stores nothing" is asserted against these. */
export async function countRows(db: Kysely<Database>): Promise<Record<string, number>> {
  const tables = ['service_reports', 'inbound_events', 'members', 'meetings', 'attendance', 'meeting_notes'] as const;
  const counts: Record<string, number> = {};
  for (const table of tables) counts[table] = await countOf(db, table);
  return counts;
}

/** A member row of org1's branch b1 with no platform ids; `fields` name the rest. */
export const memberRow = (fields: Partial<MemberInput> & Pick<MemberInput, 'id' | 'name'>): MemberInput => ({
  org_id: 'org1',
  branch_id: 'b1',
  role: 'member',
  party_group: null,
  probationary: false,
  mobile: null,
  accounts: {},
  ...fields,
});

/**
 * Puts members of `orgId` at `now`, each in branch b1 unless said, with the DingTalk id `dt-<id>`:
 * `(id, name, fields)`.
 */
export const memberPutter =
  (db: Kysely<Database>, orgId: string, now: number) =>
  (id: string, name: string, fields: Partial<MemberInput> = {}) =>
    putMember(db, memberRow({ org_id: orgId, id, name, accounts: { dingtalk: `dt-${id}` }, ...fields }), now);

/** A scheduled 党课 of org1's branch b1 with no topic or place, made now; `fields` name the rest. */
export const meetingRow = (fields: Partial<Meeting> & Pick<Meeting, 'code' | 'starts_at'>): Meeting => {
  const now = Date.now();
  return {
    id: newId(now),
    org_id: 'org1',
    branch_id: 'b1',
    type: 'lecture',
    topic: null,
    location: null,
    party_group: null,
    status: 'scheduled',
    status_note: null,
    tags: [],
    created_by: null,
    host_id: null,
    recorder_id: null,
    backfilled: false,
    created_at: now,
    updated_at: now,
    ...fields,
  };
};

/** The number of rows of `table`. */
export async function countOf(db: Kysely<Database>, table: keyof Database): Promise<number> {
  const row = await db
    .selectFrom(table)
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}
