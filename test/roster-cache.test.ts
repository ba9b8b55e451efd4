import { randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database, Member } from '../db/schema.ts';
import { ManualClock } from '../src/core/clock.ts';
import { createLogger } from '../src/core/logger.ts';
import { MAX_AGE_TTLS, RosterCache } from '../src/chat/roster-cache.ts';
import { insertMove, leaveMember, listBranchRoster, listBranchRosters, putMember } from '../db/members.ts';
import { rosterWritten, storedRosterVersion } from '../db/roster-versions.ts';
import { createRedis } from '../src/core/redis.ts';
import { seedBranches } from './helpers/branches.ts';
import { type TestDb, DIALECTS, memberRow, openTestDb } from './helpers/db.ts';
import { DT_SECRET, dingtalkCallback, signedHeaders } from './helpers/dingtalk.ts';
import { type ServiceProcess, startService } from './helpers/service.ts';

// The caches of org, sender and channel: an admin edit of a member's role is seen by the
// next command in the process that made it, and within CACHE_TTL in another process — which keeps
// its copy until then (asserted too: otherwise the test would pass with no cache at all).

const TTL_MS = 3_000;
const TOKEN = 'roster-cache-admin-token-0123456789abcdef';
const SCHEDULE = '安排 支委会 明天下午3点 议题 研究年度工作';

async function ask(service: ServiceProcess, text: string): Promise<string> {
  const res = await fetch(`${service.url}/webhooks/dingtalk/dt1`, {
    method: 'POST',
    headers: signedHeaders(Date.now()),
    body: JSON.stringify(dingtalkCallback(text, { senderStaffId: 'dm0-0', conversationId: 'cid-0' })),
  });
  expect(res.status).toBe(200);
  return ((await res.json()) as { markdown: { text: string } }).markdown.text;
}

const refused = (answer: string) => answer.includes('只有支部书记');

/** The database with a count of the statements run through it, as their results come back (a subquery is transformed too, but not run on its own). */
function countStatements(db: Kysely<Database>): { db: Kysely<Database>; statements: number } {
  const counted = {
    statements: 0,
    db: db.withPlugin({
      transformQuery: ({ node }) => node,
      transformResult: async ({ result }) => {
        counted.statements++;
        return result;
      },
    }),
  };
  return counted;
}

describe.each(DIALECTS)('roster cache on %s', (dialect) => {
  let shared: TestDb;
  let db: Kysely<Database>;
  const services: ServiceProcess[] = [];
  const prefix = `tongxin-cache-${randomBytes(4).toString('hex')}`;

  beforeAll(async () => {
    shared = await openTestDb(dialect, { shared: true });
    db = shared.db;
    await seedBranches(db, { branches: 1, robot: 'cache-robot-', appSecret: DT_SECRET, members: 1 });
    const env = { DATABASE_URL: shared.url, ADMIN_TOKEN: TOKEN, ROLE: 'web', QUEUE_PREFIX: prefix, CACHE_TTL: `${TTL_MS / 1000}s` };
    services.push(await startService(env), await startService(env));
  }, 60_000);
  afterAll(async () => {
    for (const s of services) await s.stop('SIGTERM');
    const redis = createRedis('redis://127.0.0.1:6379', createLogger('silent'));
    const keys = await redis.keys(`${prefix}:*`);
    if (keys.length) await redis.del(...keys);
    await redis.quit();
    await shared.close();
  });

  it('an admin edit of a role is seen at once where it was made, and within the TTL elsewhere', async () => {
    const [editor, other] = services as [ServiceProcess, ServiceProcess];
    // Both processes read the member (a plain 党员) and keep it.
    expect(refused(await ask(editor, SCHEDULE))).toBe(true);
    expect(refused(await ask(other, SCHEDULE))).toBe(true);

    const res = await fetch(`${editor.url}/admin/orgs/org1/members/m0-0`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: '党员0-0', branch: 'b0', role: 'secretary', dingtalkUserId: 'dm0-0' }),
    });
    expect(res.status).toBe(200);
    const edited = performance.now();

    expect(refused(await ask(editor, SCHEDULE))).toBe(false);
    // The other process still has its copy…
    expect(refused(await ask(other, SCHEDULE))).toBe(true);
    // …until its TTL runs out.
    let seenAfter = Number.POSITIVE_INFINITY;
    while (performance.now() - edited < TTL_MS + 2_000) {
      if (!refused(await ask(other, SCHEDULE))) {
        seenAfter = performance.now() - edited;
        break;
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(seenAfter).toBeLessThanOrEqual(TTL_MS + 200);
    console.info(
      `figures (${dialect}): the role edit seen at once by the editing process, by the other after ${Math.round(seenAfter)} ms (TTL ${TTL_MS} ms)`,
    );
  }, 60_000);
});

// In one process: a branch's roster, once read, answers the lookups of its members as senders (a
// 签到 burst: one query a branch, not one a sender). What was read is kept while the org's versions
// stay as they were: this process's, and the stored one, checked once a TTL (another process's write).
describe.each(DIALECTS)('roster cache, senders from a roster, on %s', (dialect) => {
  let test: TestDb;
  beforeAll(async () => {
    test = await openTestDb(dialect);
    await seedBranches(test.db, { branches: 2, robot: 'seed-robot-', appSecret: DT_SECRET, members: 2 });
  });
  afterAll(() => test.close());

  /** Changes roles behind the cache's back: not through db/, so no version is raised. */
  const setRoles = (role: Member['role'], id?: string) => {
    const update = test.db.updateTable('members').set({ role }).where('org_id', '=', 'org1');
    return (id ? update.where('id', '=', id) : update).execute();
  };
  /** What another process's write of the org leaves in the database besides the write itself. */
  const raiseStoredVersion = async () => {
    const version = await storedRosterVersion(test.db, 'org1');
    await test.db
      .updateTable('roster_versions')
      .set({ version: version + 1 })
      .where('org_id', '=', 'org1')
      .execute();
  };

  it('a roster read answers its members by platform id until a version changes, and not by id', async () => {
    const clock = new ManualClock(Date.now());
    const cache = new RosterCache(test.db, clock, TTL_MS);
    await cache.branch(test.db, 'org1', 'b0');
    await setRoles('committee');

    // Only a lookup that reads the database sees the change.
    expect((await cache.member('org1', 'dingtalk', 'dm0-1'))?.role).toBe('member');
    expect((await cache.member('org1', 'dingtalk', 'dm0-0'))?.role).toBe('member');
    expect(await cache.member('org1', 'dingtalk', 'dm0-1')).not.toHaveProperty('terms');
    // By id (only the console asks so) the roster does not answer: read from the database, current.
    expect((await cache.member('org1', 'id', 'm0-1'))?.role).toBe('committee');
    // Another branch's member was not in the roster read: looked up, and current.
    expect((await cache.member('org1', 'dingtalk', 'dm1-0'))?.role).toBe('committee');
    // No one has this id: not kept.
    expect(await cache.member('org1', 'dingtalk', 'nobody')).toBeUndefined();

    // A TTL on, the stored version is read again and has not changed: the copies stay.
    clock.advance(TTL_MS + 1);
    expect((await cache.member('org1', 'dingtalk', 'dm0-1'))?.role).toBe('member');

    // Another process wrote the org: seen once this process checks the stored version again.
    await raiseStoredVersion();
    clock.advance(TTL_MS - 1);
    expect((await cache.member('org1', 'dingtalk', 'dm0-1'))?.role).toBe('member');
    clock.advance(1);
    expect((await cache.member('org1', 'dingtalk', 'dm0-1'))?.role).toBe('committee');

    // A write of this process is seen by the next lookup.
    await cache.branch(test.db, 'org1', 'b0');
    await setRoles('secretary', 'm0-0');
    expect((await cache.member('org1', 'dingtalk', 'dm0-0'))?.role).toBe('committee');
    await rosterWritten(test.db, 'org1');
    expect((await cache.member('org1', 'dingtalk', 'dm0-0'))?.role).toBe('secretary');

    // A change by hand in the database, which raises no version, is read at the latest MAX_AGE_TTLS TTLs on.
    await setRoles('member', 'm0-0');
    clock.advance(TTL_MS + 1);
    expect((await cache.member('org1', 'dingtalk', 'dm0-0'))?.role).toBe('secretary');
    clock.advance(TTL_MS * MAX_AGE_TTLS);
    expect((await cache.member('org1', 'dingtalk', 'dm0-0'))?.role).toBe('member');
  });

  it('a write raises the stored version once a transaction, and not when it rolls back', async () => {
    const before = await storedRosterVersion(test.db, 'org1');
    const now = Date.now();
    const member = (id: string) => memberRow({ branch_id: 'b1', id, name: `党员${id}` });
    await test.db.transaction().execute(async (trx) => {
      await putMember(trx, member('x1'), now);
      await putMember(trx, member('x2'), now);
      await leaveMember(trx, 'org1', 'x1', now, null, now);
    });
    expect(await storedRosterVersion(test.db, 'org1')).toBe(before + 1);
    await putMember(test.db, member('x3'), now);
    await leaveMember(test.db, 'org1', 'x3', now, null, now);
    expect(await storedRosterVersion(test.db, 'org1')).toBe(before + 3);
    await expect(
      test.db.transaction().execute(async (trx) => {
        await putMember(trx, member('x4'), now);
        throw new Error('rolled back');
      }),
    ).rejects.toThrow('rolled back');
    expect(await storedRosterVersion(test.db, 'org1')).toBe(before + 3);
    expect(await storedRosterVersion(test.db, 'no-such-org')).toBe(0);
  });
});

// A batch's rosters read together (db/inbound-batch.ts calls preload before its commands run): two
// statements for several branches (three when one of their members has moved to another branch),
// none for those kept, and the same rosters as one at a time.
describe.each(DIALECTS)('roster cache, rosters of a batch, on %s', (dialect) => {
  let test: TestDb;
  beforeAll(async () => {
    test = await openTestDb(dialect);
    await seedBranches(test.db, { branches: 3, robot: 'seed-robot-', appSecret: DT_SECRET, members: 2 });
    // m0-0 moves from b0 to b1, then on to b2: on the rosters of all three.
    const now = Date.now();
    for (const [at, from, to] of [
      [now - 2_000, 'b0', 'b1'],
      [now - 1_000, 'b1', 'b2'],
    ] as const) {
      await test.db.transaction().execute(async (trx) => {
        await insertMove(trx, { org_id: 'org1', member_id: 'm0-0', at, from_branch: from, to_branch: to });
        await putMember(trx, memberRow({ branch_id: to, id: 'm0-0', name: '党员0-0', accounts: { dingtalk: 'dm0-0' } }), at);
      });
    }
  });
  afterAll(() => test.close());

  it('reads the rosters of a batch’s branches in two statements, a third for those who moved away, and none it keeps', async () => {
    const counted = countStatements(test.db);
    const cache = new RosterCache(counted.db, new ManualClock(Date.now()), TTL_MS);
    const branch = (branchId: string) => ({ orgId: 'org1', branchId });
    await cache.preload(counted.db, [branch('b0'), branch('b1'), branch('b0')]);
    // The org's stored version, then the members and the moves, then m0-0, who moved away to b2.
    expect(counted.statements).toBe(4);

    counted.statements = 0;
    const ids = (roster: readonly { id: string }[]) => roster.map((m) => m.id);
    expect(ids(await cache.branch(counted.db, 'org1', 'b0'))).toEqual(['m0-0', 'm0-1']);
    expect(ids(await cache.branch(counted.db, 'org1', 'b1'))).toEqual(['m0-0', 'm1-0', 'm1-1']);
    // One who never moved is kept as read: the sender and the roster's entry are one object.
    const sender = await cache.member('org1', 'dingtalk', 'dm1-1');
    expect(sender?.id).toBe('m1-1');
    expect((await cache.branch(counted.db, 'org1', 'b1')).find((m) => m.id === 'm1-1')).toBe(sender);
    await cache.preload(counted.db, [branch('b1')]);
    expect(counted.statements).toBe(0);
    // b2 was not read: its command reads it.
    expect(ids(await cache.branch(counted.db, 'org1', 'b2'))).toEqual(['m0-0', 'm2-0', 'm2-1']);
    expect(counted.statements).toBe(2);

    const together = await listBranchRosters(test.db, 'org1', ['b0', 'b1', 'b2']);
    for (const id of ['b0', 'b1', 'b2']) expect(together.get(id)).toEqual(await listBranchRoster(test.db, 'org1', id));
    expect((await listBranchRosters(test.db, 'org1', ['b1'])).get('b1')).toEqual(together.get('b1'));
    expect(together.get('b1')!.find((m) => m.id === 'm0-0')!.terms).toHaveLength(1);
    expect(together.get('b1')!.find((m) => m.id === 'm1-0')!.terms).toBeUndefined();
  });

  it('senders and the org asked for together are read in one statement each, the org’s stored version once', async () => {
    const counted = countStatements(test.db);
    const cache = new RosterCache(counted.db, new ManualClock(Date.now()), TTL_MS);
    const sender = (id: string) => cache.member('org1', 'dingtalk', id);
    // As the first messages of a burst, each from another branch, ask in the same turn of the event loop.
    const [org, again, ...senders] = await Promise.all([
      cache.org('org1'),
      cache.org('org1'),
      sender('dm0-1'),
      sender('dm1-0'),
      sender('dm2-1'),
      sender('dm2-1'),
      sender('nobody'),
    ]);
    expect(counted.statements).toBe(3);
    expect(org?.id).toBe('org1');
    expect(again).toBe(org);
    expect(senders.map((m) => m?.id)).toEqual(['m0-1', 'm1-0', 'm2-1', 'm2-1', undefined]);
    // Kept, but for the unknown sender, who is looked up again: a member registered meanwhile is known at once.
    await Promise.all([sender('dm0-1'), sender('dm1-0'), cache.org('org1')]);
    expect(counted.statements).toBe(3);
    await sender('nobody');
    expect(counted.statements).toBe(4);
  });

  it('keeps a roster frozen in the order lists are read: secretary, committee members, members, each by id', async () => {
    const now = Date.now();
    await putMember(test.db, memberRow({ branch_id: 'b0', id: 'z-sec', name: '书记', role: 'secretary' }), now);
    await putMember(test.db, memberRow({ branch_id: 'b0', id: 'y-com', name: '委员', role: 'committee' }), now);
    const cache = new RosterCache(test.db, new ManualClock(now), TTL_MS);
    await cache.preload(test.db, [{ orgId: 'org1', branchId: 'b1' }]);
    for (const roster of [await cache.branch(test.db, 'org1', 'b0'), await cache.branch(test.db, 'org1', 'b1')])
      expect(Object.isFrozen(roster)).toBe(true);
    expect((await cache.branch(test.db, 'org1', 'b0')).map((m) => m.id)).toEqual(['z-sec', 'y-com', 'm0-0', 'm0-1']);
  });
});
