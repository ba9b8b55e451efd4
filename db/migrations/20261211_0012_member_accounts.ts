import { type Kysely, MysqlAdapter, sql } from 'kysely';

// A member's platform accounts move to a table of their own, a row an account: a platform is a
// key, not a column, so another platform adds rows, not columns and indexes. One account per
// platform per member (the primary key), and a platform user is one member of an org (unique).

export async function up(db: Kysely<unknown>): Promise<void> {
  const mysql = db.getExecutor().adapter instanceof MysqlAdapter;
  const accounts = db.schema
    .createTable('member_accounts')
    .addColumn('org_id', 'varchar(64)', (c) => c.notNull())
    .addColumn('member_id', 'varchar(64)', (c) => c.notNull())
    .addColumn('platform', 'varchar(16)', (c) => c.notNull())
    .addColumn('user_id', 'varchar(128)', (c) => c.notNull())
    .addPrimaryKeyConstraint('member_accounts_pk', ['org_id', 'member_id', 'platform'])
    .addUniqueConstraint('member_accounts_by_user', ['org_id', 'platform', 'user_id']);
  await (mysql ? accounts.modifyEnd(sql`engine=InnoDB default charset=utf8mb4 collate=utf8mb4_bin`) : accounts).execute();

  for (const [platform, column, index] of [
    ['dingtalk', 'dingtalk_user_id', 'members_by_dingtalk'],
    ['wecom', 'wecom_user_id', 'members_by_wecom'],
  ] as const) {
    await sql`insert into member_accounts (org_id, member_id, platform, user_id)
      select org_id, id, ${platform}, ${sql.ref(column)} from members where ${sql.ref(column)} is not null`.execute(db);
    // SQLite drops no column an index names; MySQL names the table of the index it drops.
    const drop = db.schema.dropIndex(index);
    await (mysql ? drop.on('members') : drop).execute();
    await db.schema.alterTable('members').dropColumn(column).execute();
  }
}
