import type { Kysely } from 'kysely';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { putOrg } from '../db/orgs.ts';
import { putChannel } from '../db/channels.ts';
import { putBranch } from '../db/branches.ts';
import { putMember } from '../db/members.ts';
import { insertMeeting } from '../db/meetings.ts';
import { putAttendance } from '../db/attendance.ts';
import type { Database, Meeting, Role } from '../db/schema.ts';
import { newId } from '../src/core/ids.ts';
import { reminderTiming } from '../src/chat/context.ts';
import { planAndRelay } from './helpers/reminders.ts';
import { reminderJobId } from '../src/domain/reminders.ts';
import type { ReminderKind } from '../db/schema.ts';
import { startWorkers } from '../jobs/workers.ts';
import { DIALECTS, memberRow } from './helpers/db.ts';
import { type TestApp, startTestApp } from './helpers/app.ts';
import { type FakePlatform, type RecordedRequest, startFakePlatform } from './helpers/fake-platform.ts';
import { DT_SECRET, dingtalkCallback, signedHeaders } from './helpers/dingtalk.ts';

// Meeting reminders end to end: real BullMQ delays on real Redis, pushed to a fake DingTalk
// custom robot: each reminder sent once, on time; 改期 and 取消 move or stop them.

const GROUP = 'cidGroupA==';
type Body = { msgtype: string; markdown: { title: string; text: string }; at: { atUserIds: string[] } };
const body = (r: RecordedRequest) => r.body as Body;

async function seed(db: Kysely<Database>, now: number) {
  await putOrg(db, { id: 'org1', name: '机关工委', timezone: 'Asia/Shanghai', digest_cron: null }, now);
  await putChannel(
    db,
    'org1',
    'dt1',
    { platform: 'dingtalk', appKey: 'k', appSecret: DT_SECRET, robotCode: 'r', botName: '党建助手' },
    now,
  );
  await putBranch(db, 'org1', 'b1', '第一党支部', [{ channel_id: 'dt1', chat_id: GROUP, webhook: 'robot-token-1', secret: null }], now);
  const roster: [string, string, Role][] = [
    ['sec', '李书记', 'secretary'],
    ['c1', '周委员', 'committee'],
    ['m1', '张一', 'member'],
    ['m2', '王二', 'member'],
  ];
  for (const [id, name, role] of roster) {
    await putMember(db, memberRow({ id, name, role, accounts: { dingtalk: `dt-${id}` } }), now);
  }
}

async function meeting(db: Kysely<Database>, startsAt: number, code: string): Promise<Meeting> {
  const now = Date.now();
  const row: Meeting = {
    id: newId(now),
    org_id: 'org1',
    branch_id: 'b1',
    code,
    type: 'assembly',
    topic: `议题${code}`,
    location: '三楼会议室',
    party_group: null,
    starts_at: startsAt,
    status: 'scheduled',
    status_note: null,
    tags: [],
    created_by: 'sec',
    host_id: null,
    recorder_id: null,
    backfilled: false,
    created_at: now,
    updated_at: now,
  };
  await insertMeeting(db, row);
  return row;
}

describe.each(DIALECTS)('meeting reminders on %s', (dialect) => {
  let fake: FakePlatform;
  let t: TestApp;
  let workers: { close(): Promise<void> };
  const timing = () => reminderTiming(t.config);
  const pushesAbout = (code: string) => fake.requests.filter((r) => r.path === '/robot/send' && body(r).markdown.text.includes(code));

  beforeAll(async () => {
    fake = await startFakePlatform();
    t = await startTestApp(dialect, {
      now: Date.now(),
      env: { REMINDER_OFFSETS: '4s,2s', ABSENT_NUDGE_AFTER: '2s', DINGTALK_OAPI_BASE: fake.url, WECOM_API_BASE: fake.url },
    });
    await seed(t.db, Date.now());
    workers = await startWorkers({ ...t });
  });
  afterAll(async () => {
    await workers.close();
    await t.close();
    await fake.close();
  });
  afterEach(() => fake.clear());

  it('sends both reminders, the start notice and the nudge, each within 1 s of its time', async () => {
    const start = Date.now() + 8_000;
    const m = await meeting(t.db, start, 'AAA');
    await putAttendance(
      t.db,
      { meeting_id: m.id, member_id: 'sec', org_id: 'org1', status: 'present', note: null, at: Date.now(), source: 'x' },
      Date.now(),
    );
    await putAttendance(
      t.db,
      { meeting_id: m.id, member_id: 'c1', org_id: 'org1', status: 'leave', note: '出差', at: Date.now(), source: 'y' },
      Date.now(),
    );
    t.clock.set(Date.now());
    await planAndRelay(t.db, t.queues, m, timing(), t.clock.now());

    const got = await fake.waitFor((r) => r.path === '/robot/send' && body(r).markdown.text.includes('AAA'), 15_000, 4);
    const when = (title: string, nth = 0) => got.filter((r) => body(r).markdown.title === title)[nth]!.at;
    expect(got.map((r) => body(r).markdown.title)).toEqual(['会议提醒', '会议提醒', '会议开始', '签到提醒']);
    expect(Math.abs(when('会议提醒', 0) - (start - 4_000))).toBeLessThan(1_000);
    expect(Math.abs(when('会议提醒', 1) - (start - 2_000))).toBeLessThan(1_000);
    expect(Math.abs(when('会议开始') - start)).toBeLessThan(1_000);
    expect(Math.abs(when('签到提醒') - (start + 2_000))).toBeLessThan(1_000);

    const nudge = body(got[3]!);
    expect([...nudge.at.atUserIds].sort()).toEqual(['dt-m1', 'dt-m2']);
    expect(nudge.markdown.text).toContain('@dt-m1');
    // How to answer in the group, with the bot's name: the platforms pass it only what @-mentions it.
    expect(nudge.markdown.text).toContain('请发送「@党建助手 签到」');
    expect(body(got[2]!).markdown.text).toContain('可在群里发送「@党建助手 签到」');
    expect(got[3]!.query.access_token).toBe('robot-token-1');
    // Nothing more arrives (no doubles).
    await new Promise((r) => setTimeout(r, 1_500));
    expect(pushesAbout('AAA')).toHaveLength(4);
  });

  it('moves the reminders of a rescheduled meeting and sends none for a cancelled one', async () => {
    const first = Date.now() + 5_000;
    const moved = await meeting(t.db, first, 'BBB');
    const cancelled = await meeting(t.db, Date.now() + 5_000, 'CCC');
    t.clock.set(Date.now());
    await planAndRelay(t.db, t.queues, moved, timing(), t.clock.now());
    await planAndRelay(t.db, t.queues, cancelled, timing(), t.clock.now());

    const later = first + 3_000;
    await t.db.updateTable('meetings').set({ starts_at: later }).where('id', '=', moved.id).execute();
    await t.db.updateTable('meetings').set({ status: 'cancelled' }).where('id', '=', cancelled.id).execute();
    t.clock.set(Date.now());
    await planAndRelay(t.db, t.queues, { ...moved, starts_at: later }, timing(), t.clock.now());
    await planAndRelay(t.db, t.queues, { ...cancelled, status: 'cancelled' }, timing(), t.clock.now());

    const got = await fake.waitFor((r) => r.path === '/robot/send' && body(r).markdown.text.includes('BBB'), 15_000, 4);
    expect(Math.abs(got[0]!.at - (later - 4_000))).toBeLessThan(1_000);
    expect(Math.abs(got[2]!.at - later)).toBeLessThan(1_000);
    await new Promise((r) => setTimeout(r, 1_000));
    expect(pushesAbout('BBB')).toHaveLength(4);
    expect(pushesAbout('CCC')).toHaveLength(0);
  });

  it('安排, 改期 and 取消 through the webhook replan the reminders and their jobs', async () => {
    const send = async (text: string) => {
      const res = await t.app.request('/webhooks/dingtalk/dt1', {
        method: 'POST',
        headers: signedHeaders(t.clock.now()),
        body: JSON.stringify(dingtalkCallback(text, { senderStaffId: 'dt-sec', conversationId: GROUP })),
      });
      return ((await res.json()) as { markdown: { text: string } }).markdown.text;
    };
    t.clock.set(Date.now());
    const reply = await send('安排 党课 明天15:00');
    const code = /会议编号：\*\*([A-Z0-9]{3})\*\*/.exec(reply)![1]!;
    const row = await t.db.selectFrom('meetings').selectAll().where('code', '=', code).executeTakeFirstOrThrow();
    const job = async (kind: ReminderKind, offset: number, startsAt: number) =>
      (await t.queues.reminders.getJob(reminderJobId(row.id, kind, offset, startsAt)))?.data as { startsAt: number } | undefined;
    const planned = async () =>
      (
        await t.db
          .selectFrom('meeting_reminders')
          .selectAll()
          .where('meeting_id', '=', row.id)
          .orderBy('kind')
          .orderBy('offset_ms')
          .execute()
      ).map((r) => [r.kind, Number(r.offset_ms), r.state, Number(r.starts_at)]);
    expect((await job('start', 0, row.starts_at))?.startsAt).toBe(row.starts_at);
    expect(await job('remind', 4000, row.starts_at)).toBeDefined();
    expect(await planned()).toEqual([
      ['nudge', 2000, 'planned', row.starts_at],
      ['remind', 2000, 'planned', row.starts_at],
      ['remind', 4000, 'planned', row.starts_at],
      ['start', 0, 'planned', row.starts_at],
    ]);

    await send(`改期 ${code} 后天15:00`);
    const movedTo = (await t.db.selectFrom('meetings').select('starts_at').where('id', '=', row.id).executeTakeFirstOrThrow()).starts_at;
    expect(movedTo).toBe(row.starts_at + 86_400_000);
    expect((await job('start', 0, movedTo))?.startsAt).toBe(movedTo);
    expect((await job('nudge', 2000, movedTo))?.startsAt).toBe(movedTo);
    expect((await planned()).map(([kind, , state, startsAt]) => [kind, state, startsAt])).toEqual([
      ['nudge', 'planned', movedTo],
      ['remind', 'planned', movedTo],
      ['remind', 'planned', movedTo],
      ['start', 'planned', movedTo],
    ]);

    // The jobs of a moved or cancelled meeting stay in the queue and do nothing when they run: the record says so.
    await send(`取消 ${code}`);
    expect((await planned()).map(([, , state]) => state)).toEqual(['cancelled', 'cancelled', 'cancelled', 'cancelled']);
  });
});
