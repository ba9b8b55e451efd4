import type { Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { putAttendance } from '../db/attendance.ts';
import { putBranch } from '../db/branches.ts';
import { putChannel } from '../db/channels.ts';
import { insertMeeting } from '../db/meetings.ts';
import { putMember } from '../db/members.ts';
import { putOrg } from '../db/orgs.ts';
import { insertReport } from '../db/reports.ts';
import type { Database, Meeting, MeetingType, Role, ServiceCategory } from '../db/schema.ts';
import { runWeeklyDigest } from '../jobs/digest-run.ts';
import { processDigestJob } from '../jobs/digests.ts';
import { startWorkers } from '../jobs/workers.ts';
import { fromLocal } from '../src/domain/time.ts';
import { type TestApp, startTestApp } from './helpers/app.ts';
import { viaDingtalk } from './helpers/chat.ts';
import { DIALECTS, memberRow } from './helpers/db.ts';
import { DT_SECRET } from './helpers/dingtalk.ts';
import { type FakePlatform, type RecordedRequest, startFakePlatform } from './helpers/fake-platform.ts';

// The weekly 五同 digest end to end: the admin preview and run, the schedule's
// Monday job and a secretary's 周报 — real Redis, real workers, a fake DingTalk. Whoever runs it
// and however often, each branch gets its week's digest once: privately to a secretary DingTalk
// knows, else through the branch group's custom robot.

const TZ = 'Asia/Shanghai';
const at = (day: number, hour: number, minute = 0) => fromLocal({ year: 2026, month: 11, day, hour, minute }, TZ);
const WEEK = '2026-W48'; // Monday 11-23 to Sunday 11-29
const SATURDAY = at(28, 10); // within the week: its digest "so far"
const MONDAY = at(30, 9, 30); // the week just ended

const PRIVATE = '/v1.0/robot/oToMessages/batchSend';
const ROBOT = '/robot/send';

const ROSTER: [id: string, branch: string, name: string, role: Role, dingtalk: string | null][] = [
  ['sec1', 'b1', '李书记', 'secretary', 'dt-sec1'],
  ['c11', 'b1', '周委员', 'committee', 'dt-c11'],
  ['m11', 'b1', '张一', 'member', 'dt-m11'],
  ['m12', 'b1', '王二', 'member', 'dt-m12'],
  // The second branch's secretary is known to no platform: its digest goes to the branch group.
  ['sec2', 'b2', '陈书记', 'secretary', null],
  ['m21', 'b2', '赵三', 'member', 'dt-m21'],
  ['m22', 'b2', '钱四', 'member', 'dt-m22'],
];

let ids = 0;
async function meeting(
  db: Kysely<Database>,
  branch: string,
  code: string,
  type: MeetingType,
  topic: string,
  startsAt: number,
  tags: string[] = [],
) {
  const row: Meeting = {
    id: `mt${++ids}`,
    org_id: 'org1',
    branch_id: branch,
    code,
    type,
    topic,
    location: '三楼会议室',
    party_group: null,
    starts_at: startsAt,
    status: 'scheduled',
    status_note: null,
    tags,
    created_by: null,
    host_id: null,
    recorder_id: null,
    backfilled: false,
    created_at: startsAt - 86_400_000,
    updated_at: startsAt - 86_400_000,
  };
  await insertMeeting(db, row);
  return row;
}

async function report(
  db: Kysely<Database>,
  branch: string,
  member: string,
  category: ServiceCategory,
  text: string,
  when: number,
  tags: string[] = [],
) {
  await insertReport(db, {
    id: `r${++ids}`,
    org_id: 'org1',
    branch_id: branch,
    member_id: member,
    category,
    text,
    tags,
    at: when,
    source: null,
  });
}

async function seed(db: Kysely<Database>) {
  const now = at(20, 9);
  await putOrg(db, { id: 'org1', name: '机关工委', timezone: TZ, digest_cron: null }, now);
  await putChannel(db, 'org1', 'dt1', { platform: 'dingtalk', appKey: 'k', appSecret: DT_SECRET, robotCode: 'robot-code-1' }, now);
  await putBranch(
    db,
    'org1',
    'b1',
    '第一党支部',
    [{ channel_id: 'dt1', chat_id: 'cidGroup1==', webhook: 'robot-token-1', secret: null }],
    now,
  );
  await putBranch(
    db,
    'org1',
    'b2',
    '第二党支部',
    [{ channel_id: 'dt1', chat_id: 'cidGroup2==', webhook: 'robot-token-2', secret: null }],
    now,
  );
  for (const [id, branch, name, role, dingtalk] of ROSTER) {
    await putMember(db, memberRow({ id, branch_id: branch, name, role, accounts: dingtalk ? { dingtalk } : {} }), now);
  }
  const present = async (m: Meeting, member: string) =>
    putAttendance(
      db,
      { meeting_id: m.id, member_id: member, org_id: 'org1', status: 'present', note: null, at: m.starts_at, source: null },
      m.starts_at,
    );
  const leave = async (m: Meeting, member: string) =>
    putAttendance(
      db,
      { meeting_id: m.id, member_id: member, org_id: 'org1', status: 'leave', note: '出差', at: m.starts_at, source: null },
      m.starts_at,
    );

  // Branch 1: a 党员大会 this week (one on leave, one absent), one the week before (all present).
  const assembly = await meeting(db, 'b1', 'AAA', 'assembly', '研究部署年度工作', at(25, 14, 30));
  for (const m of ['sec1', 'c11', 'm11']) await present(assembly, m);
  await leave(assembly, 'm12');
  const before = await meeting(db, 'b1', 'BBB', 'lecture', '专题党课', at(18, 14, 30), ['review']);
  for (const m of ['sec1', 'c11', 'm11', 'm12']) await present(before, m);
  // A 支委会 still to come: the quarter's "next".
  await meeting(db, 'b1', 'CCC', 'committee', '年终考核', at(30, 0) + 15 * 86_400_000);
  await report(db, 'b1', 'm11', 'enterprise', '走访园区企业，协调解决用工问题', at(24, 16), ['inspect']);
  await report(db, 'b1', 'c11', 'grassroots', '到社区开展志愿服务', at(27, 10));
  await report(db, 'b1', 'm11', 'project', '上周的项目服务', at(17, 10));

  // Branch 2: a 党小组会 this week, one member absent without leave.
  const group = await meeting(db, 'b2', 'DDD', 'group', '学习讨论', at(26, 9), ['research']);
  for (const m of ['sec2', 'm21']) await present(group, m);
  await report(db, 'b2', 'm21', 'public', '为群众办实事', at(26, 15));
}

type BatchBody = { robotCode: string; userIds: string[]; msgKey: string; msgParam: string };
type RobotBody = { msgtype: string; markdown: { title: string; text: string } };
const batch = (r: RecordedRequest) => r.body as BatchBody;
const robot = (r: RecordedRequest) => r.body as RobotBody;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe.each(DIALECTS)('the weekly digest on %s', (dialect) => {
  let fake: FakePlatform;
  let t: TestApp;
  let workers: { close(): Promise<void> };
  const digestRows = async () =>
    (await t.db.selectFrom('digests').select(['branch_id', 'week']).orderBy('branch_id').orderBy('week').execute()).map((d) => [
      d.branch_id,
      d.week,
    ]);
  const pushes = () => fake.requests.filter((r) => r.path === PRIVATE || r.path === ROBOT);
  const run = (body?: unknown) => t.admin('POST', '/admin/orgs/org1/digests/run', body);

  beforeAll(async () => {
    fake = await startFakePlatform();
    t = await startTestApp(dialect, { now: SATURDAY, env: { DINGTALK_OAPI_BASE: fake.url, DINGTALK_API_BASE: fake.url } });
    await seed(t.db);
    workers = await startWorkers({ ...t });
  });
  afterAll(async () => {
    await workers?.close();
    await t?.close();
    await fake?.close();
  });

  it('previews a branch’s digest — figures and markdown — pushing nothing', async () => {
    const res = await t.admin('GET', `/admin/orgs/org1/branches/b1/digest?week=${WEEK}`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as Record<string, unknown> & {
      meetings: { code: string; present: number; expected: number; absentWithoutLeave: string[]; pendingMakeup: string[] }[];
      reports: { total: number; perCategory: Record<string, number>; silentFourWeeks: string[] };
      quarter: { type: string; next: { code: string } | null }[];
      coverage: { tag: string; thisWeek: number; lastWeek: number }[];
      change: Record<string, number | null>;
      parts: string[];
      markdown: string;
    };
    expect(body).toMatchObject({
      week: WEEK,
      branch: { id: 'b1', name: '第一党支部' },
      from: '2026-11-23T00:00:00.000+08:00',
      to: '2026-11-30T00:00:00.000+08:00',
      target: { kind: 'member', channelId: 'dt1', memberId: 'sec1', platform: 'dingtalk' },
      gaps: ['assess', 'review'],
    });
    expect(body.meetings).toEqual([
      expect.objectContaining({ code: 'AAA', present: 3, expected: 4, absentWithoutLeave: [], pendingMakeup: ['王二'] }),
    ]);
    expect(body.reports).toMatchObject({
      total: 2,
      perCategory: { enterprise: 1, project: 0, grassroots: 1, public: 0 },
      silentFourWeeks: ['王二', '李书记'],
    });
    expect(body.quarter.find((q) => q.type === 'committee')?.next).toMatchObject({ code: 'CCC' });
    expect(body.coverage.find((c) => c.tag === 'review')).toMatchObject({ thisWeek: 0, lastWeek: 1 });
    expect(body.change).toEqual({ attendanceRate: 0.75, previousAttendanceRate: 1, reports: 2, previousReports: 1 });
    expect(body.parts).toHaveLength(1);
    expect(body.markdown).toBe(body.parts.join('\n\n'));
    expect(body.markdown).toContain('## 第一党支部五同周报\n\n2026年第48周（11月23日—11月29日）');
    expect(body.markdown).toContain('待补学：王二');

    // The week defaults to the current one (org zone); branch 2's digest would go to its group.
    const current = await t.admin('GET', '/admin/orgs/org1/branches/b2/digest');
    expect(current.status).toBe(200);
    expect(await current.json()).toMatchObject({
      week: WEEK,
      target: { kind: 'chat', channelId: 'dt1', chatId: 'cidGroup2==', platform: 'dingtalk' },
      meetings: [expect.objectContaining({ code: 'DDD', present: 2, expected: 3, absentWithoutLeave: ['钱四'] })],
    });

    expect((await t.admin('GET', '/admin/orgs/org1/branches/b1/digest?week=2026-W60')).status).toBe(400);
    expect(await (await t.admin('GET', '/admin/orgs/org1/branches/b1/digest?week=next')).json()).toMatchObject({ field: 'week' });
    expect((await t.admin('GET', `/admin/orgs/org1/branches/nope/digest?week=${WEEK}`)).status).toBe(404);
    expect((await t.admin('GET', `/admin/orgs/nope/branches/b1/digest?week=${WEEK}`)).status).toBe(404);

    await sleep(500);
    expect(pushes()).toEqual([]);
    expect(await digestRows()).toEqual([]);
    expect(await t.db.selectFrom('deliveries').selectAll().execute()).toEqual([]);
  });

  it('a secretary’s 周报 replies privately with the week so far and claims nothing', async () => {
    const reply = await viaDingtalk(t, 'dt1', 'dt-sec1', '周报', { direct: true });
    expect(reply).toContain('## 第一党支部五同周报\n\n2026年第48周（11月23日—11月29日）');
    expect(reply).toContain('到会 3/4');
    // Asked in the group, it says to ask privately.
    expect(await viaDingtalk(t, 'dt1', 'dt-sec1', '周报', { chat: 'cidGroup1==' })).toContain('只在私聊中回复');
    await sleep(500);
    expect(pushes()).toEqual([]);
    expect(await digestRows()).toEqual([]);
  });

  it('runs each branch’s digest once, however often it is run, by the admin or by the schedule', async () => {
    t.clock.set(MONDAY);
    const bad = await run({ week: '2026-48' });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ field: 'week' });
    expect(await (await run({ branch: 'nope' })).json()).toMatchObject({ field: 'branch' });
    // A week not yet begun is refused: it would claim the week before there is anything to say.
    expect(await (await run({ week: '2026-W50' })).json()).toMatchObject({ field: 'week', error: 'week: has not begun yet' });
    expect(await (await run({ weeks: WEEK })).json()).toMatchObject({ field: 'weeks' });
    expect((await t.admin('POST', '/admin/orgs/nope/digests/run', {})).status).toBe(404);

    const first = await run({ week: WEEK });
    expect(first.status).toBe(200);
    expect(await first.json()).toEqual({
      week: WEEK,
      results: [
        { branch: 'b1', outcome: 'queued', parts: 1 },
        { branch: 'b2', outcome: 'queued', parts: 1 },
      ],
    });
    // Again, for one branch, and with the default week (on Monday: the week just ended).
    expect(await (await run({ week: WEEK, branch: 'b2' })).json()).toEqual({
      week: WEEK,
      results: [{ branch: 'b2', outcome: 'already sent', parts: 0 }],
    });
    expect(await (await run()).json()).toMatchObject({ week: WEEK, results: [{ outcome: 'already sent' }, { outcome: 'already sent' }] });
    // The schedule's Monday 09:00 job reports the same week: nothing more to send.
    const deps = {
      db: t.db,
      outbound: t.queues.outbound,
      digests: t.queues.digests,
      logger: t.logger,
      clock: t.clock,
      checkinCloses: t.config.CHECKIN_CLOSES,
    };
    expect(await processDigestJob(deps, 'org1', at(30, 9))).toBe(`ran ${WEEK}`);

    const [privately] = await fake.waitFor((r) => r.path === PRIVATE, 10_000);
    const [group] = await fake.waitFor((r) => r.path === ROBOT, 10_000);
    expect(batch(privately!)).toMatchObject({ robotCode: 'robot-code-1', userIds: ['dt-sec1'], msgKey: 'sampleMarkdown' });
    const param = JSON.parse(batch(privately!).msgParam) as { title: string; text: string };
    expect(param.title).toBe('第一党支部五同周报：2026年第48周');
    expect(param.text).toContain('待补学：王二');
    expect(group!.query.access_token).toBe('robot-token-2');
    expect(robot(group!).markdown.title).toBe('第二党支部五同周报：2026年第48周');
    expect(robot(group!).markdown.text).toContain('未请假缺席：1 人');
    // The secretary of 第二党支部 has no id: the group reads counts, never names.
    expect(robot(group!).markdown.text).not.toContain('钱四');

    // Nothing more arrives.
    await sleep(2_000);
    expect(
      pushes()
        .map((r) => r.path)
        .sort(),
    ).toEqual([ROBOT, PRIVATE]);
    expect(await digestRows()).toEqual([
      ['b1', WEEK],
      ['b2', WEEK],
    ]);
    const deliveries = await t.db.selectFrom('deliveries').select(['id', 'state']).orderBy('id').execute();
    expect(deliveries.map((d) => d.state)).toEqual(['sent', 'sent']);
  });

  it('a 周报 after the week’s digest was pushed still answers, and claims nothing', async () => {
    fake.clear();
    t.clock.set(MONDAY + 3_600_000);
    const reply = await viaDingtalk(t, 'dt1', 'dt-sec1', '周报', { direct: true });
    // Monday: the new week so far, which has no meeting yet.
    expect(reply).toContain('2026年第49周（11月30日—12月6日）');
    expect(reply).toContain('本周没有召开会议');
    await sleep(500);
    expect(pushes()).toEqual([]);
    expect(await digestRows()).toEqual([
      ['b1', WEEK],
      ['b2', WEEK],
    ]);
  });

  it('claims each branch once when two runs of one week meet (the second finds the first’s claims)', async () => {
    const deps = {
      db: t.db,
      outbound: t.queues.outbound,
      logger: t.logger,
      clock: t.clock,
      checkinCloses: t.config.CHECKIN_CLOSES,
    };
    const runs = await Promise.all([runWeeklyDigest(deps, 'org1', '2026-W47'), runWeeklyDigest(deps, 'org1', '2026-W47')]);
    const queued = runs.flat().filter((o) => o.outcome === 'queued');
    expect(queued.map((o) => o.branch).sort()).toEqual(['b1', 'b2']);
    expect(runs.flat().filter((o) => o.outcome === 'already sent')).toHaveLength(2);
    const rows = await t.db.selectFrom('digests').select('branch_id').where('week', '=', '2026-W47').execute();
    expect(rows.map((r) => r.branch_id).sort()).toEqual(['b1', 'b2']);
  });
});
