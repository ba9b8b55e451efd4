import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadDigestFacts } from '../db/digest-facts.ts';
import { computeDigest } from '../src/domain/digest/figures.ts';
import { digestWindow } from '../src/domain/digest/window.ts';
import { DIALECTS, type TestDb, openTestDb } from './helpers/db.ts';
import { ORG_ID, TZ, at, branches, digestRows } from './fixtures/digest.ts';

const DAY = 86_400_000;

// The digest fixture stored in each database: the facts loaded back (seven queries for the whole
// org) give the very figures computed from the plain fixture (test/digest-figures.test.ts asserts
// those number by number).

const LATER = Date.UTC(2027, 5, 1);
const CLOSES = 2 * 3600_000;

describe.each(DIALECTS)('digest facts from %s', (dialect) => {
  let t: TestDb;
  beforeAll(async () => {
    t = await openTestDb(dialect);
    const rows = digestRows();
    for (const table of [
      'orgs',
      'branches',
      'members',
      'member_accounts',
      'meetings',
      'attendance',
      'meeting_notes',
      'service_reports',
    ] as const) {
      if (rows[table].length)
        await t.db
          .insertInto(table)
          .values(rows[table] as never)
          .execute();
    }
  });
  afterAll(() => t.close());

  it.each([
    ['2026-W44', LATER],
    ['2026-W53', LATER],
    ['2026-W48', LATER],
    // A running week: its four weeks without a report end now, not at the week's end.
    ['2026-W44', at('2026-10-31 12:00')],
  ])('%s as of %d: loaded facts give the fixture figures, for the org and for one branch', async (week, now) => {
    const window = digestWindow(week, TZ, now)!;
    let queries = 0;
    const counted = t.db.withPlugin({
      transformQuery: (args) => {
        queries += 1;
        return args.node;
      },
      transformResult: async (args) => args.result,
    });
    const loaded = await loadDigestFacts(counted, ORG_ID, window);
    expect(queries).toBe(7);
    // A Kysely with plugins reads whole; the pool's own streams (db/row-chunks.ts): the same facts.
    expect(await loadDigestFacts(t.db, ORG_ID, window)).toEqual(loaded);
    expect(loaded.map((f) => f.branch.id)).toEqual(branches.map((b) => b.branch.id));
    for (const [i, facts] of loaded.entries()) {
      expect(computeDigest(facts, window, CLOSES)).toEqual(computeDigest(branches[i]!, window, CLOSES));
    }
    const [one] = await loadDigestFacts(t.db, ORG_ID, window, branches[1]!.branch.id);
    expect(computeDigest(one!, window, CLOSES)).toEqual(computeDigest(branches[1]!, window, CLOSES));
  });

  it('who reported in the two weeks before the fortnight is each member once, at their latest report', async () => {
    const org = 'org-earlier';
    const rows = digestRows(org);
    await t.db.insertInto('orgs').values(rows.orgs).execute();
    await t.db.insertInto('branches').values(rows.branches).execute();
    await t.db.insertInto('members').values(rows.members).execute();
    await t.db.insertInto('member_accounts').values(rows.member_accounts).execute();
    const window = digestWindow('2026-W48', TZ, LATER)!;
    const reports: [string, string, number][] = [
      ['br-a', 'mem-a1', window.to - 29 * DAY], // before the four weeks
      ['br-a', 'mem-a1', window.to - 20 * DAY],
      ['br-a', 'mem-a1', window.to - 15 * DAY],
      ['br-a', 'mem-a2', window.to - 27 * DAY],
      ['br-a', 'mem-a2', window.previousFrom], // the fortnight's own: among the reports, not before them
      ['br-b', 'mem-b1', window.to - 16 * DAY],
    ];
    await t.db
      .insertInto('service_reports')
      .values(
        reports.map(([branch_id, member_id, time], i) => ({
          id: `early-${i}`,
          org_id: org,
          branch_id,
          member_id,
          category: 'project',
          text: '走访企业',
          tags: '[]',
          at: time,
          source: null,
        })),
      )
      .execute();
    const facts = await loadDigestFacts(t.db, org, window);
    const earlier = (branch: string) =>
      [...(facts.find((f) => f.branch.id === branch)!.earlierReporters ?? [])].sort((x, y) => x.member_id.localeCompare(y.member_id));
    expect(earlier('br-a')).toEqual([
      { member_id: 'mem-a1', at: window.to - 15 * DAY },
      { member_id: 'mem-a2', at: window.to - 27 * DAY },
    ]);
    expect(earlier('br-b')).toEqual([{ member_id: 'mem-b1', at: window.to - 16 * DAY }]);
    expect(facts.find((f) => f.branch.id === 'br-a')!.reports.map((r) => r.at)).toEqual([window.previousFrom]);
  });
});
