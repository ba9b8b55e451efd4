import type { DepartmentMapping } from '../src/domain/directory.ts';
import type { BranchDepartmentTable, Db } from './schema.ts';

// Which platform departments each branch's members sit in (the directory's mappings).

const toMapping = (r: Pick<BranchDepartmentTable, 'branch_id' | 'channel_id' | 'department_id' | 'include_sub'>): DepartmentMapping => ({
  branch: r.branch_id,
  channel: r.channel_id,
  departmentId: r.department_id,
  includeSub: Number(r.include_sub) === 1,
});

const COLUMNS = ['branch_id', 'channel_id', 'department_id', 'include_sub'] as const;

/** Makes `departments` the branch's exact set of mapped departments. */
export async function putBranchDepartments(
  db: Db,
  orgId: string,
  branchId: string,
  departments: readonly Omit<DepartmentMapping, 'branch'>[],
  now: number,
): Promise<void> {
  await db.deleteFrom('branch_departments').where('org_id', '=', orgId).where('branch_id', '=', branchId).execute();
  if (departments.length === 0) return;
  await db
    .insertInto('branch_departments')
    .values(
      departments.map((d) => ({
        channel_id: d.channel,
        department_id: d.departmentId,
        org_id: orgId,
        branch_id: branchId,
        include_sub: d.includeSub ? 1 : 0,
        created_at: now,
      })),
    )
    .execute();
}

/** The mappings of these departments (of any org: a department's key is its channel's), by channel and department. */
export async function findDepartmentMappings(
  db: Db,
  departments: readonly Pick<DepartmentMapping, 'channel' | 'departmentId'>[],
): Promise<(DepartmentMapping & { orgId: string })[]> {
  if (departments.length === 0) return [];
  const rows = await db
    .selectFrom('branch_departments')
    .select([...COLUMNS, 'org_id'])
    .where((eb) => eb.or(departments.map((d) => eb.and([eb('channel_id', '=', d.channel), eb('department_id', '=', d.departmentId)]))))
    .execute();
  return rows.map((r) => ({ ...toMapping(r), orgId: r.org_id }));
}

/** Every mapping of the org, by channel and department. */
export async function listOrgDepartments(db: Db, orgId: string): Promise<DepartmentMapping[]> {
  const rows = await db
    .selectFrom('branch_departments')
    .select(COLUMNS)
    .where('org_id', '=', orgId)
    .orderBy('channel_id')
    .orderBy('department_id')
    .execute();
  return rows.map(toMapping);
}

/** The mappings of some of an org's branches, by channel and department. */
export async function listDepartmentsOfBranches(db: Db, orgId: string, branchIds: readonly string[]): Promise<DepartmentMapping[]> {
  if (branchIds.length === 0) return [];
  const rows = await db
    .selectFrom('branch_departments')
    .select(COLUMNS)
    .where('org_id', '=', orgId)
    .where('branch_id', 'in', [...branchIds])
    .orderBy('channel_id')
    .orderBy('department_id')
    .execute();
  return rows.map(toMapping);
}

/** Whether a branch maps any department of the channel: only then does its directory's change matter. */
export async function channelHasDepartments(db: Db, channelId: string): Promise<boolean> {
  const row = await db.selectFrom('branch_departments').select('org_id').where('channel_id', '=', channelId).limit(1).executeTakeFirst();
  return row !== undefined;
}

/** The orgs whose branches map departments, with their time zones, by id. */
export async function listMappedOrgs(db: Db): Promise<{ id: string; timezone: string }[]> {
  return db
    .selectFrom('orgs')
    .select(['orgs.id', 'orgs.timezone'])
    .where((eb) =>
      eb.exists(
        eb.selectFrom('branch_departments').select('branch_departments.org_id').whereRef('branch_departments.org_id', '=', 'orgs.id'),
      ),
    )
    .orderBy('orgs.id')
    .execute();
}
