import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Redis } from 'ioredis';
import type { Kysely } from 'kysely';
import { createPool } from 'mysql2/promise';
import { createDb, openDb } from '../db/connect.ts';
import { listUpcomingMeetings } from '../db/meetings.ts';
import { putOrg } from '../db/orgs.ts';
import { putChannel } from '../db/channels.ts';
import { putBranch } from '../db/branches.ts';
import type { Database, MeetingTable } from '../db/schema.ts';
import { QUEUE_NAMES, type Queues, createQueues } from '../jobs/queues.ts';
import { relayOutbox } from '../jobs/relay.ts';
import { forgetReminderRelays, writeReminderPlan } from '../db/reminders.ts';
import { reminderTiming } from '../src/chat/context.ts';
import { planReminders } from '../src/domain/reminders.ts';
import { createOutboundWorker, enqueueDelivery } from '../jobs/outbound.ts';
import { loadConfig } from '../src/core/config.ts';
import { createLogger } from '../src/core/logger.ts';
import { type FakePlatform, type RecordedRequest, startFakePlatform } from '../test/helpers/fake-platform.ts';

// The queues at scale, figures printed, never asserted:
//  1. 10,000 meeting reminders (2,500 meetings × 24h, 1h, start, nudge) scheduled by
//     planned in the database and relayed to a throw-away QUEUE_PREFIX: time, Redis memory per reminder, and a
//     second sync that must add nothing. Meetings in a SQLite temp file.
//  2. Outbound bursts to 50 DingTalk custom robots (fake platform in this process, the outbound
//     worker with its default 20/min/robot limit in a child process, deliveries in MariaDB):
//     lag from enqueue to arrival for 1,000 messages (20 per robot), then 2,000 (40 per robot),
//     which must stay within 20 sends per robot per minute and be merged, losing none.
// Only correctness fails the run: job counts, lost or duplicated messages, a robot over its limit.

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const MYSQL = process.env.BENCH_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306';
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const ORG = 'bench-org';
const CHANNEL = 'dt-bench';
const MEETINGS = 2_500;
const ROBOTS = 50;
const LIMIT = 20;
const ENQUEUE_IN_FLIGHT = 16;
const SECOND_BURST_CAP_MS = 75_000;

const n0 = (n: number) => Math.round(n).toLocaleString('en-US');
const s2 = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
const mb = (bytes: number) => `${(bytes / 1_048_576).toFixed(1)} MB`;
/** Nearest-rank percentile of an ascending list. */
const percentile = (sorted: number[], p: number) => sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;

async function usedMemory(redis: Redis): Promise<number> {
  return Number(/used_memory:(\d+)/.exec(await redis.info('memory'))?.[1] ?? NaN);
}

/** Keys matching `pattern` and the sum of their MEMORY USAGE (exact: SAMPLES 0). */
async function keysUnder(redis: Redis, pattern: string): Promise<{ keys: string[]; bytes: number }> {
  const keys: string[] = [];
  let cursor = '0';
  do {
    const [next, batch] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1_000);
    cursor = next;
    keys.push(...batch);
  } while (cursor !== '0');
  let bytes = 0;
  for (let i = 0; i < keys.length; i += 1_000) {
    const pipeline = redis.pipeline();
    for (const key of keys.slice(i, i + 1_000)) pipeline.call('MEMORY', 'USAGE', key, 'SAMPLES', '0');
    for (const [, usage] of (await pipeline.exec()) ?? []) bytes += Number(usage ?? 0);
  }
  return { keys, bytes };
}

async function jobCount(queues: Queues): Promise<number> {
  const counts = await queues.reminders.getJobCounts();
  return Object.values(counts).reduce((a, b) => a + b, 0);
}

// --- 1. reminders --------------------------------------------------------------------------------

interface ReminderResult {
  meetings: number;
  jobs: number;
  scheduleMs: number;
  memBefore: number;
  memAfter: number;
  keys: number;
  keyBytes: number;
  resynced: number;
  jobsAfterResync: number;
  resyncMs: number;
}

async function benchReminders(tag: string): Promise<ReminderResult> {
  const dir = mkdtempSync(join(tmpdir(), 'tongxin-bench-queues-'));
  const prefix = `tongxin-bench-reminders-${tag}`;
  const db = await openDb(`sqlite:${join(dir, 'bench.db')}`);
  const queues = createQueues(REDIS_URL, prefix);
  const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
  try {
    const timing = reminderTiming(loadConfig({})); // the defaults: 24h,1h before, nudge 15 min after
    const now = Date.now();
    // 2,500 meetings from 2 to 30 days ahead (every one has all four jobs still to come), at whole minutes.
    const rows: MeetingTable[] = Array.from({ length: MEETINGS }, (_, i) => {
      const startsAt = Math.floor((now + 2 * 86_400_000 + (i * 28 * 86_400_000) / MEETINGS) / 60_000) * 60_000;
      return {
        id: `mt${String(i).padStart(8, '0')}`,
        org_id: ORG,
        branch_id: `b${String(i % 500).padStart(4, '0')}`,
        code: String(100 + (i % 900)),
        type: 'committee',
        topic: '研究部署季度重点工作',
        location: '三楼会议室',
        party_group: null,
        starts_at: startsAt,
        status: 'scheduled',
        status_note: null,
        tags: '[]',
        created_by: null,
        host_id: null,
        recorder_id: null,
        backfilled: 0,
        created_at: now,
        updated_at: now,
      };
    });
    for (let i = 0; i < rows.length; i += 500)
      await db
        .insertInto('meetings')
        .values(rows.slice(i, i + 500))
        .execute();
    const meetings = await listUpcomingMeetings(db, now);

    await queues.reminders.waitUntilReady();
    const memBefore = await usedMemory(redis);
    let started = performance.now();
    for (const meeting of meetings) await writeReminderPlan(db, meeting, planReminders(meeting.starts_at, timing), now);
    const relayAll = async () => {
      let relayed = 0;
      for (let n = -1; n !== 0; relayed += n) n = (await relayOutbox({ db, queues, clock: { now: () => now } })).reminders;
      return relayed;
    };
    await relayAll();
    const scheduleMs = performance.now() - started;
    const memAfter = await usedMemory(redis);
    const { keys, bytes } = await keysUnder(redis, `${prefix}:reminders:*`);
    const jobs = await jobCount(queues);

    // Redis lost its copy, as far as the database knows: every planned reminder is relayed again,
    // and BullMQ keeps one job per id.
    started = performance.now();
    await forgetReminderRelays(db);
    const resynced = await relayAll();
    const resyncMs = performance.now() - started;
    const jobsAfterResync = await jobCount(queues);
    return {
      meetings: meetings.length,
      jobs,
      scheduleMs,
      memBefore,
      memAfter,
      keys: keys.length,
      keyBytes: bytes,
      resynced,
      jobsAfterResync,
      resyncMs,
    };
  } finally {
    await Promise.all(QUEUE_NAMES.map((name) => queues[name].obliterate({ force: true }).catch(() => undefined)));
    await queues.close();
    await redis.quit();
    await db.destroy();
    rmSync(dir, { recursive: true, force: true });
  }
}

// --- 2. outbound ---------------------------------------------------------------------------------

/** The child: one outbound worker, as a ROLE=worker process runs it, with the default options. */
async function workerChild(): Promise<void> {
  const config = loadConfig({
    DATABASE_URL: process.env.BENCH_QUEUES_DB,
    QUEUE_PREFIX: process.env.BENCH_QUEUES_PREFIX,
    DINGTALK_OAPI_BASE: process.env.BENCH_QUEUES_FAKE,
    REDIS_URL,
    LOG_LEVEL: 'warn',
  });
  const db = createDb(config.DATABASE_URL);
  const redis = new Redis(config.REDIS_URL, { maxRetriesPerRequest: null });
  const logger = createLogger(config.LOG_LEVEL);
  const worker = createOutboundWorker({ db, redis, logger, config, redisUrl: config.REDIS_URL });
  worker.on('failed', (job, err) => logger.warn({ job: job?.id, err: err.message }, 'job failed'));
  worker.on('error', (err) => logger.error({ err: err.message }, 'worker error'));
  await worker.waitUntilReady();
  const stop = once(process, 'SIGTERM');
  console.log('READY');
  await stop;
  await worker.close();
  await redis.quit();
  await db.destroy();
}

interface WorkerProcess {
  lines(): string[];
  stop(): Promise<void>;
}

async function startWorkerChild(env: Record<string, string>): Promise<WorkerProcess> {
  const proc: ChildProcess = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), '--outbound-worker'], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const kill = () => proc.kill('SIGKILL');
  process.on('exit', kill);
  const exited = once(proc, 'exit');
  let out = '';
  proc.stdout!.on('data', (c: Buffer) => (out += c.toString()));
  proc.stderr!.on('data', (c: Buffer) => (out += c.toString()));
  const deadline = Date.now() + 30_000;
  while (!out.includes('READY\n')) {
    if (proc.exitCode !== null || Date.now() > deadline) {
      kill();
      throw new Error(`the outbound worker did not start:\n${out}`);
    }
    await sleep(50);
  }
  return {
    lines: () => out.split('\n').filter((l) => l.trim() !== '' && l !== 'READY'),
    async stop() {
      proc.kill('SIGTERM');
      await Promise.race([exited, sleep(10_000)]);
      if (proc.exitCode === null) kill();
      process.off('exit', kill);
    },
  };
}

interface Sent {
  id: string;
  robot: number;
  at: number;
}

const MARKER = /〔([a-z0-9-]+)〕/g;
const robotOf = (r: RecordedRequest) => r.query.access_token ?? '';
const sendsOf = (fake: FakePlatform, from = 0) => fake.requests.slice(from).filter((r) => r.path === '/robot/send');
const textOf = (r: RecordedRequest) => (r.body as { markdown?: { text?: string } }).markdown?.text ?? '';

/** First arrival of every marked message, and how many sends carried a message already seen. */
function arrivals(sends: RecordedRequest[]): { at: Map<string, number>; repeats: number } {
  const at = new Map<string, number>();
  let repeats = 0;
  for (const r of sends) {
    for (const [, id] of textOf(r).matchAll(MARKER)) {
      if (at.has(id!)) repeats++;
      else at.set(id!, r.at);
    }
  }
  return { at, repeats };
}

/** The most sends inside any `ms` window (sliding over arrival times). */
function busiestWindow(times: number[], ms: number): number {
  const sorted = [...times].sort((a, b) => a - b);
  let most = 0;
  for (let i = 0, j = 0; j < sorted.length; j++) {
    while (sorted[j]! - sorted[i]! >= ms) i++;
    most = Math.max(most, j - i + 1);
  }
  return most;
}

/** A notice padded so that its queued body (JSON, UTF-8) is about `bytes` long. */
function notice(robot: number, id: string, bytes: number): { title: string; markdown: string } {
  const head = `**会议提醒**：第${robot + 1}党支部 支委会，明天 14:30，三楼会议室。不能参加的同志请发送「请假 123 事由」。〔${id}〕`;
  const body = (markdown: string) => Buffer.byteLength(JSON.stringify({ title: '会议提醒', markdown }));
  const filler = '\n\n会议议程：传达学习上级文件精神，研究部署本季度重点工作，开展批评与自我批评。';
  let markdown = head;
  while (body(markdown + filler) <= bytes) markdown += filler;
  return { title: '会议提醒', markdown };
}

interface Burst {
  label: string;
  sent: Sent[];
  enqueueMs: number;
  bodyBytes: number;
}

/**
 * `perRobot` messages to each of ROBOTS robots from `firstRobot`, round-robin, ENQUEUE_IN_FLIGHT at a
 * time; each message timed when its enqueueDelivery call starts.
 */
async function burst(
  db: Kysely<Database>,
  queues: Queues,
  label: string,
  firstRobot: number,
  perRobot: number,
  bytes: number,
): Promise<Burst> {
  const total = perRobot * ROBOTS;
  const sent: Sent[] = [];
  let next = 0;
  let bodyBytes = 0;
  const started = performance.now();
  const lane = async () => {
    while (next < total) {
      const n = next++;
      const robot = firstRobot + (n % ROBOTS);
      const id = `${label.replace(/\s+/g, '-')}-${n}`;
      const message = notice(robot, id, bytes);
      bodyBytes = Math.max(bodyBytes, Buffer.byteLength(JSON.stringify(message)));
      const at = Date.now();
      await enqueueDelivery(
        db,
        queues.outbound,
        { id, orgId: ORG, target: { kind: 'chat', channelId: CHANNEL, chatId: `cid-${robot}` }, message },
        at,
      );
      sent.push({ id, robot, at });
    }
  };
  await Promise.all(Array.from({ length: ENQUEUE_IN_FLIGHT }, lane));
  return { label, sent, enqueueMs: performance.now() - started, bodyBytes };
}

/** Polls until every message of `sent` arrived or `deadline` passed. */
async function drain(fake: FakePlatform, from: number, sent: Sent[], deadline: number): Promise<ReturnType<typeof arrivals>> {
  for (;;) {
    const seen = arrivals(sendsOf(fake, from));
    if (sent.every((s) => seen.at.has(s.id)) || Date.now() > deadline) return seen;
    await sleep(100);
  }
}

/** Bodies of ~1.5 KB: at most two fit one merged send (4,000 bytes), so 40 to a robot need 20+ sends. */
const LONG = 1_500;
/** A reminder's size: dozens fit one merged send. */
const SHORT = 250;

interface Drained {
  label: string;
  messages: number;
  bodyBytes: number;
  sends: number;
  repeats: number;
  missing: number;
  enqueueMs: number;
  /** Arrival − enqueue call, per message, ascending. */
  lags: number[];
  /** Last arrival − first enqueue call. */
  drainMs: number;
  /** Messages arrived, HTTP sends and the busiest robot's sends within 60 s of the first enqueue. */
  firstMinute: { messages: number; sends: number; busiestRobot: number };
}

/** Sends one burst and waits (until `capMs` after its start) for every message to arrive. */
async function measure(
  db: Kysely<Database>,
  queues: Queues,
  fake: FakePlatform,
  label: string,
  firstRobot: number,
  perRobot: number,
  bytes: number,
  capMs: number,
): Promise<Drained> {
  const from = fake.requests.length;
  const start = Date.now();
  const b = await burst(db, queues, label, firstRobot, perRobot, bytes);
  const seen = await drain(fake, from, b.sent, start + capMs);
  const sends = sendsOf(fake, from);
  const lags = b.sent.flatMap((s) => (seen.at.has(s.id) ? [seen.at.get(s.id)! - s.at] : [])).sort((x, y) => x - y);
  const early = sends.filter((r) => r.at - start < 60_000);
  const earlyByRobot = new Map<string, number>();
  for (const r of early) earlyByRobot.set(robotOf(r), (earlyByRobot.get(robotOf(r)) ?? 0) + 1);
  const d: Drained = {
    label,
    messages: b.sent.length,
    bodyBytes: b.bodyBytes,
    sends: sends.length,
    repeats: seen.repeats,
    missing: b.sent.length - lags.length,
    enqueueMs: b.enqueueMs,
    lags,
    drainMs: Math.max(start, ...seen.at.values()) - start,
    firstMinute: {
      messages: [...seen.at.values()].filter((at) => at - start < 60_000).length,
      sends: early.length,
      busiestRobot: Math.max(0, ...earlyByRobot.values()),
    },
  };
  console.log(
    `  ${label}: ${n0(d.messages)} × ${d.bodyBytes} B enqueued in ${s2(d.enqueueMs)}, ${n0(d.messages - d.missing)} arrived in ${n0(d.sends)} sends within ${s2(d.drainMs)}; ` +
      `lag p50 ${n0(percentile(lags, 50))} ms, p99 ${n0(percentile(lags, 99))} ms`,
  );
  return d;
}

interface OutboundResult {
  bursts: Drained[];
  /** The most sends any one robot got within any 60 s of the run. */
  busiestWindow: number;
  workerLog: string[];
}

async function benchOutbound(tag: string): Promise<OutboundResult> {
  const name = `tongxin_bench_queues_${tag}`;
  const url = `${MYSQL}/${name}`;
  const prefix = `tongxin-bench-outbound-${tag}`;
  const fake = await startFakePlatform();
  const db = await openDb(url);
  const queues = createQueues(REDIS_URL, prefix);
  const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
  let worker: WorkerProcess | undefined;
  try {
    const now = Date.now();
    await putOrg(db, { id: ORG, name: '基准测试机关工委', timezone: 'Asia/Shanghai', digest_cron: null }, now);
    await putChannel(db, ORG, CHANNEL, { platform: 'dingtalk', appKey: 'k', appSecret: 's', robotCode: 'r' }, now);
    // Three sets of 50 robots, one per burst, and a warm-up robot: each burst's figures are its own.
    const WARM = 3 * ROBOTS;
    for (let r = 0; r <= WARM; r++) {
      const secret = `SEC${randomBytes(8).toString('hex')}`;
      await putBranch(
        db,
        ORG,
        `b${r}`,
        `第${r + 1}党支部`,
        [{ channel_id: CHANNEL, chat_id: `cid-${r}`, webhook: `robot-${r}`, secret }],
        now,
      );
    }
    worker = await startWorkerChild({ BENCH_QUEUES_DB: url, BENCH_QUEUES_PREFIX: prefix, BENCH_QUEUES_FAKE: fake.url });

    // Warm-up: one message through the worker (JIT, pools), outside the figures.
    const warm = { id: 'warm-0', robot: WARM, at: Date.now() };
    await enqueueDelivery(
      db,
      queues.outbound,
      {
        id: warm.id,
        orgId: ORG,
        target: { kind: 'chat', channelId: CHANNEL, chatId: `cid-${WARM}` },
        message: { title: '预热', markdown: `预热〔${warm.id}〕` },
      },
      warm.at,
    );
    await drain(fake, 0, [warm], Date.now() + 10_000);

    const bursts = [
      // 1,000 messages, 20 per robot — exactly each robot's limit, so none waits for the window.
      await measure(db, queues, fake, 'burst 1', 0, LIMIT, LONG, 30_000),
      // The same with reminder-sized messages: merging packs what queues up for a robot.
      await measure(db, queues, fake, 'burst 1 short', ROBOTS, LIMIT, SHORT, 30_000),
      // 2,000 messages, 40 per robot — twice the limit: 20 sends a robot, then the window, then the rest merged.
      await measure(db, queues, fake, 'burst 2', 2 * ROBOTS, 2 * LIMIT, LONG, SECOND_BURST_CAP_MS),
    ];

    const byRobot = new Map<string, number[]>();
    for (const r of sendsOf(fake)) byRobot.set(robotOf(r), [...(byRobot.get(robotOf(r)) ?? []), r.at]);
    const busiest = Math.max(0, ...[...byRobot.values()].map((times) => busiestWindow(times, 60_000)));
    await worker.stop();
    return { bursts, busiestWindow: busiest, workerLog: worker.lines() };
  } finally {
    await worker?.stop();
    await Promise.all(QUEUE_NAMES.map((q) => queues[q].obliterate({ force: true }).catch(() => undefined)));
    await queues.close();
    const { keys } = await keysUnder(redis, `${prefix}:*`); // the robots' rate windows
    if (keys.length) await redis.del(...keys);
    await redis.quit();
    await db.destroy();
    await fake.close();
    const pool = createPool({ uri: MYSQL });
    await pool.query(`DROP DATABASE IF EXISTS \`${name}\``).finally(() => pool.end());
  }
}

// --- the bench -----------------------------------------------------------------------------------

function printTable(rem: ReminderResult | undefined, out: OutboundResult | undefined): void {
  const rows: [string, string][] = [];
  if (rem) {
    const grown = rem.memAfter - rem.memBefore;
    rows.push(
      [
        'reminders scheduled',
        `${n0(rem.jobs)} jobs for ${n0(rem.meetings)} meetings in ${s2(rem.scheduleMs)} (${(rem.scheduleMs / rem.jobs).toFixed(3)} ms/job)`,
      ],
      ['Redis used_memory', `${mb(rem.memBefore)} → ${mb(rem.memAfter)}: +${mb(grown)}, ${n0(grown / rem.jobs)} B/reminder`],
      ['  keys under the prefix', `${n0(rem.keys)} keys, MEMORY USAGE ${mb(rem.keyBytes)}, ${n0(rem.keyBytes / rem.jobs)} B/reminder`],
      ['second relay (rebuild)', `${n0(rem.resynced)} reminders in ${s2(rem.resyncMs)}, jobs ${n0(rem.jobs)} → ${n0(rem.jobsAfterResync)}`],
    );
  }
  for (const d of out?.bursts ?? []) {
    rows.push(
      [
        `${d.label}: ${n0(d.messages)} × ${d.bodyBytes} B`,
        `to ${ROBOTS} robots, enqueued in ${s2(d.enqueueMs)} (${n0(d.messages / (d.enqueueMs / 1000))}/s); ${n0(d.sends)} HTTP sends`,
      ],
      [
        '  lag p50 / p99 / max',
        `${n0(percentile(d.lags, 50))} / ${n0(percentile(d.lags, 99))} / ${n0(d.lags.at(-1) ?? NaN)} ms (arrival − enqueue call)`,
      ],
      [
        '  drained',
        d.missing === 0
          ? `${s2(d.drainMs)} after the first enqueue, ${n0(d.messages / (d.drainMs / 1000))} messages/s; repeated ${d.repeats}`
          : `NO: ${d.missing} missing after ${s2(d.drainMs)}; repeated ${d.repeats}`,
      ],
      [
        '  first 60 s',
        `${n0(d.firstMinute.messages)} messages in ${n0(d.firstMinute.sends)} sends; busiest robot ${d.firstMinute.busiestRobot} sends`,
      ],
    );
  }
  if (out) rows.push(['busiest robot, any 60 s', `${out.busiestWindow} sends (limit ${LIMIT}), over the whole run`]);
  const width = Math.max(...rows.map(([k]) => k.length));
  console.log(`\nQueues — figures, not assertions`);
  for (const [k, v] of rows) console.log(`  ${k.padEnd(width)}  ${v}`);
}

/** The queues bench; true when every correctness check held. */
export async function runQueuesBench(): Promise<boolean> {
  const started = performance.now();
  const tag = randomBytes(3).toString('hex');
  console.log(
    `\nqueues bench — node ${process.version}, ${cpus().length} CPUs, Redis ${REDIS_URL}, BullMQ reminders on a SQLite temp file, outbound on MariaDB`,
  );
  const problems: string[] = [];
  let rem: ReminderResult | undefined;
  let out: OutboundResult | undefined;
  try {
    console.log(`\n[reminders] ${n0(MEETINGS)} meetings, 2–30 days ahead, default offsets (24h, 1h) + start + nudge …`);
    rem = await benchReminders(tag);
    if (rem.jobs !== rem.meetings * 4) problems.push(`${rem.jobs} reminder jobs for ${rem.meetings} meetings, not 4 each`);
    if (rem.jobsAfterResync !== rem.jobs) problems.push(`the second sync changed the job count: ${rem.jobs} → ${rem.jobsAfterResync}`);
  } catch (err) {
    problems.push(`reminders: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
  }
  try {
    console.log(
      `\n[outbound] ${ROBOTS} DingTalk custom robots on one channel, fake platform in this process, one outbound worker (default ${LIMIT}/min/robot, concurrency 8) in a child …`,
    );
    out = await benchOutbound(tag);
    for (const d of out.bursts)
      if (d.missing > 0 || d.repeats > 0) problems.push(`${d.label}: ${d.missing} missing, ${d.repeats} repeated`);
    const second = out.bursts.at(-1)!;
    if (second.sends >= second.messages)
      problems.push(`${second.label}: ${second.sends} sends for ${second.messages} messages, nothing merged`);
    if (out.busiestWindow > LIMIT) problems.push(`a robot got ${out.busiestWindow} sends within 60 s (limit ${LIMIT})`);
    if (out.workerLog.length)
      console.log(`  worker log (${out.workerLog.length} lines at warn+), first 5:\n    ${out.workerLog.slice(0, 5).join('\n    ')}`);
  } catch (err) {
    problems.push(`outbound: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
  }
  printTable(rem, out);
  console.log(`  whole queues bench: ${s2(performance.now() - started)}`);
  for (const p of problems) console.error(`  FAIL: ${p}`);
  return problems.length === 0;
}

if (process.argv.includes('--outbound-worker')) {
  await workerChild();
} else if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.exit((await runQueuesBench()) ? 0 : 1);
}
