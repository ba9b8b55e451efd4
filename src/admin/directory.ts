import type { Transaction } from 'kysely';
import {
  findDepartmentMappings,
  listDepartmentsOfBranches,
  listOrgDepartments,
  putBranchDepartments,
} from '../../db/branch-departments.ts';
import { getBranch } from '../../db/branches.ts';
import { listOrgChannels } from '../../db/channels.ts';
import { listOrgMembers } from '../../db/members.ts';
import { getOrg, getOrgForUpdate } from '../../db/orgs.ts';
import type { Database } from '../../db/schema.ts';
import { directoryContext, directoryRefusal, rosterEntry, writeDirectoryChanges } from '../../jobs/directory-apply.ts';
import type { Channel } from '../domain/channels.ts';
import { type DepartmentMapping, type DirectoryPreview, type DirectorySnapshot, directoryPreview } from '../domain/directory.ts';
import { decide } from '../domain/policy.ts';
import {
  DirectoryError,
  type NamedDepartment,
  checkDepartment,
  departmentChildren,
  directoryOf,
  readDirectory,
  readsDirectory,
} from '../platforms/directory.ts';
import { type Acting, Refused, audit, authorise } from './acting.ts';
import type { ServiceDeps } from './deps.ts';
import { Problem, badField } from './http.ts';

// The roster from the platforms' directories (通讯录). A branch's departments are checked against
// the platform as they are saved. A preview reads the directories and compares them with the
// roster; an apply reads them again and writes the preview it was given only if the same preview
// comes out of what it read — the directory, the mappings and the roster unchanged — in one
// transaction, each member's change decided by the policy and written to the trail
// (jobs/directory-apply.ts, which the daily sync's writes share). Nothing is deleted: who is gone is
// marked left from now on, her records kept.

export type DirectoryDeps = Pick<ServiceDeps, 'db' | 'redis' | 'logger' | 'clock' | 'config'>;

const sendContext = ({ db, redis, logger, clock, config }: DirectoryDeps) => directoryContext({ db, redis, logger, clock, config });

/** A directory's failure as the admin reads it, on `field` where a saved department is at fault. */
function directoryProblem(err: DirectoryError, field?: string): Problem {
  const channel = err.channel === null ? '渠道' : `渠道 ${err.channel} `;
  const code = err.code === null ? '' : `（平台错误码 ${err.code}）`;
  const say = (reason: string) => (field ? badField(field, reason) : new Problem(400, reason));
  switch (err.failure) {
    case 'unknown-department':
      return say(`${channel}的通讯录中没有编号为「${err.department ?? ''}」的部门${code}。`);
    case 'permission':
      return say(`${channel}无权读取通讯录${code}。${err.hint ?? ''}`);
    case 'unavailable':
      return new Problem(502, `暂时无法读取${channel}的通讯录${code}，请稍后再试；名单未作任何改动。`);
  }
}

/**
 * Checks a branch's departments before they are saved: each of a channel of the org that reads a
 * directory, listed once, and known to the platform. Throws a Problem in Chinese naming the field.
 */
export async function checkBranchDepartments(
  deps: DirectoryDeps,
  orgId: string,
  departments: readonly Omit<DepartmentMapping, 'branch'>[],
): Promise<void> {
  if (departments.length === 0) return;
  const channels = await listOrgChannels(deps.db, orgId);
  const ctx = sendContext(deps);
  const seen = new Set<string>();
  for (const [i, d] of departments.entries()) {
    const key = JSON.stringify([d.channel, d.departmentId]);
    if (seen.has(key)) throw badField(`departments.${i}.departmentId`, '重复列出了同一部门。');
    seen.add(key);
    const channel = channels.find((c) => c.id === d.channel);
    if (!channel) throw badField(`departments.${i}.channel`, `本单位没有编号为「${d.channel}」的渠道。`);
    if (!directoryOf(ctx, channel))
      throw badField(`departments.${i}.channel`, `渠道 ${d.channel} 不能读取通讯录：请用钉钉企业内部应用或企业微信自建应用的渠道。`);
    try {
      await checkDepartment(ctx, channel, d.departmentId);
    } catch (err) {
      if (err instanceof DirectoryError) throw directoryProblem(err, `departments.${i}.departmentId`);
      throw err;
    }
  }
}

/** The org's channels whose directory a branch may name departments of. */
export async function directoryChannels(deps: Pick<DirectoryDeps, 'db'>, orgId: string): Promise<Channel[]> {
  return (await listOrgChannels(deps.db, orgId)).filter(readsDirectory);
}

export type DepartmentChoices = { ok: true; departments: NamedDepartment[] } | { ok: false; error: string };

/** The departments right under `under` in the channel's directory, read now for an org admin to pick from; why not, in Chinese. */
export async function departmentChoices(deps: DirectoryDeps, channel: Channel, under: string): Promise<DepartmentChoices> {
  try {
    return { ok: true, departments: await departmentChildren(sendContext(deps), channel, under) };
  } catch (err) {
    if (!(err instanceof DirectoryError)) throw err;
    return { ok: false, error: directoryProblem(err).message };
  }
}

const mappingKey = (d: Pick<DepartmentMapping, 'channel' | 'departmentId'>) => JSON.stringify([d.channel, d.departmentId]);

/**
 * Makes `departments` the branch's, as an org admin sets them in the console: those the branch did
 * not have are asked of the platform first (one deleted there since can still be taken off), then
 * all are saved, refused when one is another branch's, and the change goes to the trail. A refusal
 * changes nothing.
 */
export async function setBranchDepartments(
  deps: DirectoryDeps,
  acting: Acting,
  orgId: string,
  branchId: string,
  departments: readonly Omit<DepartmentMapping, 'branch'>[],
): Promise<void> {
  authorise(acting, 'branch.write', { kind: 'branch', orgId, branchId });
  const had = new Set((await listDepartmentsOfBranches(deps.db, orgId, [branchId])).map(mappingKey));
  await checkBranchDepartments(
    deps,
    orgId,
    departments.filter((d) => !had.has(mappingKey(d))),
  );
  await deps.db.transaction().execute(async (trx) => {
    if (!(await getOrgForUpdate(trx, orgId))) throw new Problem(404, `unknown org ${orgId}`);
    const now = deps.clock.now();
    await saveBranchDepartments(trx, orgId, branchId, departments, now);
    await audit(trx, acting, { at: now, orgId, action: 'branch.write', object: `branch:${branchId}`, detail: { departments } });
  });
}

/** Saves a branch's departments in its transaction: refused when one of them is another branch's. */
export async function saveBranchDepartments(
  trx: Transaction<Database>,
  orgId: string,
  branchId: string,
  departments: readonly Omit<DepartmentMapping, 'branch'>[],
  now: number,
): Promise<void> {
  for (const other of await findDepartmentMappings(trx, departments)) {
    if (other.orgId === orgId && other.branch === branchId) continue;
    const i = departments.findIndex((d) => d.channel === other.channel && d.departmentId === other.departmentId);
    const branch = other.orgId === orgId ? await getBranch(trx, orgId, other.branch) : undefined;
    const owner = branch ? `支部「${branch.name}」（${branch.id}）` : '另一个支部';
    throw badField(`departments.${i}.departmentId`, `该部门已对应${owner}：一个部门只能对应一个支部。`);
  }
  await putBranchDepartments(trx, orgId, branchId, departments, now);
}

async function readSnapshot(
  deps: DirectoryDeps,
  channels: readonly Channel[],
  mappings: readonly DepartmentMapping[],
): Promise<DirectorySnapshot> {
  try {
    return await readDirectory(sendContext(deps), channels, mappings);
  } catch (err) {
    if (!(err instanceof DirectoryError)) throw err;
    const problem = directoryProblem(err);
    // A department deleted on the platform since it was mapped: the branch's setting is what to change.
    const mapping = mappings.find((m) => m.channel === err.channel && m.departmentId === err.department);
    if (err.failure === 'unknown-department' && mapping)
      throw new Problem(400, `${problem.message}请修改支部 ${mapping.branch} 的部门设置。`);
    throw problem;
  }
}

/** What following the org's directories would change in its roster. 404 when the org does not exist. */
export async function previewDirectory(deps: DirectoryDeps, acting: Acting, orgId: string): Promise<DirectoryPreview> {
  const decision = decide(acting.actor, 'directory.preview', { kind: 'org', orgId });
  if (!decision.ok) throw new Problem(decision.why === 'scope' ? 404 : 403, `directory.preview: refused (${decision.why})`);
  if (!(await getOrg(deps.db, orgId))) throw new Problem(404, `unknown org ${orgId}`);
  const mappings = await listOrgDepartments(deps.db, orgId);
  const snapshot = await readSnapshot(deps, await listOrgChannels(deps.db, orgId), mappings);
  const roster = await listOrgMembers(deps.db, orgId);
  return directoryPreview(snapshot, mappings, roster.map(rosterEntry));
}

/** JSON with every object's keys in order: two previews are the same when these are. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v !== null && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );
}

export interface ApplyResult {
  basis: string;
  applied: { newMembers: number; renamed: number; moved: number; gone: number };
  /** Listed in the preview, left for an org admin. */
  notApplied: { conflicts: number; returning: number };
}

/**
 * Applies `submitted`, a preview as previewDirectory gave it, if the directories read again, the
 * mappings and the roster give the very same preview: 409 when they changed since, 400 when it is
 * not a preview they gave or when a mapped department lists nobody and `confirmEmpty` is not set;
 * Refused when the policy does not let `acting` make one of its changes. All of it or nothing.
 */
export function applyDirectory(
  deps: DirectoryDeps,
  acting: Acting,
  orgId: string,
  submitted: { basis: string },
  confirmEmpty: boolean,
): Promise<ApplyResult> {
  return applyOnBasis(deps, acting, orgId, submitted.basis, confirmEmpty, submitted);
}

/**
 * Applies the preview the console showed, named by its basis: the same directories, mappings and
 * roster give the same preview, so the basis is that preview. As applyDirectory otherwise.
 */
export function applyShownDirectory(
  deps: DirectoryDeps,
  acting: Acting,
  orgId: string,
  basis: string,
  confirmEmpty: boolean,
): Promise<ApplyResult> {
  return applyOnBasis(deps, acting, orgId, basis, confirmEmpty, null);
}

async function applyOnBasis(
  deps: DirectoryDeps,
  acting: Acting,
  orgId: string,
  basis: string,
  confirmEmpty: boolean,
  /** The preview as submitted, to be the one computed; null when only its basis is. */
  submitted: { basis: string } | null,
): Promise<ApplyResult> {
  authorise(acting, 'directory.apply', { kind: 'org', orgId });
  const { db, clock } = deps;
  if (!(await getOrg(db, orgId))) throw new Problem(404, `unknown org ${orgId}`);
  // Read before the transaction: the platforms are not waited for while the org is held.
  const snapshot = await readSnapshot(deps, await listOrgChannels(db, orgId), await listOrgDepartments(db, orgId));
  const now = clock.now();
  return db.transaction().execute(async (trx) => {
    if (!(await getOrgForUpdate(trx, orgId))) throw new Problem(404, `unknown org ${orgId}`);
    const mappings = await listOrgDepartments(trx, orgId);
    const members = await listOrgMembers(trx, orgId);
    const preview = directoryPreview(snapshot, mappings, members.map(rosterEntry));
    if (preview.basis !== basis) throw new Problem(409, '预览之后通讯录或名单已有变化，请重新预览后再确认。');
    if (submitted && canonical(preview) !== canonical(submitted))
      throw badField('preview', '与其依据算出的预览不符：请原样提交预览的结果。');
    if (preview.emptyDepartments.length > 0 && !confirmEmpty) {
      const listed = preview.emptyDepartments.map((d) => `渠道 ${d.channel} 的部门「${d.department}」`).join('、');
      throw badField('confirmEmpty', `${listed}在通讯录中没有人员；若确无人员，请以 confirmEmpty: true 确认后再提交。`);
    }
    const byId = new Map(members.map((m) => [m.id, m]));
    const refused = directoryRefusal(acting.actor, orgId, preview, byId);
    if (refused) throw new Refused(refused.action, refused.why);
    await writeDirectoryChanges(trx, acting, orgId, preview, byId, now);
    const applied = {
      newMembers: preview.newMembers.length,
      renamed: preview.renamed.length,
      moved: preview.moved.length,
      gone: preview.gone.length,
    };
    const notApplied = { conflicts: preview.conflicts.length, returning: preview.returning.length };
    await audit(trx, acting, {
      at: now,
      orgId,
      action: 'directory.apply',
      object: `org:${orgId}`,
      detail: { basis: preview.basis, ...applied, ...notApplied, ...(preview.emptyDepartments.length ? { confirmEmpty } : {}) },
    });
    return { basis: preview.basis, applied, notApplied };
  });
}
