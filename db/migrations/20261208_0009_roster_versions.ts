import { type Kysely, MysqlAdapter, sql } from 'kysely';

// A counter per org, raised in the transaction of every write of its settings or members: a
// process checks this one row each CACHE_TTL instead of reading every roster it keeps again.

export async function up(db: Kysely<unknown>): Promise<void> {
  const mysql = db.getExecutor().adapter instanceof MysqlAdapter;
  const builder = db.schema.createTable('roster_versions');
  await (mysql ? builder.modifyEnd(sql`engine=InnoDB default charset=utf8mb4 collate=utf8mb4_bin`) : builder)
    .addColumn('org_id', 'varchar(64)', (c) => c.primaryKey())
    .addColumn('version', 'bigint', (c) => c.notNull())
    .execute();
}
