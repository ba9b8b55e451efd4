import type { Kysely, Transaction } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InboundBatcher, type MessageKey, RecordedBefore, type Unit } from '../db/inbound-batch.ts';
import { insertReport, reportRow } from '../db/reports.ts';
import type { Database } from '../db/schema.ts';
import { seedBranches } from './helpers/branches.ts';
import { DIALECTS, type TestDb, countOf, openTestDb } from './helpers/db.ts';
import { DT_SECRET } from './helpers/dingtalk.ts';

// The group commit of chat messages, on each database: messages that arrive together
// share one transaction and one INSERT of their records; a refusal leaves the others alone; a
// command that fails after writing fails alone (the batch is rolled back and run message by
// message); a message recorded before is refused as such, and a retry still in hand waits for it.

const AT = Date.UTC(2026, 10, 28, 2, 0, 0);

interface TestJob {
  key: MessageKey;
  unit: Unit<string>;
  /** How often the command ran. */
  runs: () => number;
  /** Reads rows staged before it as held rows, as 汇报 does (`reads.heldRows` in its definition). */
  seesHeld?: boolean;
}

const row = (id: string, msg: string) => ({
  id,
  org_id: 'org1',
  branch_id: 'b0',
  member_id: 'm0-0',
  category: 'enterprise' as const,
  text: `汇报 ${id}`,
  tags: [],
  at: AT,
  source: msg,
});

/** A 汇报 as the handler makes it: report `id` staged, message `msg` recorded; `inline` inserts the report in the command instead. */
function report(id: string, msg: string, opts: { inline?: boolean } = {}): TestJob {
  let runs = 0;
  return {
    key: { channelId: 'dt1', messageId: msg },
    runs: () => runs,
    seesHeld: true,
    async unit(trx: Transaction<Database>) {
      runs++;
      if (opts.inline) await insertReport(trx, row(id, msg));
      return {
        value: id,
        staged: opts.inline ? [] : [reportRow(row(id, msg))],
        event: { channel_id: 'dt1', message_id: msg, org_id: 'org1', received_at: AT, reply: `"${id}"` },
      };
    },
  };
}

/** A refusal before any write (a 汇报 from someone not in the roster). */
function refused(msg: string): TestJob {
  return {
    key: { channelId: 'dt1', messageId: msg },
    runs: () => 0,
    seesHeld: true,
    unit: async () => {
      throw new Error('不是书记');
    },
  };
}

describe.each(DIALECTS)('inbound batches on %s', (dialect) => {
  let t: TestDb;
  let db: Kysely<Database>;
  let recordInserts = 0;
  let reportInserts = 0;

  beforeAll(async () => {
    t = await openTestDb(dialect);
    await seedBranches(t.db, { branches: 1, robot: 'batch-robot-', appSecret: DT_SECRET, members: 1 });
    // Counts the statements that write message records, to tell one batch from many transactions.
    db = t.db.withPlugin({
      transformQuery({ node }) {
        if (node.kind === 'InsertQueryNode' && node.into?.table.identifier.name === 'inbound_events') recordInserts++;
        if (node.kind === 'InsertQueryNode' && node.into?.table.identifier.name === 'service_reports') reportInserts++;
        return node;
      },
      transformResult: async ({ result }) => result,
    });
  });
  afterAll(() => t.close());

  const submitAll = (batcher: InboundBatcher, jobs: TestJob[]) =>
    Promise.allSettled(jobs.map((j) => batcher.submit(j.key, j.unit, { seesHeld: j.seesHeld })));
  const statuses = (results: PromiseSettledResult<unknown>[]) => results.map((r) => r.status);

  it('commits messages that arrive together in one transaction; a refusal fails alone', async () => {
    const batcher = new InboundBatcher(db, { lanes: 1, maxBatch: 32, budgetMs: 1_000 });
    recordInserts = 0;
    reportInserts = 0;
    const jobs = Array.from({ length: 10 }, (_, i) => (i === 4 ? refused(`msg-a${i}`) : report(`r-a${i}`, `msg-a${i}`)));
    const results = await submitAll(batcher, jobs);
    expect(statuses(results)).toEqual(jobs.map((_, i) => (i === 4 ? 'rejected' : 'fulfilled')));
    expect((results[4] as PromiseRejectedResult).reason.message).toBe('不是书记');
    expect([recordInserts, reportInserts]).toEqual([1, 1]);
    expect(await countOf(t.db, 'inbound_events')).toBe(9);
    expect(await countOf(t.db, 'service_reports')).toBe(9);
  });

  it('a command failing after it wrote fails alone: its neighbours commit', async () => {
    const batcher = new InboundBatcher(db, { lanes: 1, maxBatch: 32, budgetMs: 1_000 });
    const before = await countOf(t.db, 'service_reports');
    // r-a0 exists: the fourth message's report breaks the primary key after the first three wrote.
    const jobs = Array.from({ length: 8 }, (_, i) => report(i === 3 ? 'r-a0' : `r-b${i}`, `msg-b${i}`, { inline: true }));
    const results = await submitAll(batcher, jobs);
    expect(statuses(results)).toEqual(jobs.map((_, i) => (i === 3 ? 'rejected' : 'fulfilled')));
    expect(await countOf(t.db, 'service_reports')).toBe(before + 7);
    const stored = await t.db.selectFrom('inbound_events').select('message_id').where('message_id', 'like', 'msg-b%').execute();
    expect(stored.map((r) => r.message_id).sort()).toEqual(['msg-b0', 'msg-b1', 'msg-b2', 'msg-b4', 'msg-b5', 'msg-b6', 'msg-b7']);
  });

  it('a staged row refused fails alone: its neighbours commit', async () => {
    const batcher = new InboundBatcher(db, { lanes: 1, maxBatch: 32, budgetMs: 1_000 });
    const before = await countOf(t.db, 'service_reports');
    const jobs = Array.from({ length: 5 }, (_, i) => report(i === 2 ? 'r-a1' : `r-f${i}`, `msg-f${i}`));
    const results = await submitAll(batcher, jobs);
    expect(statuses(results)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'fulfilled', 'fulfilled']);
    expect(await countOf(t.db, 'service_reports')).toBe(before + 4);
    expect(await t.db.selectFrom('inbound_events').select('message_id').where('message_id', '=', 'msg-f2').execute()).toEqual([]);
  });

  it('a message recorded before is refused as such without running, in a batch or alone, and leaves the batch alone', async () => {
    const batcher = new InboundBatcher(db, { lanes: 1, maxBatch: 32, budgetMs: 1_000 });
    const before = await countOf(t.db, 'service_reports');
    recordInserts = 0;
    const retry = report('r-c1', 'msg-a1');
    const results = await submitAll(batcher, [report('r-c0', 'msg-c0'), retry, report('r-c2', 'msg-c2')]);
    expect(statuses(results)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect((results[1] as PromiseRejectedResult).reason).toBeInstanceOf(RecordedBefore);
    expect(retry.runs()).toBe(0);
    expect(recordInserts).toBe(1);
    await expect(batcher.submit({ channelId: 'dt1', messageId: 'msg-c0' }, report('r-c3', 'msg-c0').unit)).rejects.toBeInstanceOf(
      RecordedBefore,
    );
    expect(await countOf(t.db, 'service_reports')).toBe(before + 2);
  });

  it('a retry arriving while its first delivery is in hand waits for it, then finds it recorded', async () => {
    const batcher = new InboundBatcher(db, { lanes: 1, maxBatch: 32, budgetMs: 1_000 });
    const first = report('r-d0', 'msg-d0');
    const retry = report('r-d1', 'msg-d0');
    const results = await submitAll(batcher, [first, retry]);
    expect(statuses(results)).toEqual(['fulfilled', 'rejected']);
    expect((results[1] as PromiseRejectedResult).reason).toBeInstanceOf(RecordedBefore);
    expect([first.runs(), retry.runs()]).toEqual([1, 0]);
  });

  it('writes what was staged before a command that does not read held rows; hands it to one that does', async () => {
    const batcher = new InboundBatcher(db, { lanes: 1, maxBatch: 32, budgetMs: 1_000 });
    reportInserts = 0;
    const seen: string[] = [];
    /** A command that looks for the batch's reports, in the database and among the held rows. */
    const look = (msg: string, seesHeld: boolean): TestJob => ({
      key: { channelId: 'dt1', messageId: msg },
      runs: () => 1,
      seesHeld,
      async unit(trx, held) {
        const stored = await trx.selectFrom('service_reports').select('id').where('id', 'like', 'r-g%').orderBy('id').execute();
        const ids = (rows: { id: string }[]) => rows.map((r) => r.id).join(' ');
        seen.push(`${msg}: stored ${ids(stored)}; held ${ids(held.map((p) => p.row as { id: string }))}`);
        return { value: msg, staged: [], event: { channel_id: 'dt1', message_id: msg, org_id: 'org1', received_at: AT, reply: null } };
      },
    });
    const jobs = [report('r-g0', 'msg-g0'), look('msg-g1', true), look('msg-g2', false), report('r-g3', 'msg-g3'), look('msg-g4', true)];
    const results = await submitAll(batcher, jobs);
    expect(statuses(results).every((s) => s === 'fulfilled')).toBe(true);
    expect(seen).toEqual(['msg-g1: stored ; held r-g0', 'msg-g2: stored r-g0; held ', 'msg-g4: stored r-g0; held r-g3']);
    // r-g0 before msg-g2, r-g3 at the end.
    expect(reportInserts).toBe(2);
    expect(await t.db.selectFrom('service_reports').select('id').where('id', 'like', 'r-g%').execute()).toHaveLength(2);
  });

  it('reads what the hints of a batch’s messages name before their commands run, in their transaction', async () => {
    const order: string[] = [];
    const batcher = new InboundBatcher<string>(db, { lanes: 1, maxBatch: 32, budgetMs: 1_000 }, async (trx, hints) => {
      // The batch's transaction: what the first command will commit is not there yet.
      const stored = await trx.selectFrom('service_reports').select('id').where('id', 'like', 'r-h%').execute();
      order.push(`before: ${hints.join(' ')}; stored ${stored.length}`);
    });
    const jobs = [report('r-h0', 'msg-h0'), report('r-h1', 'msg-h1'), report('r-h2', 'msg-h2')];
    const hints = ['b0', undefined, 'b1'];
    const results = await Promise.allSettled(
      jobs.map((j, i) =>
        batcher.submit(
          j.key,
          async (trx, held) => {
            order.push(j.key.messageId);
            return j.unit(trx, held, undefined);
          },
          { seesHeld: true, hint: hints[i] },
        ),
      ),
    );
    expect(statuses(results).every((s) => s === 'fulfilled')).toBe(true);
    expect(order).toEqual(['before: b0 b1; stored 0', 'msg-h0', 'msg-h1', 'msg-h2']);
  });

  it('hands what beforeBatch read to each command while the batch has written nothing but held rows', async () => {
    const batcher = new InboundBatcher<string, string>(db, { lanes: 1, maxBatch: 32, budgetMs: 1_000 }, async (_trx, hints) =>
      hints.join(' '),
    );
    const seen: string[] = [];
    const wrap = (job: TestJob, hint?: string) =>
      batcher.submit(
        job.key,
        async (trx, held, prefetched) => {
          seen.push(`${job.key.messageId}: ${prefetched ?? '—'}`);
          return job.unit(trx, held, undefined);
        },
        { seesHeld: job.seesHeld, hint },
      );
    // i1 stages a report: i2 reads it as held, still given what was read; i3 does not read held
    // rows, so they are written before it: from then on the batch holds more than was read. i5 inserts
    // in its command (a write): i6 after it is given nothing either.
    const batch = [
      wrap(report('r-i0', 'msg-i0'), 'b0'),
      wrap(report('r-i1', 'msg-i1'), 'b1'),
      wrap(report('r-i2', 'msg-i2')),
      wrap({ ...report('r-i3', 'msg-i3'), seesHeld: false }),
    ];
    const results = await Promise.allSettled(batch);
    expect(statuses(results).every((s) => s === 'fulfilled')).toBe(true);
    expect(seen).toEqual(['msg-i0: b0 b1', 'msg-i1: b0 b1', 'msg-i2: b0 b1', 'msg-i3: —']);

    seen.length = 0;
    const writes = [
      wrap({ ...report('r-i4', 'msg-i4'), seesHeld: false }, 'b4'),
      wrap(report('r-i5', 'msg-i5', { inline: true })),
      wrap(report('r-i6', 'msg-i6')),
    ];
    expect(statuses(await Promise.allSettled(writes)).every((s) => s === 'fulfilled')).toBe(true);
    // Nothing staged before i4, so nothing written: it is given what was read, as is i5, which writes.
    expect(seen).toEqual(['msg-i4: b4', 'msg-i5: b4', 'msg-i6: —']);

    // A message alone runs without a batch read.
    seen.length = 0;
    await wrap(report('r-i7', 'msg-i7'), 'b7');
    expect(seen).toEqual(['msg-i7: —']);
  });

  it('a batch past its time budget leaves the rest to the next batch, and every message commits once', async () => {
    const batcher = new InboundBatcher(db, { lanes: 1, maxBatch: 32, budgetMs: 0 });
    recordInserts = 0;
    const jobs = Array.from({ length: 6 }, (_, i) => report(`r-e${i}`, `msg-e${i}`));
    const results = await submitAll(batcher, jobs);
    expect(statuses(results).every((s) => s === 'fulfilled')).toBe(true);
    expect(jobs.map((j) => j.runs())).toEqual([1, 1, 1, 1, 1, 1]);
    // One message a transaction: the budget is spent as soon as the first has run.
    expect(recordInserts).toBe(6);
  });
});
