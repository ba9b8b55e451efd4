import { sql } from 'kysely';
import type { Logger } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../src/core/logger.ts';
import { type TestDb, openTestDb } from './helpers/db.ts';

const MOBILE = '13800001234';
const SECRET = 'sk-live-9f8e7d6c5b4a';

/** A logger at info writing into `lines`, one parsed object per line. */
function capture() {
  const text: string[] = [];
  const logger = createLogger('info', { write: (s: string) => void text.push(s) });
  return { logger, text, lines: () => text.map((s) => JSON.parse(s) as Record<string, unknown>) };
}

describe('logger: errors', () => {
  let t: TestDb;
  let duplicate: Error & Record<string, unknown>;

  beforeAll(async () => {
    t = await openTestDb('mysql');
    await sql`create table scratch (id varchar(64) primary key, note varchar(64))`.execute(t.db);
    const insert = () => sql`insert into scratch (id, note) values (${`${MOBILE}-${SECRET}`}, ${SECRET})`.execute(t.db);
    await insert();
    duplicate = await insert().then(
      () => {
        throw new Error('the second insert was accepted');
      },
      (err: Error & Record<string, unknown>) => err,
    );
  });

  afterAll(async () => {
    await t?.close();
  });

  it('the MariaDB error does hold the values (what the serializer must take out)', () => {
    expect(duplicate.code).toBe('ER_DUP_ENTRY');
    expect(`${duplicate.message} ${String(duplicate.sql)}`).toContain(MOBILE);
    expect(String(duplicate.sql)).toContain(SECRET);
  });

  type Log = (logger: Logger) => void;
  it.each<[string, Log]>([
    ['{ err }, message', (logger) => logger.error({ err: duplicate }, 'insert failed')],
    ['{ err } alone', (logger) => logger.error({ err: duplicate })],
    ['the error alone', (logger) => logger.error(duplicate)],
  ])('logs a mysql2 error as %s without the values, keeping its code', (_, log) => {
    const { logger, text, lines } = capture();
    log(logger);
    const all = text.join('');
    expect(all).not.toContain(MOBILE);
    expect(all).not.toContain(SECRET);
    const err = lines()[0]!.err as Record<string, unknown>;
    expect(err).toMatchObject({ code: 'ER_DUP_ENTRY', errno: 1062, sqlState: '23000' });
    expect(err).not.toHaveProperty('sql');
    expect(err).not.toHaveProperty('sqlMessage');
    expect(String(err.message)).toMatch(/^Duplicate entry '\?'/);
    expect(String(err.stack)).toMatch(/^Error: Duplicate entry '\?'.*\n\s+at /s);
  });

  it('hides the values of a mysql2 error that is the cause of the one logged', () => {
    const { logger, text, lines } = capture();
    logger.error({ err: new Error('could not save', { cause: duplicate }) }, 'insert failed');
    expect(text.join('')).not.toMatch(new RegExp(`${MOBILE}|${SECRET}`));
    expect(lines()[0]!.err).toMatchObject({ message: "could not save: Duplicate entry '?' for key '?'" });
  });

  it('keeps code, errno and sqlState, and drops bound values', () => {
    const { logger, lines } = capture();
    const err = Object.assign(new Error(`Data too long for column 'note'`), {
      code: 'ER_DATA_TOO_LONG',
      errno: 1406,
      sqlState: '22001',
      parameters: [MOBILE],
      values: [SECRET],
    });
    logger.warn({ err }, 'insert failed');
    expect(lines()[0]!.err).toMatchObject({
      code: 'ER_DATA_TOO_LONG',
      errno: 1406,
      sqlState: '22001',
      message: "Data too long for column '?'",
    });
    expect(JSON.stringify(lines())).not.toMatch(new RegExp(`${MOBILE}|${SECRET}`));
  });

  it('logs a plain error with its message and stack unchanged', () => {
    const { logger, lines } = capture();
    const err = new Error(`member 'm1' can't be "found"`);
    logger.error({ err }, 'lookup failed');
    expect(lines()[0]).toMatchObject({ msg: 'lookup failed', err: { type: 'Error', message: err.message, stack: err.stack } });
  });
});
