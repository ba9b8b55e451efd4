import type { KyselyPlugin, QueryResult, UnknownRow } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeAudit } from '../db/audit.ts';
import { PURGE_BATCH, purgeAudit, purgeExpired } from '../db/retention.ts';
import { IT_ACTOR } from '../src/domain/audit.ts';
import type { DeliveryState } from '../db/schema.ts';
import { DIALECTS, type TestDb, openTestDb } from './helpers/db.ts';

const NOW = Date.UTC(2026, 10, 28, 2, 0, 0);
const DAY = 86_400_000;
const BEFORE = NOW - 180 * DAY;
const OLD = BEFORE - DAY;
const RECENT = BEFORE + DAY;

/** Rows affected by each DELETE the purge issues, seen through a Kysely plugin. */
function countDeletes(deleted: number[]): KyselyPlugin {
  return {
    transformQuery: ({ node }) => node,
    async transformResult({ result }: { result: QueryResult<UnknownRow> }) {
      if (result.numAffectedRows !== undefined) deleted.push(Number(result.numAffectedRows));
      return result;
    },
  };
}

describe.each(DIALECTS)('purgeExpired on %s', (dialect) => {
  let t: TestDb;
  const OLD_EVENTS = 2 * PURGE_BATCH + 345;

  beforeAll(async () => {
    t = await openTestDb(dialect);
    const events = Array.from({ length: OLD_EVENTS + 3 }, (_, i) => ({
      channel_id: 'dt1',
      message_id: `msg-${i}`,
      org_id: 'org1',
      // The last three are newer, one exactly at the cut-off (kept: only older rows go).
      received_at: i < OLD_EVENTS ? OLD - i : [BEFORE, RECENT, NOW][i - OLD_EVENTS]!,
      reply: null,
    }));
    for (let i = 0; i < events.length; i += 500)
      await t.db
        .insertInto('inbound_events')
        .values(events.slice(i, i + 500))
        .execute();

    const states: DeliveryState[] = ['queued', 'sending', 'sent', 'merged', 'failed'];
    const deliveries = states.flatMap((state) =>
      [OLD, RECENT].map((updated) => ({
        id: `${state}-${updated === OLD ? 'old' : 'recent'}`,
        org_id: 'org1',
        target: '{}',
        rate_key: 'robot',
        body: '{}',
        state,
        merged_into: state === 'merged' ? 'sent-old' : null,
        attempts: 0,
        last_error: null,
        created_at: OLD - DAY,
        updated_at: updated,
      })),
    );
    await t.db.insertInto('deliveries').values(deliveries).execute();
    const link = { purpose: 'login' as const, org_id: 'org1', member_id: 'm1', payload: '{}', created_at: OLD, used_at: null };
    await t.db
      .insertInto('one_time_links')
      .values([
        { ...link, id: 'expired-long-ago', expires_at: OLD },
        { ...link, id: 'expired-recently', expires_at: RECENT },
      ])
      .execute();
    const session = { org_id: null, member_id: null, csrf: 'c', created_at: OLD, ended_at: null, last_seen_at: OLD, it_token: null };
    await t.db
      .insertInto('console_sessions')
      .values([
        { ...session, id: 'session-long-ago', expires_at: OLD },
        { ...session, id: 'session-recent', expires_at: RECENT },
      ])
      .execute();
  });

  afterAll(async () => {
    await t?.close();
  });

  it('deletes old inbound events and finished deliveries, at most 1000 rows per statement', async () => {
    const deleted: number[] = [];
    const result = await purgeExpired(t.db.withPlugin(countDeletes(deleted)), BEFORE);
    expect(result).toEqual({ inboundEvents: OLD_EVENTS, deliveries: 3, links: 2 });
    // 2,345 events: 1000 + 1000 + 345; then 3 deliveries, 1 link and 1 session, each in one statement.
    expect(deleted).toEqual([PURGE_BATCH, PURGE_BATCH, 345, 3, 1, 1]);

    const events = await t.db.selectFrom('inbound_events').select('received_at').orderBy('received_at').execute();
    expect(events.map((e) => Number(e.received_at))).toEqual([BEFORE, RECENT, NOW]);
    const left = await t.db.selectFrom('deliveries').select('id').orderBy('id').execute();
    expect(left.map((d) => d.id)).toEqual([
      'failed-recent',
      'merged-recent',
      'queued-old',
      'queued-recent',
      'sending-old',
      'sending-recent',
      'sent-recent',
    ]);
  });

  it('deletes nothing more when run again, in one statement per table', async () => {
    const deleted: number[] = [];
    expect(await purgeExpired(t.db.withPlugin(countDeletes(deleted)), BEFORE)).toEqual({ inboundEvents: 0, deliveries: 0, links: 0 });
    expect(deleted).toEqual([0, 0, 0, 0]);
    const left = await t.db.selectFrom('one_time_links').select('id').execute();
    expect(left.map((l) => l.id)).toEqual(['expired-recently']);
    const sessions = await t.db.selectFrom('console_sessions').select('id').execute();
    expect(sessions.map((l) => l.id)).toEqual(['session-recent']);
  });

  it('keeps the trail apart: purgeExpired leaves it, purgeAudit takes only entries older than its own cut-off', async () => {
    const entry = {
      orgId: 'org1',
      actor: IT_ACTOR,
      action: 'org.write' as const,
      object: 'org:org1',
      address: null,
      result: 'ok' as const,
    };
    const olds = Array.from({ length: PURGE_BATCH + 7 }, (_, i) => ({ ...entry, at: OLD - i }));
    for (let i = 0; i < olds.length; i += 500) await writeAudit(t.db, ...olds.slice(i, i + 500));
    await writeAudit(t.db, { ...entry, at: BEFORE }, { ...entry, at: NOW });
    await purgeExpired(t.db, NOW + DAY);
    const count = async () => (await t.db.selectFrom('audit_log').select('at').execute()).length;
    expect(await count()).toBe(PURGE_BATCH + 9);
    const deleted: number[] = [];
    expect(await purgeAudit(t.db.withPlugin(countDeletes(deleted)), BEFORE)).toBe(PURGE_BATCH + 7);
    expect(deleted).toEqual([PURGE_BATCH, 7]);
    const left = await t.db.selectFrom('audit_log').select('at').orderBy('at').execute();
    expect(left.map((e) => Number(e.at))).toEqual([BEFORE, NOW]);
  });
});
