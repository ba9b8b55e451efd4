import { type Kysely, MysqlAdapter, sql } from 'kysely';

// The trail of who did what (audit_log): appended in the transaction of each change it records,
// never edited, purged only after its own retention. Console sessions learn when they were last
// used (an idle session ends) and, for IT, which ADMIN_TOKEN they were opened with (a new token
// ends them); a member's sessions are found by member, to end them when her standing changes.

export async function up(db: Kysely<unknown>): Promise<void> {
  const mysql = db.getExecutor().adapter instanceof MysqlAdapter;
  const audit = db.schema
    .createTable('audit_log')
    .addColumn('id', 'varchar(32)', (c) => c.primaryKey())
    .addColumn('at', 'bigint', (c) => c.notNull())
    .addColumn('org_id', 'varchar(64)')
    .addColumn('actor_kind', 'varchar(8)', (c) => c.notNull())
    .addColumn('actor_id', 'varchar(64)')
    .addColumn('actor_name', 'varchar(100)')
    .addColumn('action', 'varchar(48)', (c) => c.notNull())
    .addColumn('object', 'varchar(200)')
    .addColumn('detail', 'text')
    .addColumn('address', 'varchar(64)')
    .addColumn('result', 'varchar(8)', (c) => c.notNull());
  await (mysql ? audit.modifyEnd(sql`engine=InnoDB default charset=utf8mb4 collate=utf8mb4_bin`) : audit).execute();
  await db.schema.createIndex('audit_log_by_org').on('audit_log').columns(['org_id', 'id']).execute();
  await db.schema.createIndex('audit_log_by_time').on('audit_log').column('at').execute();

  await db.schema.alterTable('console_sessions').addColumn('last_seen_at', 'bigint').execute();
  await db.schema.alterTable('console_sessions').addColumn('it_token', 'varchar(64)').execute();
  await db
    .updateTable('console_sessions' as never)
    .set({ last_seen_at: sql`created_at` } as never)
    .execute();
  await db.schema.createIndex('console_sessions_by_member').on('console_sessions').columns(['org_id', 'member_id']).execute();
}
