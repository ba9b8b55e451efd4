import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import SQLite from 'better-sqlite3';
import {
  CompiledQuery,
  type DatabaseConnection,
  Kysely,
  type LogEvent,
  type Migration,
  type MigrationProvider,
  Migrator,
  MysqlDialect,
  SqliteDialect,
  type SqliteDatabase,
  sql,
} from 'kysely';
import { createPool } from 'mysql2';
import { createConnection as createPromiseConnection } from 'mysql2/promise';
import { streamsFrom } from './row-chunks.ts';
import type { Database } from './schema.ts';
import * as initial from './migrations/20261128_0001_initial.ts';
import * as outbox from './migrations/20261201_0002_outbox.ts';
import * as meetingStatus from './migrations/20261202_0003_meeting_status.ts';
import * as membersOverTime from './migrations/20261203_0004_members_over_time.ts';
import * as recordRoles from './migrations/20261204_0005_record_roles.ts';
import * as oneTimeLinks from './migrations/20261205_0006_one_time_links.ts';
import * as consoleSessions from './migrations/20261206_0007_console_sessions.ts';
import * as reportsByTime from './migrations/20261207_0008_reports_by_time.ts';
import * as rosterVersions from './migrations/20261208_0009_roster_versions.ts';
import * as auditSessions from './migrations/20261209_0010_audit_sessions.ts';
import * as backfilled from './migrations/20261210_0011_backfilled.ts';
import * as memberAccounts from './migrations/20261211_0012_member_accounts.ts';
import * as leaveReasons from './migrations/20261212_0013_leave_reasons.ts';
import * as branchDepartments from './migrations/20261213_0014_branch_departments.ts';
import * as directorySyncs from './migrations/20261214_0015_directory_syncs.ts';

// Append-only: a landed migration is never edited; a change is a new entry.
export const migrations: Readonly<Record<string, Migration>> = {
  '20261128_0001_initial': initial,
  '20261201_0002_outbox': outbox,
  '20261202_0003_meeting_status': meetingStatus,
  '20261203_0004_members_over_time': membersOverTime,
  '20261204_0005_record_roles': recordRoles,
  '20261205_0006_one_time_links': oneTimeLinks,
  '20261206_0007_console_sessions': consoleSessions,
  '20261207_0008_reports_by_time': reportsByTime,
  '20261208_0009_roster_versions': rosterVersions,
  '20261209_0010_audit_sessions': auditSessions,
  '20261210_0011_backfilled': backfilled,
  '20261211_0012_member_accounts': memberAccounts,
  '20261212_0013_leave_reasons': leaveReasons,
  '20261213_0014_branch_departments': branchDepartments,
  '20261214_0015_directory_syncs': directorySyncs,
};

const provider: MigrationProvider = { getMigrations: async () => migrations };

export type Dialect = 'sqlite' | 'mysql';

export function dialectOf(url: string): Dialect {
  return url.startsWith('mysql://') ? 'mysql' : 'sqlite';
}

function mysqlOptions(url: string) {
  const u = new URL(url);
  return {
    host: u.hostname,
    port: u.port ? Number(u.port) : 3306,
    user: decodeURIComponent(u.username),
    password: decodeURIComponent(u.password),
    database: decodeURIComponent(u.pathname.replace(/^\//, '')),
    // Epoch-ms BIGINTs and DECIMALs come back as JS numbers; dates are never read as local time.
    decimalNumbers: true,
    supportBigNumbers: true,
    bigNumberStrings: false,
    timezone: 'Z',
    charset: 'UTF8MB4_BIN',
  };
}

/** Creates the MySQL database named in the URL when it does not exist yet (first start). */
async function ensureMysqlDatabase(url: string): Promise<void> {
  const { database, ...server } = mysqlOptions(url);
  if (!database) throw new Error('DATABASE_URL: the mysql URL names no database (mysql://user:pass@host:port/db)');
  const conn = await createPromiseConnection(server);
  try {
    await conn.query(`CREATE DATABASE IF NOT EXISTS \`${database.replace(/`/g, '``')}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_bin`);
  } finally {
    await conn.end();
  }
}

export function createDb(url: string): Kysely<Database> {
  if (dialectOf(url) === 'mysql') {
    const pool = createPool({ ...mysqlOptions(url), connectionLimit: 10 });
    // MySQL cuts group_concat at 1 KB by default (MariaDB at 1 MB): 签到 reads who is present with it.
    const onCreateConnection = (conn: DatabaseConnection) =>
      conn.executeQuery(CompiledQuery.raw('SET SESSION group_concat_max_len = 16777216')).then(() => {});
    const db = new Kysely<Database>({ dialect: new MysqlDialect({ pool, onCreateConnection }) });
    streamsFrom(db, pool);
    return db;
  }
  const path = url.slice('sqlite:'.length);
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  return new Kysely<Database>({ dialect: new SqliteDialect({ database: openSqlite(path) }) });
}

/** Statements kept per connection, least recently used dropped first. */
const STATEMENT_CACHE = 500;

/**
 * An SQLite file in WAL mode, its statements kept by SQL text: Kysely prepares every query anew,
 * which took a third of a 签到's time in SQLite. SQLite prepares a kept statement again
 * by itself when the schema changes.
 */
function openSqlite(path: string): SqliteDatabase {
  const sqlite = new SQLite(path);
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = NORMAL');
  sqlite.pragma('busy_timeout = 5000');
  const statements = new Map<string, SQLite.Statement>();
  return {
    prepare(text) {
      let statement = statements.get(text);
      if (statement) statements.delete(text);
      else {
        statement = sqlite.prepare(text);
        if (statements.size >= STATEMENT_CACHE) statements.delete(statements.keys().next().value!);
      }
      statements.set(text, statement);
      return statement;
    },
    close: () => sqlite.close(),
  };
}

/** Opens the database named by `url`, creating it (MySQL) and running pending migrations. */
export async function openDb(url: string): Promise<Kysely<Database>> {
  if (dialectOf(url) === 'mysql') await ensureMysqlDatabase(url);
  const db = createDb(url);
  try {
    await migrate(db);
  } catch (err) {
    await db.destroy();
    throw err;
  }
  return db;
}

export async function migrate(db: Kysely<Database>): Promise<void> {
  const { error, results } = await new Migrator({ db, provider }).migrateToLatest();
  const failed = results?.find((r) => r.status === 'Error');
  if (error) throw new Error(`migration ${failed?.migrationName ?? ''} failed: ${String(error)}`);
}

export async function pingDb(db: Kysely<Database>): Promise<void> {
  await sql`select 1`.execute(db);
}

/**
 * A Kysely on the database of `url` built as createDb builds it, with Kysely's `log` hook: for
 * measuring what a piece of code issues (bench/digest.ts counts its queries). No migrations run.
 */
export function createLoggedDb(url: string, log: (event: LogEvent) => void): Kysely<Database> {
  if (dialectOf(url) === 'mysql') {
    const pool = createPool({ ...mysqlOptions(url), connectionLimit: 10 });
    const db = new Kysely<Database>({ dialect: new MysqlDialect({ pool }), log });
    streamsFrom(db, pool, log);
    return db;
  }
  return new Kysely<Database>({ dialect: new SqliteDialect({ database: openSqlite(url.slice('sqlite:'.length)) }), log });
}
