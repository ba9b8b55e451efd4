import { type Kysely, MysqlAdapter, sql } from 'kysely';

// Keeping an org's roster in step with its directory: the change events a platform announced (a
// count, so that one that comes while a sync reads is not taken as served by it), how many of them
// a finished sync served, and what the secretaries were last told.

export async function up(db: Kysely<unknown>): Promise<void> {
  const mysql = db.getExecutor().adapter instanceof MysqlAdapter;
  const table = db.schema
    .createTable('directory_syncs')
    .addColumn('org_id', 'varchar(64)', (c) => c.primaryKey())
    .addColumn('wanted', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('served', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('wanted_at', 'bigint')
    .addColumn('noticed_until', 'bigint')
    .addColumn('noticed', 'text')
    .addColumn('updated_at', 'bigint', (c) => c.notNull());
  // Ids compare as stored, as in every table: org `a` is not org `A`.
  await (mysql ? table.modifyEnd(sql`engine=InnoDB default charset=utf8mb4 collate=utf8mb4_bin`) : table).execute();
}
