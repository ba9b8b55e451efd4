import type { Context } from 'hono';
import type { BranchTable, Db, OrgTable } from '../../db/schema.ts';
import { getBranch } from '../../db/branches.ts';
import { getOrg } from '../../db/orgs.ts';
import { Problem, idParam } from './http.ts';

// The org (and branch) a route's path names, or a 404: one lookup for every admin route that reads.

export async function orgOfPath(db: Db, c: Context): Promise<OrgTable> {
  const id = idParam(c, 'org');
  const org = await getOrg(db, id);
  if (!org) throw new Problem(404, `unknown org ${id}`);
  return org;
}

export async function orgBranch(db: Db, c: Context): Promise<{ org: OrgTable; branch: BranchTable }> {
  const org = await orgOfPath(db, c);
  const branchId = idParam(c, 'branch');
  const branch = await getBranch(db, org.id, branchId);
  if (!branch) throw new Problem(404, `unknown branch ${branchId}`);
  return { org, branch };
}
