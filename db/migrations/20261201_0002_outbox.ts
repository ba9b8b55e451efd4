import { type Kysely, MysqlAdapter, sql } from 'kysely';

// The database as the record of what must be sent (the outbox): each meeting's reminders, when a
// delivery's job was added to the queue, and the Redis epoch the queue copy was last rebuilt for.

export async function up(db: Kysely<unknown>): Promise<void> {
  const mysql = db.getExecutor().adapter instanceof MysqlAdapter;
  const table = (name: string) => {
    const builder = db.schema.createTable(name);
    return mysql ? builder.modifyEnd(sql`engine=InnoDB default charset=utf8mb4 collate=utf8mb4_bin`) : builder;
  };

  await table('meeting_reminders')
    .addColumn('meeting_id', 'varchar(64)', (c) => c.notNull())
    .addColumn('kind', 'varchar(16)', (c) => c.notNull())
    .addColumn('offset_ms', 'bigint', (c) => c.notNull())
    .addColumn('org_id', 'varchar(64)', (c) => c.notNull())
    .addColumn('starts_at', 'bigint', (c) => c.notNull())
    .addColumn('due_at', 'bigint', (c) => c.notNull())
    .addColumn('state', 'varchar(16)', (c) => c.notNull())
    .addColumn('reason', 'varchar(300)')
    .addColumn('relayed_at', 'bigint')
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('meeting_reminders_pk', ['meeting_id', 'kind', 'offset_ms'])
    .execute();
  await db.schema.createIndex('meeting_reminders_by_state').on('meeting_reminders').columns(['state', 'relayed_at', 'due_at']).execute();

  await db.schema.alterTable('deliveries').addColumn('relayed_at', 'bigint').execute();
  await db.schema.createIndex('deliveries_by_relay').on('deliveries').columns(['relayed_at', 'state']).execute();

  await table('service_state')
    .addColumn('key', 'varchar(64)', (c) => c.primaryKey())
    .addColumn('value', 'varchar(200)', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
}
