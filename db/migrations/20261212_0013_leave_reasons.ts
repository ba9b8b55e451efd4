import type { Kysely } from 'kysely';

// 请假 by a card's button records the leave at once, without a reason, and asks the member for one
// privately: the question stands here until she answers (her next line that is not a command) or
// gives the reason by typing 请假.

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('leave_reason_requests')
    .addColumn('org_id', 'varchar(64)', (c) => c.notNull())
    .addColumn('member_id', 'varchar(64)', (c) => c.notNull())
    .addColumn('meeting_id', 'varchar(64)', (c) => c.notNull())
    .addColumn('asked_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('leave_reason_requests_pk', ['org_id', 'member_id', 'meeting_id'])
    .execute();
}
