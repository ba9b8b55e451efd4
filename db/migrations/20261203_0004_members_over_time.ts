import { type Kysely, MysqlAdapter, sql } from 'kysely';

// Members over time: a member leaves (status `left`, when, why) without losing their
// history; a move to another branch is kept, so that past meetings keep who was expected at them;
// `org_admin` marks 机关党委 staff. Existing members are `active`, never moved, not org admins.

export async function up(db: Kysely<unknown>): Promise<void> {
  const mysql = db.getExecutor().adapter instanceof MysqlAdapter;
  await db.schema
    .alterTable('members')
    .addColumn('status', 'varchar(16)', (c) => c.notNull().defaultTo('active'))
    .execute();
  await db.schema.alterTable('members').addColumn('left_at', 'bigint').execute();
  await db.schema.alterTable('members').addColumn('left_reason', 'varchar(200)').execute();
  await db.schema
    .alterTable('members')
    .addColumn('org_admin', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();

  const moves = db.schema
    .createTable('member_moves')
    .addColumn('org_id', 'varchar(64)', (c) => c.notNull())
    .addColumn('member_id', 'varchar(64)', (c) => c.notNull())
    .addColumn('at', 'bigint', (c) => c.notNull())
    .addColumn('from_branch', 'varchar(64)', (c) => c.notNull())
    .addColumn('to_branch', 'varchar(64)', (c) => c.notNull())
    .addPrimaryKeyConstraint('member_moves_pk', ['org_id', 'member_id', 'at']);
  await (mysql ? moves.modifyEnd(sql`engine=InnoDB default charset=utf8mb4 collate=utf8mb4_bin`) : moves).execute();
  await db.schema.createIndex('member_moves_from').on('member_moves').columns(['org_id', 'from_branch']).execute();
}
