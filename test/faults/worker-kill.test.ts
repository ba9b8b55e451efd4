import { randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDb } from '../../db/connect.ts';
import { insertMeeting } from '../../db/meetings.ts';
import type { Database } from '../../db/schema.ts';
import { QUEUE_NAMES, type Queues, createQueues } from '../../jobs/queues.ts';
import { newId } from '../../src/core/ids.ts';
import { type FakePlatform, type RecordedRequest, startFakePlatform } from '../helpers/fake-platform.ts';
import { seedBranches } from '../helpers/branches.ts';
import { meetingRow } from '../helpers/db.ts';
import { planAndRelay } from '../helpers/reminders.ts';
import { type ServiceProcess, startService } from '../helpers/service.ts';
import { faultDatabases } from '../helpers/fault-databases.ts';

// SIGKILL of the only worker while 200 reminders fall due within 10 s, then a new worker: every
// one is delivered, each once. Each meeting is in a branch of its own with a robot of
// its own, so that the robots' 20-a-minute limit does not slow the test.

const MEETINGS = 200;
const APP_SECRET = 'faults-app-secret-value';
const ROBOT_TOKEN = 'faults-robot-token-';
const ROBOT_SECRET = 'SECfaults-robot-secret-';
const MOBILE = '13912345678';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const code = (i: number) => `K${String(i).padStart(3, '0')}`;
type Body = { markdown: { title: string; text: string }; msgUuid: string };
const text = (r: RecordedRequest) => (r.body as Body).markdown.text;

describe.each(faultDatabases('worker'))('the only worker killed on %s', (_dialect, url) => {
  let fake: FakePlatform;
  let db: Kysely<Database>;
  let queues: Queues;
  const prefix = `tongxin-faults-${randomBytes(4).toString('hex')}`;
  const workers: ServiceProcess[] = [];
  const logs = () => workers.map((w) => w.log()).join('\n');

  beforeAll(async () => {
    fake = await startFakePlatform();
    db = await openDb(url);
    queues = createQueues('redis://127.0.0.1:6379', prefix);
    await seedBranches(db, {
      branches: MEETINGS,
      robot: ROBOT_TOKEN,
      robotSecret: ROBOT_SECRET,
      appSecret: APP_SECRET,
      members: 1,
      mobile: MOBILE,
    });
  });
  afterAll(async () => {
    for (const worker of workers) await worker.stop('SIGKILL');
    await Promise.all(QUEUE_NAMES.map((name) => queues[name].obliterate({ force: true })));
    await queues.close();
    await db.destroy();
    await fake.close();
  });

  async function startWorker(): Promise<ServiceProcess> {
    const worker = await startService({
      ROLE: 'worker',
      DATABASE_URL: url,
      QUEUE_PREFIX: prefix,
      DINGTALK_OAPI_BASE: fake.url,
      // Only the start notices fall in the test: the reminder before is past, the nudge an hour away.
      REMINDER_OFFSETS: '1d',
      ABSENT_NUDGE_AFTER: '1h',
    });
    workers.push(worker);
    return worker;
  }

  it('delivers all 200 start notices, each once, across a SIGKILL', async () => {
    const first = await startWorker();
    const t0 = Date.now();
    const startsAt = (i: number) => t0 + 3_000 + Math.floor((i * 7_000) / MEETINGS);
    for (let i = 0; i < MEETINGS; i++) {
      const meeting = meetingRow({ id: newId(t0), branch_id: `b${i}`, code: code(i), starts_at: startsAt(i) });
      await insertMeeting(db, meeting);
      await planAndRelay(db, queues, meeting, { offsets: [86_400_000], nudgeAfter: 3_600_000 }, t0);
    }
    await fake.waitFor((r) => r.path === '/robot/send', 15_000, 20);
    await first.stop('SIGKILL');
    const beforeKill = fake.requests.length;
    await sleep(4_000);
    expect(fake.requests.length).toBe(beforeKill);

    const restartedAt = Date.now();
    await startWorker();
    // A job a killed worker held is taken up again once its lock expires (BullMQ's stalled check).
    await fake
      .waitFor((r) => r.path === '/robot/send', 75_000, MEETINGS)
      .catch(async (err: Error) => {
        const seen = new Set(fake.requests.map((r) => /K\d{3}/.exec(text(r))?.[0]));
        const missing = Array.from({ length: MEETINGS }, (_, i) => code(i)).filter((c) => !seen.has(c));
        const rows = await db
          .selectFrom('meeting_reminders')
          .innerJoin('meetings', 'meetings.id', 'meeting_reminders.meeting_id')
          .select(['meetings.code', 'meeting_reminders.state', 'meeting_reminders.relayed_at'])
          .where('meetings.code', 'in', missing.length ? missing : ['none'])
          .execute();
        const deliveries = await db
          .selectFrom('deliveries')
          .select(['id', 'state', 'attempts', 'relayed_at', 'last_error'])
          .where('state', '!=', 'sent')
          .execute();
        throw new Error(
          `${err.message}; missing ${JSON.stringify(rows)}; unsent ${JSON.stringify(deliveries)}; log ${logs().slice(-3000)}`,
        );
      });
    await sleep(1_000);
    const requests = fake.requests.filter((r) => r.path === '/robot/send');
    const sends = requests.map((r: RecordedRequest) => r.body as Body);
    const byUuid = new Map<string, string>();
    for (const body of sends) byUuid.set(body.msgUuid, /K\d{3}/.exec(body.markdown.text)![0]);
    // Each delivery id once; a send repeated after the kill carries the same msgUuid, which DingTalk drops.
    expect(byUuid.size).toBe(MEETINGS);
    expect(new Set(byUuid.values()).size).toBe(MEETINGS);
    expect(sends.every((b) => b.markdown.title === '会议开始')).toBe(true);
    // Those due while no worker ran went out late, as the start notice may until check-in closes.
    const late = requests.filter((r) => r.at > restartedAt && startsAt(Number(/K(\d{3})/.exec(text(r))![1])) < restartedAt);
    expect(late.length).toBeGreaterThan(50);
    console.info(
      `figures: the only worker SIGKILLed while ${MEETINGS} start notices fell due: ${byUuid.size} delivered once each, ` +
        `${late.length} of them late after the restart; ${requests.length - byUuid.size} repeated sends carried the same msgUuid`,
    );
    const states = await db.selectFrom('meeting_reminders').select(['state']).where('kind', '=', 'start').execute();
    expect(states.filter((s) => s.state === 'sent')).toHaveLength(MEETINGS);
    // What the workers logged through all this holds no credential and no mobile number.
    expect(logs()).toContain('workers running');
    for (const secret of [APP_SECRET, ROBOT_TOKEN, ROBOT_SECRET, MOBILE]) expect(logs()).not.toContain(secret);
  }, 150_000);
});
