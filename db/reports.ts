import type { StagedRow } from './inbound-batch.ts';
import type { Db, ServiceReport, ServiceReportTable } from './schema.ts';
import { heldRows } from './staging.ts';
import { storedTags, tagsColumn } from './tags.ts';

/** A report's row (or some of its columns) as the domain reads it: its tags decoded. */
export const reportOf = <R extends Pick<ServiceReportTable, 'tags'>>(row: R): Omit<R, 'tags'> & Pick<ServiceReport, 'tags'> => ({
  ...row,
  tags: storedTags(row.tags),
});

const storedReport = (report: ServiceReport): ServiceReportTable => ({ ...report, tags: tagsColumn(report.tags) });

/** A report as a row staged with its message's record (db/inbound-batch.ts). */
export const reportRow = (report: ServiceReport): StagedRow => ({ table: 'service_reports', row: storedReport(report) });

/** Stores a report; on a transaction that holds back its writes, with its batch's (db/staging.ts). */
export async function insertReport(db: Db, report: ServiceReport): Promise<void> {
  const held = heldRows(db);
  if (held) held.add(reportRow(report));
  else await db.insertInto('service_reports').values(storedReport(report)).execute();
}

/** A branch's or a member's reports made in [from, to), oldest first. */
export async function listReports(
  db: Db,
  orgId: string,
  of: { branchId: string } | { memberId: string },
  from: number,
  to: number,
): Promise<ServiceReport[]> {
  const query = db.selectFrom('service_reports').selectAll().where('org_id', '=', orgId).where('at', '>=', from).where('at', '<', to);
  const scoped = 'branchId' in of ? query.where('branch_id', '=', of.branchId) : query.where('member_id', '=', of.memberId);
  return (await scoped.orderBy('at').orderBy('id').execute()).map(reportOf);
}

/** The reports of some of an org's branches made in [from, to): their branch and tags only. */
export async function listReportTagsOfBranches(
  db: Db,
  orgId: string,
  branchIds: readonly string[],
  from: number,
  to: number,
): Promise<Pick<ServiceReport, 'branch_id' | 'tags'>[]> {
  if (branchIds.length === 0) return [];
  const rows = await db
    .selectFrom('service_reports')
    .select(['branch_id', 'tags'])
    .where('org_id', '=', orgId)
    .where('branch_id', 'in', [...branchIds])
    .where('at', '>=', from)
    .where('at', '<', to)
    .execute();
  return rows.map(reportOf);
}
