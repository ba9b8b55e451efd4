import type { Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { putBranch } from '../db/branches.ts';
import { listMembersPage, putMember } from '../db/members.ts';
import { putOrg } from '../db/orgs.ts';
import type { Database } from '../db/schema.ts';
import { itActing } from '../src/admin/acting.ts';
import { IMPORT_BATCH, importMembers, planImport } from '../src/admin/members-import.ts';
import { DIALECTS, type TestDb, memberRow, openTestDb } from './helpers/db.ts';

const NOW = Date.UTC(2026, 10, 28, 2, 0, 0);
const ROWS = 450;

/** The database, counting the transactions opened on it (importMembers opens them with db.transaction()). */
function countingTransactions(db: Kysely<Database>) {
  const counter = { opened: 0 };
  const counted = new Proxy(db, {
    get(target, prop) {
      if (prop === 'transaction') {
        return () => {
          counter.opened++;
          return target.transaction();
        };
      }
      const value: unknown = Reflect.get(target, prop);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
  return { db: counted, counter };
}

/** 450 data rows, with bad ones on both sides of the batch boundaries. */
function csv(): string {
  const lines = ['id,name,branch,role,probationary,dingtalkUserId'];
  for (let row = 1; row <= ROWS; row++) {
    const id = `p${row}`;
    if (row === 200)
      lines.push(`${id},某甲,b-none,member,,`); // no such branch: the last row of the first batch
    else if (row === 201)
      lines.push('p5,某乙,b1,member,,'); // repeats row 5
    else if (row === 320)
      lines.push(`${id},某丙,b1,member,,ding-existing`); // another member's, in the database
    else if (row === 401)
      lines.push(`${id},某丁,b1,member,,ding-150`); // row 150's, two batches back
    else if (row === 450) lines.push(`${id},某戊,b1,member,maybe,`);
    else lines.push(`${id},党员${row},b1,member,${row % 2},ding-${row}`);
  }
  return lines.join('\n');
}

describe.each(DIALECTS)('CSV import of 450 rows on %s', (dialect) => {
  let t: TestDb;

  beforeAll(async () => {
    t = await openTestDb(dialect);
    await putOrg(t.db, { id: 'org1', name: '某市机关工委', timezone: 'Asia/Shanghai', digest_cron: null }, NOW);
    await putBranch(t.db, 'org1', 'b1', '第一党支部', [], NOW);
    await putMember(t.db, memberRow({ id: 'old', name: '老党员', accounts: { dingtalk: 'ding-existing' } }), NOW);
  });

  afterAll(async () => {
    await t?.close();
  });

  it('writes 200 rows to a transaction and reports the bad rows as before', async () => {
    const { db, counter } = countingTransactions(t.db);
    const result = await importMembers(db, itActing(null), 'org1', Buffer.from(csv()), NOW);

    expect(counter.opened).toBe(Math.ceil(ROWS / IMPORT_BATCH));
    expect(IMPORT_BATCH).toBe(200);
    expect(result).toMatchObject({ total: ROWS, imported: ROWS - 5, failed: 5 });
    expect(result.errors).toEqual([
      // Spreadsheet rows: data row n is row n + 1 under the header.
      { row: 201, field: 'branch', message: '没有名为「b-none」的支部', name: '某甲' },
      { row: 202, field: 'id', message: '与第 6 行重复', name: '某乙' },
      { row: 321, field: 'dingtalkUserId', message: '已被党员 old 使用', name: '某丙' },
      { row: 402, field: 'dingtalkUserId', message: '已被第 151 行使用', name: '某丁' },
      { row: 451, field: 'probationary', message: '应填「是」或「否」', name: '某戊' },
    ]);

    const members = await listMembersPage(t.db, 'org1', {}, '', 10 * ROWS);
    expect(members).toHaveLength(1 + ROWS - 5);
    const byId = new Map(members.map((m) => [m.id, m]));
    expect(byId.has('p200') || byId.has('p320') || byId.has('p401') || byId.has('p450')).toBe(false);
    expect(byId.get('p5')).toMatchObject({ probationary: true, accounts: { dingtalk: 'ding-5' } });
    expect(byId.get('p449')).toMatchObject({ probationary: true, accounts: { dingtalk: 'ding-449' } });
    expect(byId.get('old')).toMatchObject({ accounts: { dingtalk: 'ding-existing' } });
  });

  it('checks every row for a preview by reading alone: no transaction, nothing written', async () => {
    const { db, counter } = countingTransactions(t.db);
    const fresh = csv().replaceAll(',党员', ',新党员');
    const plan = await planImport(db, itActing(null), 'org1', Buffer.from(fresh));
    expect(counter.opened).toBe(0);
    expect([plan.total, plan.rows.length, plan.errors.length]).toEqual([ROWS, ROWS - 5, 5]);
    expect(plan.rows.filter((r) => r.change === 'update').length).toBe(ROWS - 5);
    expect((await t.db.selectFrom('members').select('name').where('id', '=', 'p7').executeTakeFirstOrThrow()).name).toBe('党员7');
  });

  it('refuses a file of more rows than the cap, reading no further', async () => {
    await expect(planImport(t.db, itActing(null), 'org1', Buffer.from(csv()), { maxRows: 449 })).rejects.toThrow(
      '文件：超过 449 行，请分批导入',
    );
    expect((await planImport(t.db, itActing(null), 'org1', Buffer.from(csv()), { maxRows: 450 })).total).toBe(450);
  });

  it('imports the same file again with the same counts and no new rows', async () => {
    const result = await importMembers(t.db, itActing(null), 'org1', Buffer.from(csv()), NOW + 1);
    expect(result).toMatchObject({ total: ROWS, imported: ROWS - 5, failed: 5 });
    const { n } = await t.db
      .selectFrom('members')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    expect(Number(n)).toBe(1 + ROWS - 5);
  });
});
