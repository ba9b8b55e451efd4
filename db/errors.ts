/** A unique or primary key refused a row: MariaDB's ER_DUP_ENTRY, SQLite's constraint codes. */
export function isDuplicateKey(err: unknown): boolean {
  const code = String((err as { code?: unknown } | null)?.code ?? '');
  return code === 'ER_DUP_ENTRY' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || code === 'SQLITE_CONSTRAINT_UNIQUE';
}
