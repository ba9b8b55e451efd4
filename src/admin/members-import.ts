import { createHash } from 'node:crypto';
import type { Kysely } from 'kysely';
import { parse } from 'csv-parse/sync';
import type { Database, Member } from '../../db/schema.ts';
import { listOrgBranches } from '../../db/branches.ts';
import { findMembersBy, listMembersByIds, memberState } from '../../db/members.ts';
import { getOrg, getOrgForUpdate } from '../../db/orgs.ts';
import { type Action, type MemberAction, type Refusal, mayChangeMember, memberChangeActions } from '../domain/policy.ts';
import { type Acting, Refused, audit } from './acting.ts';
import { csvText } from './csv-text.ts';
import { FIELD_LABELS, chineseField, inChinese } from './chinese.ts';
import { ID, ID_REASON, Problem, firstIssue } from './http.ts';
import { bodyState, memberBody, saveMemberIn } from './members.ts';
import { ACCOUNT_FIELDS, ACCOUNT_ORDER, type MemberBody, bodyFields, memberFields, memberSchema } from './schemas.ts';

// A roster in CSV: every row is read and checked first — its cells, and by the policy the change
// it makes — by reading the database only, so that a preview holds nothing; then the good rows are
// written like a PUT of each member, IMPORT_BATCH to a transaction, each checked again as it is
// written. A column the file does not have keeps what is stored.

export interface ImportError {
  /** The row as a spreadsheet numbers it: the header is row 1. */
  row: number;
  field: string;
  message: string;
  /** The 姓名 of the row, when it has one. */
  name?: string;
}

/** A row that can be imported: what it makes of the member. */
export interface ImportRow {
  row: number;
  id: string;
  name: string;
  change: 'create' | 'update' | 'same';
  body: MemberBody;
}

export interface ImportPlan {
  total: number;
  rows: ImportRow[];
  errors: ImportError[];
  /** The rows the policy refused, for the trail. */
  refused: { row: number; id: string; action: MemberAction; why: Refusal }[];
}

export interface ImportResult {
  total: number;
  imported: number;
  failed: number;
  errors: ImportError[];
}

const FIELDS = ['id', ...Object.keys(memberFields.shape)];
const REQUIRED = ['name', 'branch', 'role'];
const BOOLEAN: Record<string, boolean> = { true: true, false: false, '1': true, '0': false, 是: true, 否: false };

/** The Chinese headers, as secretaries' spreadsheets have them. */
const CHINESE_HEADERS: Record<string, string> = {
  编号: 'id',
  姓名: 'name',
  支部: 'branch',
  角色: 'role',
  党小组: 'group',
  预备党员: 'probationary',
  手机号: 'mobile',
  企业微信账号: ACCOUNT_FIELDS.wecom,
  钉钉账号: ACCOUNT_FIELDS.dingtalk,
};
const ROLE_WORDS: Record<string, string> = { 书记: 'secretary', 委员: 'committee', 党员: 'member' };

function checkHeader(header: string[]): string[] {
  const seen = new Set<string>();
  for (const [i, raw] of header.entries()) {
    const name = CHINESE_HEADERS[raw] ?? raw;
    header[i] = name;
    if (!FIELDS.includes(name))
      throw chineseField(
        'header',
        `没有「${raw}」这一列；可用的列为 ${Object.keys(CHINESE_HEADERS).join('、')}（或 ${FIELDS.join(', ')}）`,
      );
    if (seen.has(name)) throw chineseField('header', `「${FIELD_LABELS[name] ?? name}」列出现了两次`);
    seen.add(name);
  }
  const missing = REQUIRED.find((name) => !seen.has(name));
  if (missing) throw chineseField('header', `缺少「${FIELD_LABELS[missing]}」列`);
  return header;
}

interface Parsed {
  record: Record<string, string>;
  /** `lines`: the file line the record ends on, which is its spreadsheet row. */
  info: { error?: unknown; lines: number };
}

function parseCsv(text: string, maxRows: number | undefined): { columns: string[]; rows: Parsed[] } {
  let columns: string[] | undefined;
  let rows: Parsed[];
  try {
    rows = parse(text, {
      columns: (header: string[]) => {
        columns = checkHeader(header);
        return columns;
      },
      trim: true,
      skip_empty_lines: true,
      bom: true,
      // A row with the wrong number of cells is that row's error, not the whole file's.
      relax_column_count: true,
      info: true,
      // One past the cap is enough to know the file is over it.
      ...(maxRows ? { to: maxRows + 1 } : {}),
    }) as Parsed[];
  } catch (err) {
    if (err instanceof Problem) throw err;
    throw chineseField('body', `不是有效的 CSV（${(err as Error).message}），请用 Excel 另存为「CSV UTF-8」后重试`);
  }
  if (!columns) throw chineseField('body', '没有内容，第一行应为表头');
  if (maxRows && rows.length > maxRows) throw chineseField('body', `超过 ${maxRows} 行，请分批导入`);
  return { columns, rows };
}

/** Cells as the JSON body would give them: empty is absent, probationary and orgAdmin are booleans. */
function toBody(record: Record<string, string>): Record<string, unknown> | ImportError['field'] {
  const body: Record<string, unknown> = {};
  for (const [key, cell] of Object.entries(record)) {
    if (key === 'id' || cell === '') continue;
    if (key === 'probationary' || key === 'orgAdmin') {
      const flag = BOOLEAN[cell.toLowerCase()];
      if (flag === undefined) return key;
      body[key] = flag;
    } else if (key === 'role') {
      body[key] = ROLE_WORDS[cell] ?? cell;
    } else {
      body[key] = cell;
    }
  }
  return body;
}

/**
 * A member's id when the file has no 编号 column: the 钉钉账号, else the 企业微信账号, else one made
 * from the branch and name — the same on every import of the file, so that importing it again
 * updates rather than duplicates.
 */
function derivedId(record: Record<string, string>): string {
  const own = [record[ACCOUNT_FIELDS.dingtalk], record[ACCOUNT_FIELDS.wecom]].find((v) => v && ID.test(v));
  return (
    own ??
    `m-${createHash('sha256')
      .update(`${record.branch ?? ''}|${record.name ?? ''}`)
      .digest('hex')
      .slice(0, 16)}`
  );
}

/** The field a refused change is about, and the reason, as a secretary reads it. */
function refusalOf(action: Action, why: Refusal, body: MemberBody, stored: Member | undefined): { field: string; message: string } {
  if (why === 'scope') return { field: 'id', message: '是其他支部的党员，不能在本支部导入' };
  if (why === 'org-admin') return { field: 'id', message: '是机关党委管理员，其信息由系统管理员维护' };
  if (why === 'self') return { field: 'role', message: '不能调整自己的角色' };
  switch (action) {
    case 'member.accounts': {
      const platform = ACCOUNT_ORDER.find((p) => body.accounts[p] !== stored?.accounts[p]) ?? 'dingtalk';
      return { field: ACCOUNT_FIELDS[platform], message: '只能由机关党委管理员设置' };
    }
    case 'member.orgAdmin':
      return { field: 'orgAdmin', message: '只能由系统管理员设置' };
    case 'member.move':
      return { field: 'branch', message: '转到其他支部需由机关党委管理员办理' };
    case 'member.appoint':
      return { field: 'role', message: '任免书记需由机关党委管理员办理' };
    default:
      return { field: 'row', message: `无权办理（${action}）` };
  }
}

/** Rows per transaction: a large file neither commits row by row nor holds the database for seconds. */
export const IMPORT_BATCH = 200;

export interface ImportOptions {
  /** Refuse rows of any other branch (the console imports one branch's roster). */
  branchOnly?: string;
  /** Refuse a file of more rows than this. */
  maxRows?: number;
}

/**
 * Every row of the file checked as the import would write it, reading the database only: the
 * rows that can be imported and what each makes of its member, and the bad rows with why.
 */
export async function planImport(
  db: Kysely<Database>,
  acting: Acting,
  orgId: string,
  csv: Uint8Array,
  opts: ImportOptions = {},
): Promise<ImportPlan> {
  if (!(await getOrg(db, orgId))) throw new Problem(404, `unknown org ${orgId}`);
  const { columns, rows } = parseCsv(csvText(csv), opts.maxRows);
  // 支部 names the branch by id or by its name.
  const branches = await listOrgBranches(db, orgId);
  const branchIds = new Map([...branches.map((b) => [b.name, b.id] as const), ...branches.map((b) => [b.id, b.id] as const)]);
  for (const { record } of rows) if (record.branch) record.branch = branchIds.get(record.branch) ?? record.branch;
  const ids = rows.map(({ record }) => record.id || derivedId(record)).filter((id) => ID.test(id));
  const stored = new Map((await readInChunks(ids, (chunk) => listMembersByIds(db, orgId, chunk))).map((m) => [m.id, m]));
  // Platform user id → the member holding it now, and → the earlier row that took it.
  const holders = new Map<string, string>();
  for (const platform of ACCOUNT_ORDER) {
    const wanted = [...new Set(rows.map(({ record }) => record[ACCOUNT_FIELDS[platform]]).filter((v): v is string => !!v))];
    for (const m of await readInChunks(wanted, (chunk) => findMembersBy(db, orgId, platform, chunk)))
      holders.set(`${platform}:${m.accounts[platform]}`, m.id);
  }
  const claimed = new Map<string, number>();
  const idRows = new Map<string, number>();
  const plan: ImportPlan = { total: rows.length, rows: [], errors: [], refused: [] };

  for (const { record, info } of rows) {
    const row = info.lines;
    const fail = (field: string, message: string) =>
      plan.errors.push({ row, field, message: inChinese(field, message), ...(record.name ? { name: record.name } : {}) });
    if (info.error) {
      fail('row', '列数与表头不一致');
      continue;
    }
    // Before the branch-only check: a name the org has no branch of is that, not another branch.
    if (record.branch && !branchIds.has(record.branch)) {
      fail('branch', `没有名为「${record.branch}」的支部`);
      continue;
    }
    if (opts.branchOnly && record.branch && record.branch !== opts.branchOnly) {
      fail('branch', '不是本支部：只能导入本支部的党员');
      continue;
    }
    // An empty 编号 cell is as no 编号 column: the id is derived.
    const id = record.id || derivedId(record);
    if (!ID.test(id)) {
      fail('id', ID_REASON);
      continue;
    }
    const earlier = idRows.get(id);
    idRows.set(id, earlier ?? row);
    if (earlier !== undefined) {
      fail('id', `与第 ${earlier} 行重复`);
      continue;
    }
    const cells = toBody(record);
    if (typeof cells === 'string') {
      fail(cells, '应填「是」或「否」');
      continue;
    }
    const blank = REQUIRED.find((column) => cells[column] === undefined);
    if (blank) {
      fail(blank, '必填');
      continue;
    }
    const before = stored.get(id);
    // A column the file does not have keeps the stored value; a present column's empty cell clears it.
    const kept = before ? bodyFields(memberBody(before)) : {};
    const given = Object.fromEntries(columns.filter((c) => c !== 'id').map((c) => [c, cells[c] ?? null]));
    const parsed = memberSchema.safeParse({ ...kept, ...given });
    if (!parsed.success) {
      const { field, reason } = firstIssue(parsed.error);
      fail(field, reason);
      continue;
    }
    const body = parsed.data;
    const refused = mayChangeMember(acting.actor, orgId, id, before && memberState(before), bodyState(body));
    if (refused) {
      const { field, message } = refusalOf(refused.action, refused.why, body, before);
      fail(field, message);
      plan.refused.push({ row, id, ...refused });
      continue;
    }
    const taken = ACCOUNT_ORDER.flatMap((p) => {
      const value = body.accounts[p];
      if (!value) return [];
      const field = ACCOUNT_FIELDS[p];
      const row = claimed.get(`${p}:${value}`);
      if (row !== undefined) return [{ field, message: `已被第 ${row} 行使用` }];
      const holder = holders.get(`${p}:${value}`);
      return holder !== undefined && holder !== id ? [{ field, message: `已被党员 ${holder} 使用` }] : [];
    });
    if (taken[0]) {
      fail(taken[0].field, taken[0].message);
      continue;
    }
    for (const p of ACCOUNT_ORDER) if (body.accounts[p]) claimed.set(`${p}:${body.accounts[p]}`, row);
    const change = !before ? 'create' : memberChangeActions(memberState(before), bodyState(body)).length ? 'update' : 'same';
    plan.rows.push({ row, id, name: body.name, change, body });
  }
  return plan;
}

/** Reads for a long list of keys in statements of at most 500 of them. */
async function readInChunks<K, T>(keys: K[], read: (chunk: K[]) => Promise<T[]>): Promise<T[]> {
  const found: T[] = [];
  for (let i = 0; i < keys.length; i += 500) found.push(...(await read(keys.slice(i, i + 500))));
  return found;
}

/**
 * POST /admin/orgs/:org/members/import, and the console's confirmed import: the plan's good rows
 * are written IMPORT_BATCH to a transaction, each checked again as saveMember checks a PUT, so
 * that a bad row is reported and never blocks the good ones. The trail gets each change, and the
 * import itself with its counts.
 */
export async function importMembers(
  db: Kysely<Database>,
  acting: Acting,
  orgId: string,
  csv: Uint8Array,
  now: number,
  opts: ImportOptions = {},
): Promise<ImportResult> {
  const plan = await planImport(db, acting, orgId, csv, opts);
  const errors = [...plan.errors];
  const batches: ImportRow[][] = [];
  const changing = plan.rows.filter((r) => r.change !== 'same');
  for (let start = 0; start < changing.length; start += IMPORT_BATCH) batches.push(changing.slice(start, start + IMPORT_BATCH));
  // The import with its counts, and each row the policy refused, go on the trail with the last batch.
  const summary = async (trx: Kysely<Database>) => {
    for (const r of plan.refused)
      await audit(trx, acting, {
        at: now,
        orgId,
        action: r.action,
        object: `member:${r.id}`,
        detail: { row: r.row, why: r.why },
        result: 'refused',
      });
    await audit(trx, acting, {
      at: now,
      orgId,
      action: 'members.import',
      object: opts.branchOnly ? `branch:${opts.branchOnly}` : null,
      detail: { total: plan.total, imported: plan.total - errors.length, failed: errors.length },
    });
  };
  if (batches.length === 0) await db.transaction().execute(summary);
  for (const [i, batch] of batches.entries()) {
    await db.transaction().execute(async (trx) => {
      // As in saveMember: the org's admin writes one at a time, checks and writes together.
      if (!(await getOrgForUpdate(trx, orgId))) throw new Problem(404, `unknown org ${orgId}`);
      for (const { row, body, id, name } of batch) {
        try {
          await saveMemberIn(trx, acting, orgId, id, body, now);
        } catch (err) {
          // The database may have changed since the plan was read: the row is checked again.
          if (err instanceof Refused) errors.push({ row, ...refusalOf(err.action, err.why, body, undefined), name });
          else if (err instanceof Problem && err.status === 400)
            errors.push({ row, field: err.field ?? 'row', message: inChinese(err.field ?? 'row', err.reason ?? err.message), name });
          else throw err;
        }
      }
      if (i === batches.length - 1) await summary(trx);
    });
  }
  errors.sort((a, b) => a.row - b.row);
  return { total: plan.total, imported: plan.total - errors.length, failed: errors.length, errors };
}
