import type { StagedRow } from './inbound-batch.ts';
import type { Db } from './schema.ts';

// Group commit behind the repositories. A command whose burst shares its writes (db/inbound-batch.ts)
// runs on a transaction that holds back what `insertReport` and `putAttendance` would write: the rows
// wait here and go with the batch's one statement per table. The reads such a command makes of those
// tables (`withHeldMarks`) see them, so that its handler reads and writes as if it ran alone.

/** The rows held back for one command: those the commands before it in its batch left, then its own. */
export class HeldRows {
  /** The command's own rows, for its batch to write. */
  readonly own: StagedRow[] = [];

  constructor(private readonly earlier: readonly StagedRow[]) {}

  add(row: StagedRow): void {
    this.own.push(row);
  }

  /** Every row not written yet, earliest first. */
  *all(): Iterable<StagedRow> {
    yield* this.earlier;
    yield* this.own;
  }
}

/** Keyed by the command's own transaction instance: the batch gives each command a fresh one. */
const holding = new WeakMap<Db, HeldRows>();

/** Makes the repositories hold back their writes on `trx` in `rows` instead of sending them. */
export function holdWrites(trx: Db, rows: HeldRows): void {
  holding.set(trx, rows);
}

/** Where `db` holds back its writes; undefined when the repositories write at once. */
export const heldRows = (db: Db): HeldRows | undefined => holding.get(db);
