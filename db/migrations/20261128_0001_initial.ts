import { type CreateTableBuilder, type Kysely, MysqlAdapter, sql } from 'kysely';

// The whole data model. Portable on MariaDB and SQLite: BIGINT epoch ms, text for JSON,
// 0/1 booleans, binary collation on MySQL so ids and de-duplication keys compare exactly.

export async function up(db: Kysely<unknown>): Promise<void> {
  const mysql = db.getExecutor().adapter instanceof MysqlAdapter;
  const long = mysql ? sql`mediumtext` : sql`text`;
  const table = (name: string) => {
    const builder = db.schema.createTable(name);
    return mysql ? builder.modifyEnd(sql`engine=InnoDB default charset=utf8mb4 collate=utf8mb4_bin`) : builder;
  };
  const stamps = <T extends string>(t: CreateTableBuilder<T>) =>
    t.addColumn('created_at', 'bigint', (c) => c.notNull()).addColumn('updated_at', 'bigint', (c) => c.notNull());

  await stamps(
    table('orgs')
      .addColumn('id', 'varchar(64)', (c) => c.primaryKey())
      .addColumn('name', 'varchar(200)', (c) => c.notNull())
      .addColumn('timezone', 'varchar(64)', (c) => c.notNull())
      .addColumn('digest_cron', 'varchar(100)'),
  ).execute();

  await stamps(
    table('channels')
      .addColumn('id', 'varchar(64)', (c) => c.primaryKey())
      .addColumn('org_id', 'varchar(64)', (c) => c.notNull())
      .addColumn('platform', 'varchar(16)', (c) => c.notNull())
      .addColumn('config', 'text', (c) => c.notNull()),
  ).execute();

  await stamps(
    table('branches')
      .addColumn('org_id', 'varchar(64)', (c) => c.notNull())
      .addColumn('id', 'varchar(64)', (c) => c.notNull())
      .addColumn('name', 'varchar(200)', (c) => c.notNull())
      .addPrimaryKeyConstraint('branches_pk', ['org_id', 'id']),
  ).execute();
  await db.schema.createIndex('branches_by_name').on('branches').columns(['org_id', 'name']).execute();

  await table('branch_chats')
    .addColumn('channel_id', 'varchar(64)', (c) => c.notNull())
    .addColumn('chat_id', 'varchar(128)', (c) => c.notNull())
    .addColumn('org_id', 'varchar(64)', (c) => c.notNull())
    .addColumn('branch_id', 'varchar(64)', (c) => c.notNull())
    .addColumn('webhook', 'varchar(512)')
    .addColumn('secret', 'varchar(512)')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('branch_chats_pk', ['channel_id', 'chat_id'])
    .execute();
  await db.schema.createIndex('branch_chats_by_branch').on('branch_chats').columns(['org_id', 'branch_id']).execute();

  await stamps(
    table('members')
      .addColumn('org_id', 'varchar(64)', (c) => c.notNull())
      .addColumn('id', 'varchar(64)', (c) => c.notNull())
      .addColumn('branch_id', 'varchar(64)', (c) => c.notNull())
      .addColumn('name', 'varchar(100)', (c) => c.notNull())
      .addColumn('role', 'varchar(16)', (c) => c.notNull())
      .addColumn('party_group', 'varchar(100)')
      .addColumn('probationary', 'smallint', (c) => c.notNull().defaultTo(0))
      .addColumn('mobile', 'varchar(32)')
      .addColumn('wecom_user_id', 'varchar(128)')
      .addColumn('dingtalk_user_id', 'varchar(128)')
      .addPrimaryKeyConstraint('members_pk', ['org_id', 'id']),
  ).execute();
  await db.schema.createIndex('members_by_branch').on('members').columns(['org_id', 'branch_id']).execute();
  await db.schema.createIndex('members_by_wecom').unique().on('members').columns(['org_id', 'wecom_user_id']).execute();
  await db.schema.createIndex('members_by_dingtalk').unique().on('members').columns(['org_id', 'dingtalk_user_id']).execute();

  await stamps(
    table('meetings')
      .addColumn('id', 'varchar(32)', (c) => c.primaryKey())
      .addColumn('org_id', 'varchar(64)', (c) => c.notNull())
      .addColumn('branch_id', 'varchar(64)', (c) => c.notNull())
      .addColumn('code', 'varchar(16)', (c) => c.notNull())
      .addColumn('type', 'varchar(16)', (c) => c.notNull())
      .addColumn('topic', 'varchar(500)')
      .addColumn('location', 'varchar(200)')
      .addColumn('party_group', 'varchar(100)')
      .addColumn('starts_at', 'bigint', (c) => c.notNull())
      .addColumn('status', 'varchar(16)', (c) => c.notNull())
      .addColumn('tags', 'varchar(200)', (c) => c.notNull())
      .addColumn('created_by', 'varchar(64)'),
  ).execute();
  await db.schema.createIndex('meetings_by_code').on('meetings').columns(['org_id', 'branch_id', 'code']).execute();
  await db.schema.createIndex('meetings_by_start').on('meetings').columns(['org_id', 'branch_id', 'starts_at']).execute();
  // The weekly digest loads a whole org's meetings (and their attendance) by time.
  await db.schema.createIndex('meetings_by_org_start').on('meetings').columns(['org_id', 'starts_at']).execute();

  await table('attendance')
    .addColumn('meeting_id', 'varchar(32)', (c) => c.notNull())
    .addColumn('member_id', 'varchar(64)', (c) => c.notNull())
    .addColumn('org_id', 'varchar(64)', (c) => c.notNull())
    .addColumn('status', 'varchar(16)', (c) => c.notNull())
    .addColumn('note', 'text')
    .addColumn('at', 'bigint', (c) => c.notNull())
    .addColumn('source', 'varchar(200)')
    .addColumn('makeup_note', 'text')
    .addColumn('makeup_at', 'bigint')
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('attendance_pk', ['meeting_id', 'member_id'])
    .execute();

  await table('meeting_notes')
    .addColumn('id', 'varchar(32)', (c) => c.primaryKey())
    .addColumn('meeting_id', 'varchar(32)', (c) => c.notNull())
    .addColumn('org_id', 'varchar(64)', (c) => c.notNull())
    .addColumn('member_id', 'varchar(64)', (c) => c.notNull())
    .addColumn('text', 'text', (c) => c.notNull())
    .addColumn('at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('meeting_notes_by_meeting').on('meeting_notes').columns(['meeting_id', 'at']).execute();

  await table('service_reports')
    .addColumn('id', 'varchar(32)', (c) => c.primaryKey())
    .addColumn('org_id', 'varchar(64)', (c) => c.notNull())
    .addColumn('branch_id', 'varchar(64)', (c) => c.notNull())
    .addColumn('member_id', 'varchar(64)', (c) => c.notNull())
    .addColumn('category', 'varchar(16)', (c) => c.notNull())
    .addColumn('text', 'text', (c) => c.notNull())
    .addColumn('tags', 'varchar(200)', (c) => c.notNull())
    .addColumn('at', 'bigint', (c) => c.notNull())
    .addColumn('source', 'varchar(200)')
    .execute();
  await db.schema.createIndex('service_reports_by_branch').on('service_reports').columns(['org_id', 'branch_id', 'at']).execute();
  await db.schema.createIndex('service_reports_by_member').on('service_reports').columns(['org_id', 'member_id', 'at']).execute();

  await table('inbound_events')
    .addColumn('channel_id', 'varchar(64)', (c) => c.notNull())
    .addColumn('message_id', 'varchar(128)', (c) => c.notNull())
    .addColumn('org_id', 'varchar(64)', (c) => c.notNull())
    .addColumn('received_at', 'bigint', (c) => c.notNull())
    .addColumn('reply', long)
    .addPrimaryKeyConstraint('inbound_events_pk', ['channel_id', 'message_id'])
    .execute();
  await db.schema.createIndex('inbound_events_by_time').on('inbound_events').columns(['received_at']).execute();

  await table('digests')
    .addColumn('org_id', 'varchar(64)', (c) => c.notNull())
    .addColumn('branch_id', 'varchar(64)', (c) => c.notNull())
    .addColumn('week', 'varchar(8)', (c) => c.notNull())
    .addColumn('content', long, (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('sent_at', 'bigint')
    .addPrimaryKeyConstraint('digests_pk', ['org_id', 'branch_id', 'week'])
    .execute();

  await stamps(
    table('deliveries')
      .addColumn('id', 'varchar(64)', (c) => c.primaryKey())
      .addColumn('org_id', 'varchar(64)', (c) => c.notNull())
      .addColumn('target', 'varchar(1000)', (c) => c.notNull())
      .addColumn('rate_key', 'varchar(200)', (c) => c.notNull())
      .addColumn('body', long, (c) => c.notNull())
      .addColumn('state', 'varchar(16)', (c) => c.notNull())
      .addColumn('merged_into', 'varchar(64)')
      .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('last_error', 'text'),
  ).execute();
  await db.schema.createIndex('deliveries_by_state').on('deliveries').columns(['state', 'updated_at']).execute();
  await db.schema.createIndex('deliveries_by_rate_key').on('deliveries').columns(['rate_key', 'state', 'created_at']).execute();

  await table('calendar_overrides')
    .addColumn('date', 'varchar(10)', (c) => c.primaryKey())
    .addColumn('kind', 'varchar(16)', (c) => c.notNull())
    .addColumn('name', 'varchar(100)')
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
}
