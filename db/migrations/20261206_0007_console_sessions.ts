import { type Kysely, MysqlAdapter, sql } from 'kysely';

// Sessions of the console: a secretary or org admin signed in from a chat link, or IT
// with ADMIN_TOKEN (no member). Only a hash of the cookie's token is kept; what a session may see
// is read from the member's role at each request, so a changed role applies at once.

export async function up(db: Kysely<unknown>): Promise<void> {
  const mysql = db.getExecutor().adapter instanceof MysqlAdapter;
  const builder = db.schema.createTable('console_sessions');
  await (mysql ? builder.modifyEnd(sql`engine=InnoDB default charset=utf8mb4 collate=utf8mb4_bin`) : builder)
    .addColumn('id', 'varchar(64)', (c) => c.primaryKey())
    .addColumn('org_id', 'varchar(64)')
    .addColumn('member_id', 'varchar(64)')
    .addColumn('csrf', 'varchar(64)', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .addColumn('ended_at', 'bigint')
    .execute();
  await db.schema.createIndex('console_sessions_by_expiry').on('console_sessions').column('expires_at').execute();
}
