import type { Kysely } from 'kysely';

// The weekly digest reads an org's reports of the last four weeks: by time, and with the
// branch and member in the index, who reported is read from the index alone.

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createIndex('service_reports_by_time')
    .on('service_reports')
    .columns(['org_id', 'at', 'branch_id', 'member_id'])
    .execute();
}
