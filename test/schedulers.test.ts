import type { Worker } from 'bullmq';
import { pino } from 'pino';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { putBranch } from '../db/branches.ts';
import { putChannel } from '../db/channels.ts';
import { putMember } from '../db/members.ts';
import { putOrg } from '../db/orgs.ts';
import {
  DEFERRED_DIGEST_JOB,
  DIGEST_JOB,
  type DigestJobDeps,
  createDigestWorker,
  processDigestJob,
  syncOrgSchedulers,
} from '../jobs/digests.ts';
import { COMPLIANCE_JOB } from '../jobs/compliance.ts';
import { weekdayOf } from '../src/domain/calendar.ts';
import { fromLocal } from '../src/domain/time.ts';
import { type TestApp, startTestApp } from './helpers/app.ts';
import { DIALECTS } from './helpers/db.ts';

// Per-org job schedulers on the `digests` queue: compliance daily at 09:00 and the weekly
// digest on the org's cron, both in the org's zone; a digest due on a day off waits for the next working day.
// A digest run is checked by its effects: one `digests` row (and one delivery) per branch and week.

const SH = 'Asia/Shanghai';
const NY = 'America/New_York';
const local = (date: string, hour: number, minute = 0, tz = SH) => {
  const [year, month, day] = date.split('-').map(Number) as [number, number, number];
  return fromLocal({ year, month, day, hour, minute }, tz);
};

describe.each(DIALECTS)('org schedulers and the weekly digest job on %s', (dialect) => {
  let t: TestApp;
  const logged: { level: number; msg: string; year?: number }[] = [];
  const logger = pino({ level: 'info' }, { write: (line: string) => void logged.push(JSON.parse(line)) });
  let deps: DigestJobDeps;
  /** The digests claimed so far, as [org, branch, week]. */
  const digests = async () =>
    (
      await t.db
        .selectFrom('digests')
        .select(['org_id', 'branch_id', 'week'])
        .orderBy('created_at')
        .orderBy('org_id')
        .orderBy('branch_id')
        .execute()
    ).map((d) => [d.org_id, d.branch_id, d.week]);
  const digestDeliveries = async () =>
    (
      await t.db
        .selectFrom('deliveries')
        .select(['id', 'target'])
        .where('id', 'like', 'digest-%')
        .orderBy('created_at')
        .orderBy('id')
        .execute()
    ).map((d) => JSON.parse(d.target) as unknown);
  const schedulers = async () =>
    (await t.queues.digests.getJobSchedulers(0, -1))
      .map((s) => ({ id: s.key, name: s.name, pattern: s.pattern, tz: s.tz, data: s.template?.data }))
      .sort((a, b) => a.id.localeCompare(b.id));

  beforeAll(async () => {
    t = await startTestApp(dialect);
    const now = t.clock.now();
    // Each org: a DingTalk channel and a branch whose secretary has a DingTalk id (the digest's target).
    for (const [org, tz, cron, n] of [
      ['org1', SH, null, 1],
      ['org2', NY, '30 17 * * 5', 2],
    ] as const) {
      await putOrg(t.db, { id: org, name: org, timezone: tz, digest_cron: cron }, now);
      await putChannel(t.db, org, `dt${n}`, { platform: 'dingtalk', appKey: 'k', appSecret: 's', robotCode: 'r' }, now);
      await putBranch(t.db, org, `b${n}`, `第${n}党支部`, [], now);
      const member = { org_id: org, branch_id: `b${n}`, party_group: null, probationary: false, mobile: null, accounts: {} };
      await putMember(t.db, { ...member, id: `sec${n}`, name: `书记${n}`, role: 'secretary', accounts: { dingtalk: `dt-sec${n}` } }, now);
      await putMember(t.db, { ...member, id: `m${n}`, name: `党员${n}`, role: 'member', accounts: { dingtalk: `dt-m${n}` } }, now);
    }
    deps = {
      db: t.db,
      outbound: t.queues.outbound,
      digests: t.queues.digests,
      logger,
      clock: t.clock,
      checkinCloses: t.config.CHECKIN_CLOSES,
    };
  });
  beforeEach(async () => {
    logged.length = 0;
    await t.queues.digests.obliterate({ force: true });
    await t.db.deleteFrom('digests').execute();
    await t.db.deleteFrom('deliveries').execute();
  });
  afterAll(() => t.close());

  it('keeps exactly one compliance and one digest scheduler per org, with its zone and cron', async () => {
    expect(await syncOrgSchedulers(t.queues, t.db, t.config)).toEqual({ orgs: 2, upserted: 4, removed: 0 });
    expect(await syncOrgSchedulers(t.queues, t.db, t.config)).toEqual({ orgs: 2, upserted: 0, removed: 0 });
    expect(t.config.DIGEST_CRON).toBe('0 9 * * 1');
    expect(await schedulers()).toEqual([
      { id: 'compliance-org1', name: COMPLIANCE_JOB, pattern: '0 9 * * *', tz: SH, data: { orgId: 'org1' } },
      { id: 'compliance-org2', name: COMPLIANCE_JOB, pattern: '0 9 * * *', tz: NY, data: { orgId: 'org2' } },
      { id: 'digest-org1', name: DIGEST_JOB, pattern: '0 9 * * 1', tz: SH, data: { orgId: 'org1' } },
      { id: 'digest-org2', name: DIGEST_JOB, pattern: '30 17 * * 5', tz: NY, data: { orgId: 'org2' } },
    ]);
    // One armed run per scheduler, at 09:00 org time.
    expect(await t.queues.digests.getDelayedCount()).toBe(4);
    const next = await t.queues.digests.getJobScheduler('compliance-org1');
    expect(new Date(next!.next!).toLocaleTimeString('en-GB', { timeZone: SH })).toBe('09:00:00');
    // The armed job carries its due time as prevMillis: what the worker takes as "the day" of a run.
    const armed = (await t.queues.digests.getDelayed()).find((j) => j.repeatJobKey === 'compliance-org1');
    expect(armed!.opts.prevMillis).toBe(next!.next);
    expect(armed!.data).toEqual({ orgId: 'org1' });
    // A forced re-upsert of an unchanged scheduler does not double it either.
    await t.queues.digests.upsertJobScheduler(
      'digest-org1',
      { pattern: '0 9 * * 1', tz: SH },
      { name: DIGEST_JOB, data: { orgId: 'org1' } },
    );
    expect((await schedulers()).filter((s) => s.id === 'digest-org1')).toHaveLength(1);
  });

  it('follows an org’s new cron and zone, and drops the schedulers of an org that is gone', async () => {
    await syncOrgSchedulers(t.queues, t.db, t.config);
    const now = t.clock.now();
    await putOrg(t.db, { id: 'org2', name: '二', timezone: 'Asia/Urumqi', digest_cron: '0 8 * * 1' }, now);
    await putOrg(t.db, { id: 'org3', name: '三', timezone: SH, digest_cron: null }, now);
    expect(await syncOrgSchedulers(t.queues, t.db, t.config)).toEqual({ orgs: 3, upserted: 4, removed: 0 });
    expect((await schedulers()).find((s) => s.id === 'digest-org2')).toMatchObject({ pattern: '0 8 * * 1', tz: 'Asia/Urumqi' });
    await t.db.deleteFrom('orgs').where('id', '=', 'org3').execute();
    expect(await syncOrgSchedulers(t.queues, t.db, t.config)).toEqual({ orgs: 2, upserted: 0, removed: 2 });
    expect((await schedulers()).map((s) => s.id)).toEqual(['compliance-org1', 'compliance-org2', 'digest-org1', 'digest-org2']);
    await putOrg(t.db, { id: 'org2', name: '二', timezone: NY, digest_cron: '30 17 * * 5' }, now);
  });

  it('defers a digest due on a public holiday to the next working day, same local time, once', async () => {
    // Monday 2026-10-05 is 国庆节; the next working day is Thursday 10-08.
    const firedAt = local('2026-10-05', 9);
    t.clock.set(firedAt + 1_500);
    expect(await processDigestJob(deps, 'org1', firedAt)).toBe('deferred to 2026-10-08');
    expect(await processDigestJob(deps, 'org1', firedAt)).toBe('deferred to 2026-10-08');
    expect(await digests()).toEqual([]);
    expect(await digestDeliveries()).toEqual([]);
    const delayed = await t.queues.digests.getDelayed();
    // The week is the one just ended (09-28 to 10-04): W40, whenever it runs.
    expect(delayed.map((j) => [j.id, j.name, j.data])).toEqual([
      ['digest-deferred-org1-2026-W40', DEFERRED_DIGEST_JOB, { orgId: 'org1', week: '2026-W40' }],
    ]);
    // BullMQ delays from its own clock: the delay is measured from the injected clock's now.
    expect(delayed[0]!.delay).toBe(local('2026-10-08', 9) - t.clock.now());
    expect(logged.map((l) => l.msg)).toContain('weekly digest of 2026-W40 deferred from 2026-10-05 (国庆节) to the working day 2026-10-08');
  });

  it('keeps the week it was due for when the working day falls in the next week', async () => {
    // 春节 2026: Monday 02-16 to Monday 02-23 are off; the digest of 2026-W07 (02-09 to 02-15) runs on
    // Tuesday 02-24, two weeks on.
    const firedAt = local('2026-02-16', 9, 30);
    t.clock.set(firedAt);
    expect(await processDigestJob(deps, 'org1', firedAt)).toBe('deferred to 2026-02-24');
    const [job] = await t.queues.digests.getDelayed();
    expect(job!.id).toBe('digest-deferred-org1-2026-W07');
    expect(job!.data).toEqual({ orgId: 'org1', week: '2026-W07' });
    expect(job!.delay).toBe(local('2026-02-24', 9, 30) - t.clock.now());
  });

  it('runs on a working day — a 调休 Saturday included — claiming one digest per branch for the week just ended', async () => {
    // Monday 09:00 reports the week just ended: 2026-11-23 to 11-29 is 2026-W48.
    t.clock.set(local('2026-11-30', 9));
    expect(await processDigestJob(deps, 'org1', local('2026-11-30', 9))).toBe('ran 2026-W48');
    // A 调休 Saturday is a working day; the week is that of the day before (Friday 10-09): W41.
    expect(weekdayOf('2026-10-10')).toBe(6);
    t.clock.set(local('2026-10-10', 9));
    expect(await processDigestJob(deps, 'org1', local('2026-10-10', 9))).toBe('ran 2026-W41');
    // The week is the org's: a Friday-17:30 cron in New York reports that week so far (W49), though
    // it is already Saturday in Shanghai.
    t.clock.set(local('2026-12-04', 17, 30, NY));
    expect(await processDigestJob(deps, 'org2', local('2026-12-04', 17, 30, NY))).toBe('ran 2026-W49');
    expect(await digests()).toEqual([
      ['org1', 'b1', '2026-W41'],
      ['org1', 'b1', '2026-W48'],
      ['org2', 'b2', '2026-W49'],
    ]);
    // Each pushed privately to the branch secretary, through the org's DingTalk channel.
    const secretary1 = { kind: 'member', channelId: 'dt1', memberId: 'sec1' };
    expect(await digestDeliveries()).toEqual([secretary1, secretary1, { kind: 'member', channelId: 'dt2', memberId: 'sec2' }]);
    expect(await t.queues.digests.getDelayedCount()).toBe(0);

    // The same run again (a retry, a second scheduler) claims and sends nothing more.
    t.clock.set(local('2026-11-30', 10));
    expect(await processDigestJob(deps, 'org1', local('2026-11-30', 9))).toBe('ran 2026-W48');
    expect(await digests()).toHaveLength(3);
    expect(await digestDeliveries()).toHaveLength(3);
  });

  it('an ordinary weekend is not a working day either: a Sunday digest waits for Monday', async () => {
    t.clock.set(local('2026-11-29', 9));
    expect(await processDigestJob(deps, 'org1', local('2026-11-29', 9))).toBe('deferred to 2026-11-30');
    const delayed = await t.queues.digests.getDelayed();
    // Sunday's digest is of the week ending that day (W48), sent on Monday.
    expect(delayed.map((j) => [j.id, j.data])).toEqual([['digest-deferred-org1-2026-W48', { orgId: 'org1', week: '2026-W48' }]]);
    expect(await digests()).toEqual([]);
  });

  it('in a year with no holiday data runs by weekday and logs the gap', async () => {
    // Monday 2027-01-04 reports the week of 2026-12-28 to 2027-01-03: 2026-W53.
    t.clock.set(local('2027-01-04', 9));
    expect(await processDigestJob(deps, 'org1', local('2027-01-04', 9))).toBe('ran 2026-W53');
    expect(logged.filter((l) => l.year === 2027).map((l) => [l.level, l.msg])).toEqual([
      [40, 'no holiday data for 2027: treated as Monday–Friday; add overrides with PUT /admin/calendar/:date'],
    ]);
    expect(await digests()).toEqual([['org1', 'b1', '2026-W53']]);
    // The digest says that its working days of 2027 are guessed.
    const row = await t.db.selectFrom('deliveries').select('body').where('id', 'like', 'digest-%').executeTakeFirstOrThrow();
    expect((JSON.parse(row.body) as { markdown: string }).markdown).toContain('2027 年尚无节假日数据');
  });

  describe('through the worker', () => {
    let worker: Worker;
    beforeAll(() => {
      worker = createDigestWorker({ ...deps, redisUrl: t.config.REDIS_URL, prefix: t.config.QUEUE_PREFIX });
    });
    afterAll(() => worker.close());
    const finished = (id: string) =>
      new Promise<unknown>((resolve, reject) => {
        const done = (job: { id?: string }, result: unknown) => {
          if (job.id !== id) return;
          cleanup();
          resolve(result);
        };
        const failed = (job: { id?: string } | undefined, err: Error) => {
          if (job?.id !== id) return;
          cleanup();
          reject(err);
        };
        const cleanup = () => {
          worker.off('completed', done);
          worker.off('failed', failed);
        };
        worker.on('completed', done);
        worker.on('failed', failed);
      });

    it('runs a deferred digest, a scheduled digest at its due time, and the compliance job', async () => {
      const deferred = finished('d1');
      await t.queues.digests.add(DEFERRED_DIGEST_JOB, { orgId: 'org1', week: '2026-W41' }, { jobId: 'd1' });
      expect(await deferred).toBe('ran 2026-W41');
      expect(await digests()).toEqual([['org1', 'b1', '2026-W41']]);

      // A scheduler's job carries its due time (prevMillis): the holiday is that of the due day.
      const digest = finished('d2');
      t.clock.set(local('2026-10-05', 9));
      await t.queues.digests.add(DIGEST_JOB, { orgId: 'org1' }, { jobId: 'd2', prevMillis: local('2026-10-05', 9) });
      expect(await digest).toBe('deferred to 2026-10-08');
      expect(await digests()).toHaveLength(1);

      await putChannel(
        t.db,
        'org1',
        'wb1',
        { platform: 'wecom-bot', token: 't', encodingAESKey: 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG' },
        t.clock.now(),
      );
      await putBranch(
        t.db,
        'org1',
        'b1',
        '第一党支部',
        [{ channel_id: 'wb1', chat_id: 'wrkchat1', webhook: 'robot-key', secret: null }],
        t.clock.now(),
      );
      const compliance = finished('c1');
      await t.queues.digests.add(COMPLIANCE_JOB, { orgId: 'org1' }, { jobId: 'c1', prevMillis: local('2026-11-02', 9) });
      expect(await compliance).toBe('monthStart: 1 deliveries');
      const rows = await t.db.selectFrom('deliveries').select(['id', 'target']).where('id', 'like', 'compliance-%').execute();
      expect(rows.map((r) => [r.id.replace(/[0-9a-f]{24}$/, 'H'), JSON.parse(r.target)])).toEqual([
        ['compliance-H', { kind: 'chat', channelId: 'wb1', chatId: 'wrkchat1' }],
      ]);
    });
  });
});
