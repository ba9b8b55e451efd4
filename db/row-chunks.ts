import type { Compilable, LogEvent } from 'kysely';
import type { Pool, PoolConnection } from 'mysql2';
import type { Db } from './schema.ts';

// Kysely's MySQL driver streams a result one row per await, through five async generators, and
// ignores the chunk size asked for: a weekly digest's 215,000 rows cost 0.6 s of CPU in them
// alone. This reads a result from the mysql2 pool of the Kysely in arrays of rows, as
// the socket delivers them, pausing the socket while some wait; no library does it for
// Kysely, so it is written here.

interface Streamable {
  pool: Pool;
  log?: (event: LogEvent) => void;
  used?: true;
}

const pools = new WeakMap<object, Streamable>();

/** Arrays read ahead before the socket is paused: the reader rarely waits, memory stays bounded. */
const WAITING = 2;

/**
 * Lets `rowChunks` read the results of `db` from `pool` (the pool its MysqlDialect was given). A
 * Kysely made from it with `withPlugin` is not registered: its plugins may change results.
 */
export function streamsFrom(db: Db, pool: Pool, log?: (event: LogEvent) => void): void {
  pools.set(db, { pool, log });
}

/**
 * The rows of `query` in arrays of up to `size`, in the order of the result. On a Kysely whose
 * MySQL pool is known they stream from a connection of its own; otherwise (SQLite, whose one
 * connection cannot hold several open statements, or a transaction) the result is read whole and
 * handed as one array.
 */
export async function* rowChunks<R>(db: Db, query: Compilable<R>, size: number): AsyncGenerator<R[]> {
  const streamable = pools.get(db);
  if (!streamable) {
    const { rows } = await db.executeQuery(query.compile());
    if (rows.length > 0) yield rows;
    return;
  }
  if (!streamable.used) {
    // Kysely's destroy ends the pool only once Kysely has taken a connection from it.
    await db.connection().execute(async () => undefined);
    streamable.used = true;
  }
  const compiled = query.compile();
  const started = performance.now();
  const conn = await new Promise<PoolConnection>((resolve, reject) =>
    streamable.pool.getConnection((err, c) => (err ? reject(err) : resolve(c))),
  );
  const ready: R[][] = [];
  let current: R[] = [];
  let ended = false;
  let failed: { error: unknown } | undefined;
  let paused = false;
  let wake: (() => void) | undefined;
  const notify = () => {
    wake?.();
    wake = undefined;
  };
  conn
    .query({ sql: compiled.sql, values: [...compiled.parameters] })
    .on('result', (row) => {
      current.push(row as R);
      if (current.length < size) return;
      ready.push(current);
      current = [];
      if (ready.length >= WAITING && !paused) {
        paused = true;
        conn.pause();
      }
      notify();
    })
    .on('error', (error) => {
      failed = { error };
      notify();
    })
    .on('end', () => {
      if (current.length > 0) ready.push(current);
      current = [];
      ended = true;
      notify();
    });
  try {
    for (;;) {
      const chunk = ready.shift();
      if (chunk) {
        if (paused && ready.length < WAITING) {
          paused = false;
          conn.resume();
        }
        yield chunk;
      } else if (failed) {
        streamable.log?.({ level: 'error', error: failed.error, query: compiled, queryDurationMillis: performance.now() - started });
        throw failed.error;
      } else if (ended) break;
      else await new Promise<void>((resolve) => (wake = resolve));
    }
    streamable.log?.({ level: 'query', isStream: true, query: compiled, queryDurationMillis: performance.now() - started });
  } finally {
    // A result read only in part cannot be left on the connection: it is closed, not given back.
    if (ended && !failed) conn.release();
    else conn.destroy();
  }
}

/**
 * Reads rows ordered by a key one key at a time: `take` returns the next rows with that key, if
 * they come next (none otherwise).
 */
export class KeyCursor<K extends string, R extends Record<K, unknown>> {
  private chunk: R[] = [];
  private at = 0;
  private done = false;

  constructor(
    private readonly chunks: AsyncGenerator<R[]>,
    private readonly key: K,
  ) {}

  private async peek(): Promise<R | undefined> {
    while (this.at >= this.chunk.length && !this.done) {
      const next = await this.chunks.next();
      if (next.done) this.done = true;
      else [this.chunk, this.at] = [next.value, 0];
    }
    return this.chunk[this.at];
  }

  async take(value: R[K]): Promise<Omit<R, K>[]> {
    const taken: R[] = [];
    while ((await this.peek())?.[this.key] === value) {
      // The rest of a chunk is taken without waiting.
      for (; this.at < this.chunk.length && this.chunk[this.at]![this.key] === value; this.at++) taken.push(this.chunk[this.at]!);
    }
    return taken;
  }

  async hasMore(): Promise<boolean> {
    return (await this.peek()) !== undefined;
  }

  /** Ends a result read only in part (an error, a consumer that stopped), giving its connection up. */
  async close(): Promise<void> {
    if (!this.done) await this.chunks.return(undefined);
  }
}
