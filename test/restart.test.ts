import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPool } from 'mysql2/promise';
import type { Kysely } from 'kysely';
import { openDb } from '../db/connect.ts';
import type { Database } from '../db/schema.ts';
import { putOrg } from '../db/orgs.ts';
import { putChannel } from '../db/channels.ts';
import { putBranch } from '../db/branches.ts';
import { putMember } from '../db/members.ts';
import { insertMeeting } from '../db/meetings.ts';
import { newId } from '../src/core/ids.ts';
import { QUEUE_NAMES, type Queues, createQueues } from '../jobs/queues.ts';
import { planAndRelay } from './helpers/reminders.ts';
import { type ServiceProcess, startService } from './helpers/service.ts';
import { type FakePlatform, startFakePlatform } from './helpers/fake-platform.ts';

// Restart safety: reminders queued in Redis survive a worker process
// stopped by SIGTERM and another killed by SIGKILL; each arrives exactly once.

const dir = mkdtempSync(join(tmpdir(), 'tongxin-restart-'));
const mysqlName = `tongxin_restart_${process.pid}`;

afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  const pool = createPool({ uri: 'mysql://root@127.0.0.1:3306' });
  await pool.query(`DROP DATABASE IF EXISTS \`${mysqlName}\``);
  await pool.end();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe.each([
  ['sqlite', `sqlite:${join(dir, 'restart.db')}`],
  ['mysql', `mysql://root@127.0.0.1:3306/${mysqlName}`],
])('worker restarts on %s', (_dialect, url) => {
  let fake: FakePlatform;
  let db: Kysely<Database>;
  let queues: Queues;
  const prefix = `tongxin-restart-${randomBytes(4).toString('hex')}`;
  const workers: ServiceProcess[] = [];

  beforeAll(async () => {
    fake = await startFakePlatform();
    db = await openDb(url);
    queues = createQueues('redis://127.0.0.1:6379', prefix);
    const now = Date.now();
    await putOrg(db, { id: 'org1', name: '机关工委', timezone: 'Asia/Shanghai', digest_cron: null }, now);
    await putChannel(db, 'org1', 'dt1', { platform: 'dingtalk', appKey: 'k', appSecret: 's', robotCode: 'r' }, now);
    await putBranch(db, 'org1', 'b1', '第一党支部', [{ channel_id: 'dt1', chat_id: 'cid', webhook: 'robot-token', secret: null }], now);
    await putMember(
      db,
      {
        org_id: 'org1',
        id: 'm1',
        branch_id: 'b1',
        name: '张一',
        role: 'member',
        party_group: null,
        probationary: false,
        mobile: null,
        accounts: { dingtalk: 'dt-m1' },
      },
      now,
    );
  });
  afterAll(async () => {
    for (const worker of workers) await worker.stop('SIGKILL');
    await Promise.all(QUEUE_NAMES.map((name) => queues[name].obliterate({ force: true })));
    await queues.close();
    await db.destroy();
    await fake.close();
  });

  /** A worker process (ROLE=worker) as `npm start` runs it; resolves once its workers run. */
  async function startWorker(): Promise<ServiceProcess> {
    const worker = await startService({
      ROLE: 'worker',
      DATABASE_URL: url,
      QUEUE_PREFIX: prefix,
      DINGTALK_OAPI_BASE: fake.url,
      REMINDER_OFFSETS: '8s,4s',
      ABSENT_NUDGE_AFTER: '2s',
    });
    workers.push(worker);
    return worker;
  }

  it('delivers every reminder exactly once across a SIGTERM and a SIGKILL', async () => {
    // Room for three worker starts (about 3 s each) before the reminders fall due: the one due while
    // no worker runs must still be ahead of the meeting's start, or it is rightly dropped.
    const start = Date.now() + 20_000;
    const meeting = {
      id: newId(Date.now()),
      org_id: 'org1',
      branch_id: 'b1',
      code: 'RRR',
      type: 'lecture' as const,
      topic: '重启测试',
      location: null,
      party_group: null,
      starts_at: start,
      status: 'scheduled' as const,
      status_note: null,
      tags: [],
      created_by: null,
      host_id: null,
      recorder_id: null,
      backfilled: false,
      created_at: Date.now(),
      updated_at: Date.now(),
    };
    await insertMeeting(db, meeting);
    await planAndRelay(db, queues, meeting, { offsets: [8_000, 4_000], nudgeAfter: 2_000 }, Date.now());

    const first = await startWorker();
    await first.stop('SIGTERM');
    expect(first.child.exitCode).toBe(0);

    const second = await startWorker();
    await fake.waitFor((r) => r.path === '/robot/send', 15_000, 1);
    await sleep(300);
    await second.stop('SIGKILL');

    await startWorker();
    // A job the killed worker held comes back once its lock (15 s) has expired and a stalled check
    // (every 5 s) has seen it: up to 20 s after the kill, plus the new worker's start, and more on a
    // busy machine.
    await fake.waitFor((r) => r.path === '/robot/send', 50_000, 4);
    await sleep(2_000);
    const titles = fake.requests
      .filter((r) => r.path === '/robot/send')
      .map((r) => (r.body as { markdown: { title: string } }).markdown.title);
    expect(titles).toEqual(['会议提醒', '会议提醒', '会议开始', '签到提醒']);
  }, 90_000);
});
