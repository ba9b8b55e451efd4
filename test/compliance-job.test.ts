import { deliveryId, rateKeyOf } from '../src/domain/outbound.ts';
import type { Worker } from 'bullmq';
import { Redis } from 'ioredis';
import type { Kysely } from 'kysely';
import { pino } from 'pino';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { putAttendance } from '../db/attendance.ts';
import { putBranch } from '../db/branches.ts';
import { putChannel } from '../db/channels.ts';
import { insertMeeting } from '../db/meetings.ts';
import { putMember } from '../db/members.ts';
import { putOrg } from '../db/orgs.ts';
import type { Database, MeetingType } from '../db/schema.ts';
import { type ComplianceDeps, runComplianceForOrg } from '../jobs/compliance.ts';
import { createOutboundWorker } from '../jobs/outbound.ts';
import { fromLocal } from '../src/domain/time.ts';
import { DIALECTS } from './helpers/db.ts';
import { type TestApp, startTestApp } from './helpers/app.ts';
import { type FakePlatform, startFakePlatform } from './helpers/fake-platform.ts';

// The compliance job end to end: the rule for one org and date, its deliveries through the
// outbound queue to a fake DingTalk, sent once however often the day is run; gaps in the log.

const TZ = 'Asia/Shanghai';
const ROBOT_TOKEN = 'compliancerobottoken0123456789abcdef';
const GROUP = 'cidComplianceGroup==';
const at = (month: number, day: number, hour = 10) => fromLocal({ year: 2026, month, day, hour }, TZ);

async function seed(db: Kysely<Database>) {
  const now = at(10, 1);
  await putOrg(db, { id: 'org1', name: '机关工委', timezone: TZ, digest_cron: null }, now);
  await putChannel(
    db,
    'org1',
    'dt1',
    { platform: 'dingtalk', appKey: 'compliance-key', appSecret: 'compliance-secret', robotCode: 'robot-c' },
    now,
  );
  await putBranch(db, 'org1', 'b1', '第一党支部', [{ channel_id: 'dt1', chat_id: GROUP, webhook: ROBOT_TOKEN, secret: null }], now);
  // b2 held both quarterly types: it gets no quarter-end warning.
  await putBranch(db, 'org1', 'b2', '第二党支部', [], now);
  const member = { org_id: 'org1', party_group: null, probationary: false, mobile: null, accounts: {} };
  await putMember(
    db,
    { ...member, id: 'sec1', branch_id: 'b1', name: '李书记', role: 'secretary', accounts: { dingtalk: 'ding-sec1' } },
    now,
  );
  await putMember(db, { ...member, id: 'm1', branch_id: 'b1', name: '张一', role: 'member', accounts: { dingtalk: 'ding-m1' } }, now);
  await putMember(
    db,
    { ...member, id: 'sec2', branch_id: 'b2', name: '王书记', role: 'secretary', accounts: { dingtalk: 'ding-sec2' } },
    now,
  );
  // Each held (its secretary checked in); both branches held their 组织生活会 in June.
  const meetings: [string, string, MeetingType, number][] = [
    ['mt1', 'b1', 'assembly', at(10, 20)],
    ['mt2', 'b2', 'assembly', at(10, 21)],
    ['mt3', 'b2', 'lecture', at(11, 5)],
    ['mt4', 'b1', 'life', at(6, 30)],
    ['mt5', 'b2', 'life', at(6, 30)],
  ];
  for (const [id, branch, type, startsAt] of meetings) {
    await insertMeeting(db, {
      id,
      org_id: 'org1',
      branch_id: branch,
      code: id.toUpperCase().replace(/[01]/g, 'X'),
      type,
      topic: null,
      location: null,
      party_group: null,
      starts_at: startsAt,
      status: 'scheduled',
      status_note: null,
      tags: [],
      created_by: null,
      host_id: null,
      recorder_id: null,
      backfilled: false,
      created_at: now,
      updated_at: now,
    });
    const secretary = branch === 'b1' ? 'sec1' : 'sec2';
    await putAttendance(
      db,
      { meeting_id: id, member_id: secretary, org_id: 'org1', status: 'present', note: null, at: startsAt, source: null },
      startsAt,
    );
  }
}

describe.each(DIALECTS)('the compliance job on %s', (dialect) => {
  let fake: FakePlatform;
  let t: TestApp;
  let redis: Redis;
  let worker: Worker;
  const logged: { level: number; msg: string; year?: number; org?: string }[] = [];
  const logger = pino({ level: 'info' }, { write: (line: string) => void logged.push(JSON.parse(line)) });
  let deps: ComplianceDeps;

  const robotSends = () => fake.requests.filter((r) => r.method === 'POST' && r.path === '/robot/send');
  const privateSends = () => fake.requests.filter((r) => r.path === '/v1.0/robot/oToMessages/batchSend');
  async function drained() {
    for (let i = 0; i < 200; i++) {
      const counts = await t.queues.outbound.getJobCounts('waiting', 'active', 'delayed', 'prioritized', 'waiting-children');
      if (Object.values(counts).every((n) => n === 0)) return;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    throw new Error('the outbound queue did not drain');
  }

  beforeAll(async () => {
    fake = await startFakePlatform();
    t = await startTestApp(dialect, { now: at(11, 2, 9), env: { DINGTALK_OAPI_BASE: fake.url, DINGTALK_API_BASE: fake.url } });
    redis = new Redis(t.config.REDIS_URL, { maxRetriesPerRequest: null });
    worker = createOutboundWorker({ config: t.config, db: t.db, redis, logger, redisUrl: t.config.REDIS_URL });
    deps = { db: t.db, outbound: t.queues.outbound, logger, clock: t.clock };
    await seed(t.db);
  });
  beforeEach(() => {
    fake.clear();
    logged.length = 0;
  });
  afterAll(async () => {
    await worker.close();
    const keys = await redis.keys(`${t.config.QUEUE_PREFIX}:*`);
    if (keys.length) await redis.del(...keys);
    await redis.quit();
    await t.close();
    await fake.close();
  });

  it('sends the month-start notice to the branch group once, however often the day is run', async () => {
    const [first, second] = await Promise.all([
      runComplianceForOrg(deps, 'org1', '2026-11-02'),
      runComplianceForOrg(deps, 'org1', '2026-11-02'),
    ]);
    expect(first).toEqual({ kinds: ['monthStart'], notices: 2, deliveries: 1, gaps: [] });
    expect(second).toEqual(first);
    const [sent] = await fake.waitFor((r) => r.path === '/robot/send');
    expect(sent!.query).toEqual({ access_token: ROBOT_TOKEN });
    const body = sent!.body as { msgtype: string; markdown: { title: string; text: string } };
    expect(body.msgtype).toBe('markdown');
    expect(body.markdown.title).toBe('三会一课提醒');
    expect(body.markdown.text).toContain('**第一党支部** 2026年11月尚需召开：');
    expect(body.markdown.text).toContain('- 主题党日：本月已开 0 次，应开 1 次');
    expect(body.markdown.text).toContain('- 党课：本季度已开 0 次，应开 1 次');
    expect(body.markdown.text).not.toContain('支部党员大会'); // held on 10-20
    expect(body.markdown.text).not.toMatch(/李书记|张一/);

    // A third run after the send: the delivery exists and was sent, so nothing goes out again.
    await runComplianceForOrg(deps, 'org1', '2026-11-02');
    await drained();
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(robotSends()).toHaveLength(1);
    const target = { kind: 'chat' as const, channelId: 'dt1', chatId: GROUP };
    const id = deliveryId('compliance', ['org1', 'b1', '2026-11-02', 'monthStart', rateKeyOf(target)]);
    const rows = await t.db.selectFrom('deliveries').select(['id', 'state', 'target']).where('id', 'like', 'compliance-%').execute();
    expect(rows.map((r) => [r.id, JSON.parse(r.target)])).toEqual([[id, target]]);
    expect(id).toMatch(/^compliance-[0-9a-f]{24}$/);
    expect(rows[0]!.state).toBe('sent');
    expect(logged.some((l) => l.msg === 'compliance notices enqueued')).toBe(true);
  });

  it('warns the secretary privately two weeks before the quarter ends, only where a quarterly type is missing', async () => {
    const run = await runComplianceForOrg(deps, 'org1', '2026-12-17');
    expect(run).toEqual({ kinds: ['quarterEndWarning'], notices: 1, deliveries: 1, gaps: [] });
    const [sent] = await fake.waitFor((r) => r.path === '/v1.0/robot/oToMessages/batchSend');
    const body = sent!.body as { userIds: string[]; robotCode: string; msgParam: string };
    expect(body.userIds).toEqual(['ding-sec1']);
    expect(JSON.parse(body.msgParam)).toEqual({
      title: '三会一课季度提醒',
      text: expect.stringContaining('**第一党支部**本季度尚未召开：\n\n- 党课\n\n'),
    });
    await runComplianceForOrg(deps, 'org1', '2026-12-17');
    await drained();
    expect(privateSends()).toHaveLength(1);
    expect(robotSends()).toHaveLength(0);
  });

  it('does nothing on a day nothing is due', async () => {
    expect(await runComplianceForOrg(deps, 'org1', '2026-11-03')).toEqual({ kinds: [], notices: 0, deliveries: 0, gaps: [] });
    expect(await runComplianceForOrg(deps, 'org1', '2026-10-01')).toEqual({ kinds: [], notices: 0, deliveries: 0, gaps: [] });
    expect(await runComplianceForOrg(deps, 'unknown-org', '2026-11-02')).toEqual({ kinds: [], notices: 0, deliveries: 0, gaps: [] });
  });

  it('logs a year with no holiday data (2027) instead of silently treating it as Monday–Friday', async () => {
    const run = await runComplianceForOrg(deps, 'org1', '2027-03-10');
    expect(run).toMatchObject({ kinds: [], gaps: [2027] });
    const gaps = logged.filter((l) => l.year === 2027);
    expect(gaps).toEqual([
      expect.objectContaining({
        level: 40,
        org: 'org1',
        msg: 'no holiday data for 2027: treated as Monday–Friday; add overrides with PUT /admin/calendar/:date',
      }),
    ]);
    // 2026 has data: no such line.
    logged.length = 0;
    await runComplianceForOrg(deps, 'org1', '2026-11-03');
    expect(logged.filter((l) => /no holiday data/.test(l.msg))).toEqual([]);
  });
});
