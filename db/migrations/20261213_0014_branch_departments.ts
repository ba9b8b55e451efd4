import { type Kysely, MysqlAdapter, sql } from 'kysely';

// The platform departments a branch's members sit in, as the directory (通讯录) lists them: a
// department of a channel maps to one branch (the key), with or without the departments under it.

export async function up(db: Kysely<unknown>): Promise<void> {
  const mysql = db.getExecutor().adapter instanceof MysqlAdapter;
  const table = db.schema
    .createTable('branch_departments')
    .addColumn('channel_id', 'varchar(64)', (c) => c.notNull())
    .addColumn('department_id', 'varchar(64)', (c) => c.notNull())
    .addColumn('org_id', 'varchar(64)', (c) => c.notNull())
    .addColumn('branch_id', 'varchar(64)', (c) => c.notNull())
    .addColumn('include_sub', 'smallint', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('branch_departments_pk', ['channel_id', 'department_id']);
  await (mysql ? table.modifyEnd(sql`engine=InnoDB default charset=utf8mb4 collate=utf8mb4_bin`) : table).execute();
  await db.schema.createIndex('branch_departments_by_branch').on('branch_departments').columns(['org_id', 'branch_id']).execute();
}
