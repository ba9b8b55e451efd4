import type { Db, ServiceReportTable } from './schema.ts';

export async function insertReport(db: Db, report: ServiceReportTable): Promise<void> {
  await db.insertInto('service_reports').values(report).execute();
}

export async function listBranchReports(db: Db, orgId: string, branchId: string, from: number, to: number): Promise<ServiceReportTable[]> {
  return db
    .selectFrom('service_reports')
    .selectAll()
    .where('org_id', '=', orgId)
    .where('branch_id', '=', branchId)
    .where('at', '>=', from)
    .where('at', '<', to)
    .orderBy('at')
    .orderBy('id')
    .execute();
}

export async function listMemberReports(db: Db, orgId: string, memberId: string, from: number, to: number): Promise<ServiceReportTable[]> {
  return db
    .selectFrom('service_reports')
    .selectAll()
    .where('org_id', '=', orgId)
    .where('member_id', '=', memberId)
    .where('at', '>=', from)
    .where('at', '<', to)
    .orderBy('at')
    .execute();
}
