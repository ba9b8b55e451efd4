import { type LogEvent, sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLoggedDb } from '../db/connect.ts';
import { putMember } from '../db/members.ts';
import { KeyCursor, rowChunks } from '../db/row-chunks.ts';
import type { Db } from '../db/schema.ts';
import { DIALECTS, type TestDb, memberRow, openTestDb } from './helpers/db.ts';

// A result read in arrays (the weekly digest's six queries, db/digest-facts.ts): on MariaDB from a
// pool connection of its own, a few rows at a time; on SQLite whole. Either way every row once, in
// order, and a read given up or failed leaves the database serving.

const NOW = Date.UTC(2026, 11, 2);
/** 25 members: 11 in b1, 9 in b2, 5 in b3. */
const SIZES = { b1: 11, b2: 9, b3: 5 } as const;
/** More than the pool's ten connections: a connection kept by a read given up would leave the next query waiting. */
const GIVEN_UP = 12;

const membersInOrder = (db: Db) =>
  db.selectFrom('members').select(['branch_id', 'id', 'name']).where('org_id', '=', 'org1').orderBy('branch_id').orderBy('id');

async function all<T>(chunks: AsyncGenerator<T[]>): Promise<T[][]> {
  const out: T[][] = [];
  for await (const chunk of chunks) out.push(chunk);
  return out;
}

describe.each(DIALECTS)('reading a result in arrays on %s', (dialect) => {
  let t: TestDb;
  beforeAll(async () => {
    t = await openTestDb(dialect, { shared: true });
    for (const [branch, n] of Object.entries(SIZES)) {
      for (let i = 0; i < n; i++) {
        await putMember(t.db, memberRow({ id: `${branch}-m${String(i).padStart(2, '0')}`, branch_id: branch, name: `党员${i}` }), NOW);
      }
    }
  });
  afterAll(() => t.close());

  it('hands every row once, in the order of the query: in arrays of the size asked on MariaDB, whole on SQLite', async () => {
    const whole = await membersInOrder(t.db).execute();
    expect(whole).toHaveLength(25);
    const chunks = await all(rowChunks(t.db, membersInOrder(t.db), 4));
    expect(chunks.map((c) => c.length)).toEqual(dialect === 'mysql' ? [4, 4, 4, 4, 4, 4, 1] : [25]);
    expect(chunks.flat()).toEqual(whole);
  });

  it('a cursor takes the rows of each key in turn, across the arrays’ boundaries; a key that does not come next takes none', async () => {
    const cursor = new KeyCursor(rowChunks(t.db, membersInOrder(t.db), 4), 'branch_id');
    expect(await cursor.take('b0')).toEqual([]);
    const b1 = await cursor.take('b1');
    expect(b1.map((m) => m.id)).toEqual(Array.from({ length: 11 }, (_, i) => `b1-m${String(i).padStart(2, '0')}`));
    expect(await cursor.take('b3')).toEqual([]);
    expect(await cursor.take('b2')).toHaveLength(9);
    expect(await cursor.hasMore()).toBe(true);
    expect(await cursor.take('b3')).toHaveLength(5);
    expect(await cursor.hasMore()).toBe(false);
    await cursor.close();
  });

  it('reads given up after their first array leave the database serving', async () => {
    for (let i = 0; i < GIVEN_UP; i++) {
      const cursor = new KeyCursor(rowChunks(t.db, membersInOrder(t.db), 2), 'branch_id');
      expect(await cursor.take('b1')).toHaveLength(11);
      await cursor.close();
    }
    // Each of these takes a connection of the pool of ten, as a stream does.
    const counts = await Promise.all(
      Array.from({ length: GIVEN_UP }, () => t.db.selectFrom('members').select(sql<number>`count(*)`.as('n')).executeTakeFirstOrThrow()),
    );
    expect(counts.map((c) => Number(c.n))).toEqual(Array(GIVEN_UP).fill(25));
  });

  it('a failing query throws its error, which the log hook sees, and the database goes on serving; destroy closes it', async () => {
    const events: LogEvent[] = [];
    // Read first with rowChunks: Kysely ends a pool on destroy only if it has taken a connection from it.
    const logged = createLoggedDb(t.url, (e) => {
      events.push(e);
    });
    const failing = logged.selectFrom('members').select(sql<number>`no_such_column`.as('x'));
    await expect(all(rowChunks(logged, failing, 4))).rejects.toThrow(/no_such_column/);
    expect(events.map((e) => e.level)).toEqual(['error']);
    expect(await all(rowChunks(logged, membersInOrder(logged), 10))).toHaveLength(dialect === 'mysql' ? 3 : 1);
    expect(events.map((e) => e.level)).toEqual(['error', 'query']);
    await logged.destroy();
    await expect(all(rowChunks(logged, membersInOrder(logged), 10))).rejects.toThrow(/closed|destroyed/);
  });
});
