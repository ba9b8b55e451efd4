import { randomUUID } from 'node:crypto';
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import { createDb } from '../db/connect.ts';

// The floor of a stored callback: the service's framework and Node adapter, and a Kysely
// built by the service's createDb on the same database (same pool; SQLite in WAL, synchronous=NORMAL),
// reading the body and storing it with one INSERT — no verification, decryption, lookup or transaction.

interface FloorTable {
  id: string;
  body: string;
  at: number;
}

const url = process.env.DATABASE_URL;
if (!url) throw new Error('DATABASE_URL names the database the floor writes to');
const db = createDb(url).withTables<{ bench_floor: FloorTable }>();
await db.schema
  .createTable('bench_floor')
  .ifNotExists()
  .addColumn('id', 'varchar(64)', (c) => c.primaryKey())
  .addColumn('body', 'text', (c) => c.notNull())
  .addColumn('at', 'bigint', (c) => c.notNull())
  .execute();

const app = new Hono();
app.get('/', (c) => c.text('ok'));
app.post('*', async (c) => {
  const row = { id: randomUUID(), body: await c.req.text(), at: Date.now() };
  await db.insertInto('bench_floor').values(row).execute();
  return c.json({ ok: true, id: row.id });
});

serve({ fetch: app.fetch, port: Number(process.env.PORT) });
