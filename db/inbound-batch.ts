import type { Insertable, KyselyPlugin, Transaction } from 'kysely';
import { isMysqlDb, upsert } from './upsert.ts';
import { recordInboundEvent } from './inbound-events.ts';
import type { Database, Db, InboundEventTable } from './schema.ts';

// Group commit for chat messages. When messages arrive together, each one's command runs
// in turn in one shared transaction; the rows the commands staged (a 汇报's report, a 签到's
// attendance) and the records of the messages are written with one multi-row statement per table.
// A message costs the statements its command needs to read and decide, and a share of the rest. A
// message is answered only after the transaction holding it has committed, so a crash loses nothing
// that was acknowledged (the platform retries what was not answered).
//
// Staged rows are written before any command that has not said it reads them as held rows
// (`seesHeld`): every other command sees the batch's earlier writes in the database, as if each
// message had its own transaction.
//
// A refusal that wrote nothing leaves its neighbours alone. Anything else that goes wrong in a batch
// (a command failing after it wrote, a staged row refused, a failed commit) rolls the batch back and
// runs its messages again one transaction each, so that one message's failure is its own. A message
// recorded before (a platform's retry) is found before the batch runs, and is not run again.

/**
 * A row a command leaves to be written with its message's record: a plain INSERT, or with `upsert`
 * an INSERT that updates those columns where the keys exist. Rows staged for one table share one
 * statement, written before the next command that does not read them as held rows, or at the end.
 */
export type StagedRow = {
  [K in keyof Database]: { table: K; row: Insertable<Database[K]>; upsert?: { keys: readonly string[]; update: readonly string[] } };
}[keyof Database];

/** What one message's command gives back: its answer for the caller, the rows it staged, and the record of the message. */
export interface Outcome<T> {
  value: T;
  staged: StagedRow[];
  event: InboundEventTable;
}

/** Rows per multi-row statement: within both databases' limits on placeholders. */
const INSERT_CHUNK = 500;

/** Writes `rows` with one multi-row statement per table and kind (and per INSERT_CHUNK rows), in the order they first appear. */
async function insertStaged(trx: Db, rows: readonly StagedRow[]): Promise<void> {
  const groups = new Map<string, StagedRow[]>();
  for (const staged of rows) {
    const group = `${staged.table}${staged.upsert ? ' upsert' : ''}`;
    const list = groups.get(group);
    if (list) list.push(staged);
    else groups.set(group, [staged]);
  }
  for (const list of groups.values()) {
    const { table, upsert: update } = list[0]!;
    for (let i = 0; i < list.length; i += INSERT_CHUNK) {
      // Kysely cannot type a table chosen at run time; StagedRow keeps each row typed to its table.
      const chunk = list.slice(i, i + INSERT_CHUNK).map((r) => r.row) as never[];
      if (update) await upsert(trx, table, chunk, update.keys as never, update.update as never);
      else
        await trx
          .insertInto(table as 'service_reports')
          .values(chunk)
          .execute();
    }
  }
}

/**
 * A message's command: `held` holds what the messages before it in its batch staged and is not
 * written yet; `prefetched` what the batch's `beforeBatch` read, given only while the transaction
 * holds nothing but what was there when it was read and `held` (undefined after a write, and for a
 * message that runs alone).
 */
export type Unit<T, B = undefined> = (
  trx: Transaction<Database>,
  held: readonly StagedRow[],
  prefetched: B | undefined,
) => Promise<Outcome<T>>;

export interface SubmitOptions<H> {
  /** The command reads rows staged before it from `held` (those of its concern): they need not be written before it runs. */
  seesHeld?: boolean;
  /** What the command will read, for the batcher's `beforeBatch` to read with its neighbours'. */
  hint?: H;
}

/** Which message a unit is: the key of its record. */
export interface MessageKey {
  channelId: string;
  messageId: string;
}

/** The message was recorded before (a platform retry): its command's writes were rolled back, or it did not run. */
export class RecordedBefore extends Error {}

interface Job<H, B> {
  key: MessageKey;
  unit: Unit<unknown, B>;
  seesHeld: boolean;
  hint: H | undefined;
  resolve(value: unknown): void;
  reject(err: unknown): void;
}

export interface BatchOptions {
  /** Batches running at once, each holding a connection (SQLite has one). */
  lanes: number;
  /** Messages per batch at most. */
  maxBatch: number;
  /** Past this time a batch takes no more of its messages: they go back to the queue, so that none waits long for the others. */
  budgetMs: number;
}

// Three batches at once on MariaDB: more lanes make smaller batches (more statements a message); in
// the 签到 burst 2–4 lanes measured alike, 6 slower and past the answer deadline for some.
export const batchOptionsFor = (db: Db): BatchOptions => ({ lanes: isMysqlDb(db) ? 3 : 1, maxBatch: 32, budgetMs: 50 });

class BatchAborted extends Error {}

/** Notes, for one command, that it sent anything but a SELECT (raw SQL counts as a write). */
const writeWatch = (onWrite: () => void): KyselyPlugin => ({
  transformQuery({ node }) {
    if (node.kind !== 'SelectQueryNode') onWrite();
    return node;
  },
  transformResult: async ({ result }) => result,
});

const keyOf = (key: MessageKey) => `${key.channelId}\n${key.messageId}`;

export class InboundBatcher<H = never, B = undefined> {
  private readonly queue: Job<H, B>[] = [];
  /** Messages queued or running, so that a platform's retry waits for its first delivery instead of racing it. */
  private readonly inFlight = new Map<string, Promise<unknown>>();
  private running = 0;
  private pumping = false;

  constructor(
    private readonly db: Db,
    private readonly options: BatchOptions = batchOptionsFor(db),
    /** Reads, in a batch's transaction before its commands run, what their hints say they will read; what it gives back reaches them as `prefetched`. */
    private readonly beforeBatch?: (trx: Transaction<Database>, hints: H[]) => Promise<B>,
  ) {}

  /**
   * Runs `unit` and records its message, resolving once committed. Messages read from the network
   * in the same turn of the event loop go together; a message waits for a batch already running
   * only when every lane is busy.
   */
  async submit<T>(key: MessageKey, unit: Unit<T, B>, options: SubmitOptions<H> = {}): Promise<T> {
    const id = keyOf(key);
    // A retry of a message still in hand waits for it: recorded then, it is answered so; failed, it runs.
    for (let first = this.inFlight.get(id); first; first = this.inFlight.get(id)) {
      const recorded = await first.then(
        () => true,
        (err: unknown) => err instanceof RecordedBefore,
      );
      if (recorded) throw new RecordedBefore();
    }
    const done = new Promise<T>((resolve, reject) => {
      const { seesHeld = false, hint } = options;
      this.queue.push({ key, unit, seesHeld, hint, resolve: resolve as (v: unknown) => void, reject });
      if (!this.pumping) {
        this.pumping = true;
        setImmediate(() => {
          this.pumping = false;
          this.pump();
        });
      }
    });
    this.inFlight.set(id, done);
    try {
      return await done;
    } finally {
      this.inFlight.delete(id);
    }
  }

  private pump(): void {
    while (this.running < this.options.lanes && this.queue.length > 0) {
      const batch = this.queue.splice(0, this.options.maxBatch);
      this.running++;
      void this.run(batch).finally(() => {
        this.running--;
        this.pump();
      });
    }
  }

  private async run(jobs: Job<H, B>[]): Promise<void> {
    if (jobs.length === 1) return this.alone(jobs[0]!);
    const settled: (() => void)[] = [];
    let taken = jobs.length;
    try {
      await this.db.transaction().execute(async (trx) => {
        const recorded = await this.recorded(trx, jobs);
        let prefetched = await this.beforeBatch?.(
          trx,
          jobs.flatMap((job) => (job.hint === undefined ? [] : [job.hint])),
        );
        const events: InboundEventTable[] = [];
        const staged: StagedRow[] = [];
        const started = performance.now();
        for (const [i, job] of jobs.entries()) {
          if (i > 0 && performance.now() - started > this.options.budgetMs) {
            taken = i;
            this.queue.unshift(...jobs.slice(i));
            break;
          }
          if (recorded.has(keyOf(job.key))) {
            settled.push(() => job.reject(new RecordedBefore()));
            continue;
          }
          if (!job.seesHeld && staged.length > 0) {
            await insertStaged(trx, staged.splice(0));
            prefetched = undefined;
          }
          let wrote = false;
          try {
            const outcome = await job.unit(trx.withPlugin(writeWatch(() => (wrote = true))), [...staged], prefetched);
            if (wrote) prefetched = undefined;
            staged.push(...outcome.staged);
            events.push(outcome.event);
            const { value } = outcome;
            settled.push(() => job.resolve(value));
          } catch (err) {
            if (wrote) throw new BatchAborted();
            settled.push(() => job.reject(err));
          }
        }
        await insertStaged(trx, staged);
        await insertStaged(
          trx,
          events.map((row) => ({ table: 'inbound_events', row })),
        );
      });
    } catch {
      for (const job of jobs.slice(0, taken)) await this.alone(job);
      return;
    }
    for (const settle of settled) settle();
  }

  /** Which of the jobs' messages are recorded already: retries are answered without running again. */
  private async recorded(trx: Transaction<Database>, jobs: Job<H, B>[]): Promise<Set<string>> {
    const byChannel = new Map<string, string[]>();
    for (const { key } of jobs) byChannel.set(key.channelId, [...(byChannel.get(key.channelId) ?? []), key.messageId]);
    const rows = await trx
      .selectFrom('inbound_events')
      .select(['channel_id', 'message_id'])
      .where((eb) => eb.or([...byChannel].map(([channel, ids]) => eb.and([eb('channel_id', '=', channel), eb('message_id', 'in', ids)]))))
      .execute();
    return new Set(rows.map((r) => keyOf({ channelId: r.channel_id, messageId: r.message_id })));
  }

  private async alone(job: Job<H, B>): Promise<void> {
    try {
      const value = await this.db.transaction().execute(async (trx) => {
        const { value, staged, event } = await job.unit(trx, [], undefined);
        await insertStaged(trx, staged);
        if (!(await recordInboundEvent(trx, event))) throw new RecordedBefore();
        return value;
      });
      job.resolve(value);
    } catch (err) {
      job.reject(err);
    }
  }
}
