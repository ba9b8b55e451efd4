import { MysqlAdapter, sql } from 'kysely';
import type { Database, Db } from './schema.ts';

/**
 * INSERT … (one row or several) or UPDATE `update` columns when `keys` already exist. SQLite takes
 * ON CONFLICT; MariaDB takes ON DUPLICATE KEY UPDATE with values(col), as it rejects MySQL 8's `AS
 * new` alias. Of several rows with the same keys, the last one's values stay.
 */
export async function upsert<T extends keyof Database & string>(
  db: Db,
  table: T,
  values: Database[T] | readonly Database[T][],
  keys: readonly (keyof Database[T] & string)[],
  update: readonly (keyof Database[T] & string)[],
): Promise<void> {
  // Kysely cannot type a table chosen by a generic parameter; the signature above keeps callers typed.
  const insert = (db as Db).insertInto(table as 'orgs').values(values as never);
  if (db.getExecutor().adapter instanceof MysqlAdapter) {
    const set = Object.fromEntries(update.map((c) => [c, sql`values(${sql.ref(c)})`]));
    await insert.onDuplicateKeyUpdate(set as never).execute();
  } else {
    const set = Object.fromEntries(update.map((c) => [c, sql.ref(`excluded.${c}`)]));
    await insert.onConflict((oc) => oc.columns(keys as never).doUpdateSet(set as never)).execute();
  }
}

export function isMysqlDb(db: Db): boolean {
  return db.getExecutor().adapter instanceof MysqlAdapter;
}
