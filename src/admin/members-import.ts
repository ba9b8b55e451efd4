import { createHash } from 'node:crypto';
import type { Kysely, Transaction } from 'kysely';
import { parse } from 'csv-parse/sync';
import type { Database } from '../../db/schema.ts';
import { listOrgBranches } from '../../db/branches.ts';
import { getOrg, getOrgForUpdate } from '../../db/orgs.ts';
import { csvText } from './csv-text.ts';
import { ID, ID_REASON, Problem, badField, firstIssue } from './http.ts';
import { saveMemberIn } from './members.ts';
import { type MemberBody, memberSchema } from './schemas.ts';

export interface ImportError {
  /** The row as a spreadsheet numbers it: the header is row 1. */
  row: number;
  field: string;
  message: string;
}

export interface ImportResult {
  total: number;
  imported: number;
  failed: number;
  errors: ImportError[];
}

const FIELDS = ['id', ...Object.keys(memberSchema.shape)];
const REQUIRED = ['name', 'branch', 'role'];
const PLATFORM_FIELDS = ['wecomUserId', 'dingtalkUserId'] as const;
const BOOLEAN: Record<string, boolean> = { true: true, false: false, '1': true, '0': false, 是: true, 否: false };

/** The Chinese headers of SPEC §9.3, as secretaries' spreadsheets have them. */
const CHINESE_HEADERS: Record<string, string> = {
  编号: 'id',
  姓名: 'name',
  支部: 'branch',
  角色: 'role',
  党小组: 'group',
  预备党员: 'probationary',
  手机号: 'mobile',
  企业微信账号: 'wecomUserId',
  钉钉账号: 'dingtalkUserId',
};
const ROLE_WORDS: Record<string, string> = { 书记: 'secretary', 委员: 'committee', 党员: 'member' };

function checkHeader(header: string[]): string[] {
  const seen = new Set<string>();
  for (const [i, raw] of header.entries()) {
    const name = CHINESE_HEADERS[raw] ?? raw;
    header[i] = name;
    if (!FIELDS.includes(name))
      throw badField('header', `unknown column "${raw}"; columns are ${FIELDS.join(', ')} or ${Object.keys(CHINESE_HEADERS).join(' ')}`);
    if (seen.has(name)) throw badField('header', `column "${name}" appears twice`);
    seen.add(name);
  }
  const missing = REQUIRED.find((name) => !seen.has(name));
  if (missing) throw badField('header', `column "${missing}" is required`);
  return header;
}

interface Parsed {
  record: Record<string, string>;
  /** `lines`: the file line the record ends on, which is its spreadsheet row. */
  info: { error?: unknown; lines: number };
}

function parseCsv(text: string): Parsed[] {
  let sawHeader = false;
  let rows: Parsed[];
  try {
    rows = parse(text, {
      columns: (header: string[]) => {
        sawHeader = true;
        return checkHeader(header);
      },
      trim: true,
      skip_empty_lines: true,
      bom: true,
      // A row with the wrong number of cells is that row's error, not the whole file's.
      relax_column_count: true,
      info: true,
    }) as Parsed[];
  } catch (err) {
    if (err instanceof Problem) throw err;
    throw badField('body', `not valid CSV: ${(err as Error).message}`);
  }
  if (!sawHeader) throw badField('body', 'expects CSV with a header row');
  return rows;
}

/** Cells as the JSON body would give them: empty is absent, probationary is a boolean. */
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
  const own = [record.dingtalkUserId, record.wecomUserId].find((v) => v && ID.test(v));
  return (
    own ??
    `m-${createHash('sha256')
      .update(`${record.branch ?? ''}|${record.name ?? ''}`)
      .digest('hex')
      .slice(0, 16)}`
  );
}

/** Rows per transaction: a large file neither commits row by row nor holds the database for seconds. */
export const IMPORT_BATCH = 200;

export interface ImportOptions {
  /** Check every row as the import would, then write nothing (the console's preview). */
  dryRun?: boolean;
  /** Refuse rows of any other branch (a secretary imports her own branch only). */
  branchOnly?: string;
}

/** Thrown to roll back a dry run's transaction once every row has been checked. */
class DryRunDone extends Error {}

/**
 * POST /admin/orgs/:org/members/import: each row is checked and saved like a PUT of that member,
 * so that a bad row is reported and never blocks the good ones; rows are written IMPORT_BATCH to a
 * transaction. A dry run checks every row in one transaction and rolls it back.
 */
export async function importMembers(
  db: Kysely<Database>,
  orgId: string,
  csv: Uint8Array,
  now: number,
  opts: ImportOptions = {},
): Promise<ImportResult> {
  if (!(await getOrg(db, orgId))) throw new Problem(404, `unknown org ${orgId}`);
  const rows = parseCsv(csvText(csv));
  // 支部 names the branch by id or by its name.
  const branches = await listOrgBranches(db, orgId);
  const branchIds = new Map([...branches.map((b) => [b.name, b.id] as const), ...branches.map((b) => [b.id, b.id] as const)]);
  const errors: ImportError[] = [];
  const idRows = new Map<string, number>();
  // Platform user id → the earlier row that took it, for a clearer message than the database's.
  const claimed = new Map<string, number>();

  async function importRows(trx: Transaction<Database>, batch: Parsed[]): Promise<void> {
    // As in saveMember: the org's admin writes one at a time, checks and writes together.
    if (!(await getOrgForUpdate(trx, orgId))) throw new Problem(404, `unknown org ${orgId}`);
    for (const { record, info } of batch) {
      const row = info.lines;
      const fail = (field: string, message: string) => errors.push({ row, field, message });
      if (info.error) {
        fail('row', 'has a different number of cells than the header');
        continue;
      }
      if (record.branch) record.branch = branchIds.get(record.branch) ?? record.branch;
      if (opts.branchOnly && record.branch && record.branch !== opts.branchOnly) {
        fail('branch', 'is not the branch being imported');
        continue;
      }
      const id = record.id ?? derivedId(record);
      if (!ID.test(id)) {
        fail('id', id ? ID_REASON : 'is required');
        continue;
      }
      const earlier = idRows.get(id);
      idRows.set(id, earlier ?? row);
      if (earlier !== undefined) {
        fail('id', `repeats row ${earlier}`);
        continue;
      }
      const body = toBody(record);
      if (typeof body === 'string') {
        fail(body, 'expects true, false, 1, 0, 是 or 否');
        continue;
      }
      const parsed = memberSchema.safeParse(body);
      if (!parsed.success) {
        const { field, reason } = firstIssue(parsed.error);
        fail(field, reason);
        continue;
      }
      const member: MemberBody = parsed.data;
      const dup = PLATFORM_FIELDS.find((f) => member[f] && claimed.has(`${f}:${member[f]}`));
      if (dup) {
        fail(dup, `already used by row ${claimed.get(`${dup}:${member[dup]}`)}`);
        continue;
      }
      try {
        await saveMemberIn(trx, orgId, id, member, now);
      } catch (err) {
        if (!(err instanceof Problem) || err.status !== 400) throw err;
        fail(err.field ?? 'row', err.reason ?? err.message);
        continue;
      }
      for (const f of PLATFORM_FIELDS) if (member[f]) claimed.set(`${f}:${member[f]}`, row);
    }
  }

  if (opts.dryRun) {
    try {
      await db.transaction().execute(async (trx) => {
        await importRows(trx, rows);
        throw new DryRunDone();
      });
    } catch (err) {
      if (!(err instanceof DryRunDone)) throw err;
    }
  } else {
    for (let start = 0; start < rows.length; start += IMPORT_BATCH) {
      await db.transaction().execute((trx) => importRows(trx, rows.slice(start, start + IMPORT_BATCH)));
    }
  }
  return { total: rows.length, imported: rows.length - errors.length, failed: errors.length, errors };
}
