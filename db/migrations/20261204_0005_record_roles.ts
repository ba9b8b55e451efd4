import type { Kysely } from 'kysely';

// The 会议记录's 主持人 and 记录人 when the secretary names them (`纪要 code 主持人 姓名`); unset,
// the record names who scheduled the meeting and who wrote its first 纪要.

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('meetings').addColumn('host_id', 'varchar(64)').execute();
  await db.schema.alterTable('meetings').addColumn('recorder_id', 'varchar(64)').execute();
}
