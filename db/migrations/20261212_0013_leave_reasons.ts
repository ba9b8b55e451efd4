import { type Kysely, MysqlAdapter, sql } from 'kysely';

// 请假 by a card's button records the leave at once, without a reason, and asks the member for one
// privately: the question stands here until she answers (her next line that is not a command) or
// gives the reason by typing 请假.

export async function up(db: Kysely<unknown>): Promise<void> {
  const mysql = db.getExecutor().adapter instanceof MysqlAdapter;
  const table = db.schema
    .createTable('leave_reason_requests')
    .addColumn('org_id', 'varchar(64)', (c) => c.notNull())
    .addColumn('member_id', 'varchar(64)', (c) => c.notNull())
    .addColumn('meeting_id', 'varchar(64)', (c) => c.notNull())
    .addColumn('asked_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('leave_reason_requests_pk', ['org_id', 'member_id', 'meeting_id']);
  // Ids compare as stored, as in every table.
  await (mysql ? table.modifyEnd(sql`engine=InnoDB default charset=utf8mb4 collate=utf8mb4_bin`) : table).execute();
}
