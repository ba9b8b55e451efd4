import type { KyselyPlugin, PluginTransformQueryArgs, PluginTransformResultArgs, QueryResult, RootOperationNode, UnknownRow } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listOrgChannelChecks, putChannel } from '../db/channels.ts';
import { recordInboundEvent } from '../db/inbound-events.ts';
import { DIALECTS, type TestDb, openTestDb } from './helpers/db.ts';

// The console's channel checklist reads every channel of the org, each with its latest callback,
// in one query: an org with many channels costs no more round trips than one with a single channel.

const NOW = 1_800_000_000_000;

/** Counts the queries run through the database it is plugged into. */
class QueryCount implements KyselyPlugin {
  count = 0;
  transformQuery(args: PluginTransformQueryArgs): RootOperationNode {
    this.count++;
    return args.node;
  }
  async transformResult(args: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
    return args.result;
  }
}

describe.each(DIALECTS)('the channel checklist on %s', (dialect) => {
  let t: TestDb;

  beforeAll(async () => {
    t = await openTestDb(dialect);
    const dingtalk = { platform: 'dingtalk', appKey: 'k', appSecret: 's', robotCode: 'r' } as const;
    for (const id of ['dt1', 'dt2', 'dt3']) await putChannel(t.db, 'o1', id, dingtalk, NOW);
    await putChannel(t.db, 'o2', 'other', dingtalk, NOW);
    const event = (channel_id: string, org_id: string, message_id: string, received_at: number) =>
      recordInboundEvent(t.db, { channel_id, message_id, org_id, received_at, reply: null });
    await event('dt1', 'o1', 'a', NOW - 5000);
    await event('dt1', 'o1', 'b', NOW - 1000);
    await event('dt3', 'o1', 'c', NOW - 3000);
    await event('other', 'o2', 'd', NOW);
  });
  afterAll(() => t.close());

  it('lists the org’s channels with each one’s latest callback, in one query', async () => {
    const queries = new QueryCount();
    const checks = await listOrgChannelChecks(t.db.withPlugin(queries), 'o1');
    expect(checks.map((c) => [c.id, c.lastInboundAt])).toEqual([
      ['dt1', NOW - 1000],
      ['dt2', null],
      ['dt3', NOW - 3000],
    ]);
    expect(checks[0]?.config).toMatchObject({ platform: 'dingtalk', appKey: 'k' });
    expect(queries.count).toBe(1);
  });
});
