import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Queue } from 'bullmq';
import { CompiledQuery } from 'kysely';
import { type Pool, type RowDataPacket, createPool } from 'mysql2/promise';
import { createLoggedDb, openDb } from '../db/connect.ts';
import { runWeeklyDigest } from '../jobs/digest-run.ts';
import { loadConfig } from '../src/core/config.ts';
import { bullConnection } from '../jobs/queues.ts';
import { createLogger } from '../src/core/logger.ts';

// The weekly 五同 digest at scale on MariaDB: one org of 1,000 branches, seeded in bulk
// with a year of meetings, attendance and 四服务 reports, then the week's digests of every branch
// computed and enqueued (runWeeklyDigest, as the Monday job runs it; the outbound queue on a
// throw-away prefix, no workers). Printed, never asserted — except correctness: one digest row,
// delivery and queue job per branch, and nothing more on a second run.
//
// The run goes in a child process of its own, so that its peak RSS is the run's and not the
// seeding's; its SQL is counted with Kysely's `log` hook.

const MYSQL = process.env.BENCH_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306';
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const ORG = 'bench-org';
const CHANNEL = 'dt-bench';
const TZ = 'Asia/Shanghai';
/** Monday 2026-11-30 09:00 in Shanghai: the schedule's run, reporting 2026-W48 (11-23 to 11-29). */
const NOW = Date.UTC(2026, 10, 30, 1, 0);
const WEEK = '2026-W48';
const CHUNK = 2_000;
const IN_FLIGHT = 2;

export interface Config {
  name: string;
  branches: number;
  members: number;
  /** Months of data ending with November 2026. */
  months: number;
  meetingsPerMonth: number;
  reportsPerMemberPerMonth: number;
}

export const CONFIGS: Config[] = [
  { name: 'A', branches: 1_000, members: 40, months: 12, meetingsPerMonth: 3, reportsPerMemberPerMonth: 4 },
  { name: 'B', branches: 1_000, members: 10, months: 3, meetingsPerMonth: 3, reportsPerMemberPerMonth: 4 },
];

// --- seeding -----------------------------------------------------------------------------------

/** Epoch ms of a wall-clock time in Shanghai (no DST there). */
const sh = (year: number, month: number, day: number, hour = 0, minute = 0) => Date.UTC(year, month - 1, day, hour, minute) - 8 * 3_600_000;
const pad = (n: number, width: number) => String(n).padStart(width, '0');
const branchId = (b: number) => `b${pad(b, 4)}`;
const memberId = (b: number, m: number) => `${branchId(b)}-m${pad(m, 2)}`;
const CODE_ALPHABET = 'ABCDEFGHJKMNPQRSTUVWXYZ23456789';
/** An id as newId makes them, time first (base 36), with a sequence number in place of the random part. */
const timeId = (ms: number, kind: string, n: number) => ms.toString(36).padStart(9, '0') + kind + pad(n, 12 - kind.length);
/** Meetings are scheduled a week ahead. */
const SCHEDULED_AHEAD = 7 * 86_400_000;
const code = (n: number) => [0, 1, 2].map((i) => CODE_ALPHABET[Math.floor(n / CODE_ALPHABET.length ** i) % CODE_ALPHABET.length]).join('');

const TOPICS = [
  '研究部署季度重点工作',
  '学习贯彻全会精神',
  '督查整改落实情况',
  '年度考核工作部署',
  '讲评上月四服务工作',
  '主题党日志愿服务',
];
const TAGS = ['[]', '["research"]', '["deploy"]', '["inspect"]', '["assess"]', '["review"]', '["research","deploy"]'];
const REPORTS = [
  '走访园区企业，协调解决用工问题',
  '到项目现场督促施工进度',
  '进社区开展政策宣讲',
  '为群众办理证照提供代办服务',
  '帮助企业对接金融机构融资',
  '参加基层党组织结对共建活动',
];
const CATEGORIES = ['enterprise', 'project', 'grassroots', 'public'] as const;
const THIRD_TYPES = ['assembly', 'lecture', 'theme_day'] as const;

/** Multi-row INSERTs of CHUNK rows, IN_FLIGHT at a time. */
async function bulkInsert(pool: Pool, table: string, columns: string[], rows: Iterable<unknown[]>): Promise<number> {
  const sql = `INSERT INTO \`${table}\` (${columns.map((c) => `\`${c}\``).join(', ')}) VALUES ?`;
  const running = new Set<Promise<unknown>>();
  let batch: unknown[][] = [];
  let count = 0;
  const flush = async () => {
    const values = batch;
    batch = [];
    const p = pool.query(sql, [values]).finally(() => running.delete(p));
    running.add(p);
    if (running.size >= IN_FLIGHT) await Promise.race(running);
  };
  for (const row of rows) {
    batch.push(row);
    count++;
    if (batch.length >= CHUNK) await flush();
  }
  if (batch.length) await flush();
  await Promise.all(running);
  return count;
}

export interface Seeded {
  members: number;
  meetings: number;
  attendance: number;
  reports: number;
  seconds: number;
}

export async function seed(url: string, cfg: Config): Promise<Seeded> {
  const started = performance.now();
  const pool = createPool({ uri: url, connectionLimit: IN_FLIGHT + 1, charset: 'UTF8MB4_BIN', timezone: 'Z' });
  try {
    const now = sh(2025, 11, 20);
    const months: [number, number][] = [];
    for (let i = cfg.months - 1; i >= 0; i--) {
      const index = 2026 * 12 + 10 - i; // November 2026, and the months before it
      months.push([Math.floor(index / 12), (index % 12) + 1]);
    }
    await pool.query('INSERT INTO orgs (id, name, timezone, digest_cron, created_at, updated_at) VALUES (?, ?, ?, NULL, ?, ?)', [
      ORG,
      '基准测试机关工委',
      TZ,
      now,
      now,
    ]);
    const dingtalk = JSON.stringify({ platform: 'dingtalk', appKey: 'k', appSecret: 's', robotCode: 'r' });
    await pool.query('INSERT INTO channels (id, org_id, platform, config, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)', [
      CHANNEL,
      ORG,
      'dingtalk',
      dingtalk,
      now,
      now,
    ]);
    const branches = Array.from({ length: cfg.branches }, (_, i) => i + 1);
    await bulkInsert(
      pool,
      'branches',
      ['org_id', 'id', 'name', 'created_at', 'updated_at'],
      branches.map((b) => [ORG, branchId(b), `第${b}党支部`, now, now]),
    );
    await bulkInsert(
      pool,
      'branch_chats',
      ['channel_id', 'chat_id', 'org_id', 'branch_id', 'webhook', 'secret', 'created_at'],
      branches.map((b) => [CHANNEL, `cid${branchId(b)}==`, ORG, branchId(b), `robot-token-${b}`, null, now]),
    );
    // Member 0 is the secretary (every tenth branch's is known to no platform: its digest goes to
    // the group), 1-4 the committee; the last member of each branch never reports.
    const m0 = (b: number) => (b % 10 === 0 ? 1 : 0);
    const members = await bulkInsert(
      pool,
      'members',
      ['org_id', 'id', 'branch_id', 'name', 'role', 'party_group', 'probationary', 'mobile', 'created_at', 'updated_at'],
      (function* () {
        for (const b of branches) {
          for (let m = 0; m < cfg.members; m++) {
            const role = m === 0 ? 'secretary' : m <= 4 ? 'committee' : 'member';
            yield [ORG, memberId(b, m), branchId(b), `党员${b}-${m}`, role, null, m % 13 === 12 ? 1 : 0, null, now, now];
          }
        }
      })(),
    );
    await bulkInsert(
      pool,
      'member_accounts',
      ['org_id', 'member_id', 'platform', 'user_id'],
      (function* () {
        for (const b of branches) {
          for (let m = m0(b); m < cfg.members; m++) yield [ORG, memberId(b, m), 'dingtalk', `dt-${memberId(b, m)}`];
        }
      })(),
    );

    // Meetings: a 支委会, a 党小组会 and one of 党员大会 / 党课 / 主题党日 a month, the last month's in
    // the digest's week; and one 支委会 to come in December. Attendance as ids are generated.
    type Meeting = { id: string; branch: number; type: string; startsAt: number; seq: number };
    const meetingRows: Meeting[] = [];
    let seq = 0;
    for (const b of branches) {
      const shift = b % 3;
      let n = 0;
      for (const [year, month] of months) {
        const plan: [string, number][] = [
          ['committee', 5 + shift],
          ['group', 14 + shift],
          [THIRD_TYPES[month % 3]!, 24 + shift],
        ];
        for (const [type, day] of plan.slice(0, cfg.meetingsPerMonth)) {
          const startsAt = sh(year, month, day, 14, 30);
          meetingRows.push({ id: timeId(startsAt - SCHEDULED_AHEAD, 'mt', ++seq), branch: b, type, startsAt, seq: n++ });
        }
      }
      const startsAt = sh(2026, 12, 8 + shift, 14, 30);
      meetingRows.push({ id: timeId(startsAt - SCHEDULED_AHEAD, 'mt', ++seq), branch: b, type: 'committee', startsAt, seq: n++ });
    }
    // Inserted in id order, as they would have been created.
    meetingRows.sort((x, y) => (x.id < y.id ? -1 : 1));
    const meetings = await bulkInsert(
      pool,
      'meetings',
      [
        'id',
        'org_id',
        'branch_id',
        'code',
        'type',
        'topic',
        'location',
        'party_group',
        'starts_at',
        'status',
        'tags',
        'created_by',
        'created_at',
        'updated_at',
      ],
      meetingRows.map((m) => [
        m.id,
        ORG,
        branchId(m.branch),
        code(m.seq),
        m.type,
        TOPICS[m.seq % TOPICS.length],
        '三楼会议室',
        null,
        m.startsAt,
        'scheduled',
        TAGS[m.seq % TAGS.length],
        memberId(m.branch, 0),
        m.startsAt - SCHEDULED_AHEAD,
        m.startsAt - SCHEDULED_AHEAD,
      ]),
    );
    const attendance = await bulkInsert(
      pool,
      'attendance',
      ['meeting_id', 'member_id', 'org_id', 'status', 'note', 'at', 'source', 'makeup_note', 'makeup_at', 'updated_at'],
      (function* () {
        for (const m of meetingRows) {
          if (m.startsAt > NOW) continue;
          const expected = m.type === 'committee' ? Math.min(5, cfg.members) : cfg.members;
          for (let i = 0; i < expected; i++) {
            const roll = (m.seq * 31 + i * 17 + m.branch * 7) % 100;
            if (roll >= 95) continue; // absent, no leave, not made up: no row
            const at = m.startsAt + 60_000 * (roll % 20);
            const status = roll < 85 ? 'present' : roll < 92 ? 'leave' : 'absent';
            const makeup = status === 'absent' || (status === 'leave' && roll % 2 === 0);
            yield [
              m.id,
              memberId(m.branch, i),
              ORG,
              status,
              status === 'leave' ? '出差' : null,
              at,
              `msg-${m.id}-${i}`,
              makeup ? '已学习会议精神并提交心得' : null,
              makeup ? m.startsAt + 3 * 86_400_000 : null,
              at,
            ];
          }
        }
      })(),
    );
    meetingRows.length = 0;

    let reportSeq = 0;
    const reports = await bulkInsert(
      pool,
      'service_reports',
      ['id', 'org_id', 'branch_id', 'member_id', 'category', 'text', 'tags', 'at', 'source'],
      // Time order, as the service stores them (ids begin with the time, src/core/ids.ts): the
      // last weeks' reports sit together, as they do in a real database.
      (function* () {
        for (const [year, month] of months) {
          for (let k = 0; k < cfg.reportsPerMemberPerMonth; k++) {
            for (const b of branches) {
              for (let m = 0; m < cfg.members - 1; m++) {
                const n = ++reportSeq;
                const day = 3 + k * 7 + ((b + m) % 5);
                const at = sh(year, month, day, 9 + (n % 9), n % 60);
                yield [
                  timeId(at, 'r', n),
                  ORG,
                  branchId(b),
                  memberId(b, m),
                  CATEGORIES[(m + k) % 4],
                  `${REPORTS[n % REPORTS.length]}（第${n}条）`,
                  TAGS[(n * 3) % TAGS.length],
                  at,
                  `msg-r${n}`,
                ];
              }
            }
          }
        }
      })(),
    );
    return { members, meetings, attendance, reports, seconds: (performance.now() - started) / 1000 };
  } finally {
    await pool.end();
  }
}

// --- the run (child process) -------------------------------------------------------------------

interface QueryStat {
  kind: string;
  count: number;
  ms: number;
}

interface RunResult {
  wallMs: number;
  queries: number;
  byKind: QueryStat[];
  /** The selects of the first run, slowest first: [sql head, ms]. */
  selects: [string, number][];
  /** MariaDB's plan of the two slowest: one line per table. */
  plans: string[];
  outcomes: Record<string, number>;
  parts: number;
  jobs: number;
  rerun: { wallMs: number; queries: number; outcomes: Record<string, number> };
  baselineRssMb: number;
  peakRssMb: number;
  digestRows: number;
  deliveryRows: number;
}

/**
 * This process's peak resident set in MB, from the kernel's high-water mark of its own memory
 * (VmHWM). Not `process.resourceUsage().maxRSS`: Linux carries a parent's high-water mark into a
 * child across fork and exec, so that figure was the bench's own RSS whenever that was larger (361
 * MB "idle" when the digest followed the webhooks in one run).
 */
function peakRss(): number {
  const hwm = /^VmHWM:\s*(\d+) kB/m.exec(readFileSync('/proc/self/status', 'utf8'));
  if (!hwm) throw new Error('no VmHWM in /proc/self/status: the digest bench measures memory on Linux');
  return Number(hwm[1]) / 1024;
}

async function child(): Promise<void> {
  const url = process.env.BENCH_DIGEST_URL!;
  const prefix = process.env.BENCH_DIGEST_PREFIX!;
  let recording = false;
  const events: { sql: string; parameters: readonly unknown[]; ms: number }[] = [];
  const db = createLoggedDb(url, (event) => {
    if (recording && event.level === 'query')
      events.push({ sql: event.query.sql, parameters: event.query.parameters, ms: event.queryDurationMillis });
  });
  const outbound = new Queue('outbound', { connection: bullConnection(REDIS_URL), prefix });
  const logger = createLogger('warn');
  const deps = { db, outbound, logger, clock: { now: () => NOW }, checkinCloses: loadConfig({}).CHECKIN_CLOSES };
  try {
    await outbound.waitUntilReady();
    await db.selectFrom('orgs').select('id').execute(); // the pool's first connection, outside the measure
    const baselineRssMb = peakRss();

    const count = (from: number) => {
      const stats = new Map<string, QueryStat>();
      for (const e of events.slice(from)) {
        const kind = e.sql.trimStart().split(/\s+/)[0]!.toLowerCase();
        const s = stats.get(kind) ?? { kind, count: 0, ms: 0 };
        s.count++;
        s.ms += e.ms;
        stats.set(kind, s);
      }
      return [...stats.values()];
    };
    const tally = (outcomes: { outcome: string }[]) => {
      const t: Record<string, number> = {};
      for (const o of outcomes) t[o.outcome] = (t[o.outcome] ?? 0) + 1;
      return t;
    };

    recording = true;
    let started = performance.now();
    const first = await runWeeklyDigest(deps, ORG, WEEK);
    const wallMs = performance.now() - started;
    const firstCount = events.length;
    const peakRssMb = peakRss();
    const byKind = count(0);
    const selectEvents = events
      .slice(0, firstCount)
      .filter((e) => /^\s*select/i.test(e.sql))
      .sort((a, b) => b.ms - a.ms);
    const selects = selectEvents.map((e): [string, number] => [e.sql.replace(/\s+/g, ' ').slice(0, 60), e.ms]);

    // Again: everything is claimed, nothing more is queued.
    started = performance.now();
    const second = await runWeeklyDigest(deps, ORG, WEEK);
    const rerunMs = performance.now() - started;
    recording = false;

    const plans: string[] = [];
    for (const e of selectEvents.slice(0, 2)) {
      const plan = await db.executeQuery<Record<string, unknown>>(CompiledQuery.raw(`explain ${e.sql}`, [...e.parameters]));
      for (const r of plan.rows) {
        plans.push(`${r.table}: ${r.type}, key ${r.key ?? '—'} (${r.key_len ?? '—'}), ~${r.rows} rows${r.Extra ? `, ${r.Extra}` : ''}`);
      }
    }
    const jobs = await outbound.count();
    const [digestRows, deliveryRows] = await Promise.all([
      db
        .selectFrom('digests')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('week', '=', WEEK)
        .executeTakeFirstOrThrow(),
      db
        .selectFrom('deliveries')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('id', 'like', 'digest-%')
        .executeTakeFirstOrThrow(),
    ]);
    const result: RunResult = {
      wallMs,
      queries: firstCount,
      byKind,
      selects,
      plans,
      outcomes: tally(first),
      parts: first.reduce((n, o) => n + (o.parts ?? 0), 0),
      jobs,
      rerun: { wallMs: rerunMs, queries: events.length - firstCount, outcomes: tally(second) },
      baselineRssMb,
      peakRssMb,
      digestRows: Number(digestRows.n),
      deliveryRows: Number(deliveryRows.n),
    };
    console.log(`RESULT ${JSON.stringify(result)}`);
  } finally {
    await outbound.obliterate({ force: true }).catch(() => undefined);
    await outbound.close();
    await db.destroy();
  }
}

function runChild(url: string, prefix: string): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), '--digest-child'], {
      cwd: ROOT,
      env: { ...process.env, BENCH_DIGEST_URL: url, BENCH_DIGEST_PREFIX: prefix },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    proc.stdout.on('data', (c: Buffer) => (out += c.toString()));
    proc.stderr.on('data', (c: Buffer) => (out += c.toString()));
    proc.on('error', reject);
    proc.on('exit', (code) => {
      const line = out.split('\n').find((l) => l.startsWith('RESULT '));
      if (code === 0 && line) resolve(JSON.parse(line.slice('RESULT '.length)) as RunResult);
      else reject(new Error(`the digest run exited ${code}:\n${out}`));
    });
  });
}

// --- the bench ---------------------------------------------------------------------------------

const SETTLE_MAX_MS = 30_000;

/**
 * Waits while InnoDB writes out what the seed left in memory (millions of rows written in a minute,
 * flushed for seconds after), until its dirty pages stop falling: the run would otherwise measure
 * the seed's writes as well. The pages in memory stay as the seed left them: the run reads from
 * disk what is not there.
 */
async function settle(): Promise<{ dirty: number; ms: number }> {
  const pool = createPool({ uri: MYSQL });
  const started = performance.now();
  const dirtyPages = async () => {
    const [rows] = await pool.query<RowDataPacket[]>("SHOW GLOBAL STATUS LIKE 'Innodb_buffer_pool_pages_dirty'");
    return Number(rows[0]?.Value);
  };
  try {
    for (let before = await dirtyPages(); ; ) {
      await new Promise((resolve) => setTimeout(resolve, 1000));
      const dirty = await dirtyPages();
      const ms = performance.now() - started;
      // InnoDB writes pages out each second and keeps some dirty at rest (about 1,700 of 8,100 here): under 2% fewer in a second is rest.
      if (dirty >= before * 0.98 || ms > SETTLE_MAX_MS) return { dirty, ms };
      before = dirty;
    }
  } finally {
    await pool.end();
  }
}

async function dropDatabase(name: string): Promise<void> {
  const pool = createPool({ uri: MYSQL });
  try {
    await pool.query(`DROP DATABASE IF EXISTS \`${name}\``);
  } finally {
    await pool.end();
  }
}

interface Row {
  cfg: Config;
  seeded: Seeded;
  run: RunResult;
  problems: string[];
}

const n0 = (n: number) => Math.round(n).toLocaleString('en-US');
const s1 = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

async function benchConfig(cfg: Config, tag: string): Promise<Row> {
  const name = `tongxin_bench_digest_${tag}_${cfg.name.toLowerCase()}`;
  const url = `${MYSQL}/${name}`;
  try {
    const db = await openDb(url); // creates the database, runs the migrations
    await db.destroy();
    console.log(`\n[${cfg.name}] ${cfg.branches} branches × ${cfg.members} members × ${cfg.months} months: seeding ${name} …`);
    const seeded = await seed(url, cfg);
    console.log(
      `[${cfg.name}] seeded in ${seeded.seconds.toFixed(1)} s: ${n0(seeded.members)} members, ${n0(seeded.meetings)} meetings, ` +
        `${n0(seeded.attendance)} attendance rows, ${n0(seeded.reports)} reports (multi-row INSERTs of ${CHUNK}, ${IN_FLIGHT} in flight)`,
    );
    const settled = await settle();
    console.log(
      `[${cfg.name}] ${settled.dirty} dirty pages after ${s1(settled.ms)} of the seed's background writes (a Monday morning's server has none of them)`,
    );
    const run = await runChild(url, `tongxin-bench-digest-${tag}-${cfg.name.toLowerCase()}`);
    const problems = [
      run.outcomes.queued !== cfg.branches && `${run.outcomes.queued ?? 0} branches queued, not ${cfg.branches}`,
      run.digestRows !== cfg.branches && `${run.digestRows} digest rows, not ${cfg.branches}`,
      run.deliveryRows !== run.parts && `${run.deliveryRows} delivery rows for ${run.parts} parts`,
      run.jobs !== run.parts && `${run.jobs} queue jobs for ${run.parts} parts`,
      run.rerun.outcomes['already sent'] !== cfg.branches && `the second run: ${JSON.stringify(run.rerun.outcomes)}`,
    ].filter((p): p is string => typeof p === 'string');
    const kinds = run.byKind.map((k) => `${k.kind} ${k.count} (${k.ms.toFixed(0)} ms)`).join(', ');
    console.log(`[${cfg.name}] run: ${s1(run.wallMs)} wall, ${run.queries} SQL queries: ${kinds}`);
    console.log(
      `[${cfg.name}] selects, slowest first:\n      ${run.selects.map(([q, ms]) => `${ms.toFixed(0).padStart(6)} ms  ${q}…`).join('\n      ')}`,
    );
    console.log(`[${cfg.name}] EXPLAIN of the two slowest:\n      ${run.plans.join('\n      ')}`);
    console.log(
      `[${cfg.name}] outcomes ${JSON.stringify(run.outcomes)}, ${run.parts} parts, ${run.jobs} outbound jobs; ` +
        `second run ${s1(run.rerun.wallMs)}, ${run.rerun.queries} queries, ${JSON.stringify(run.rerun.outcomes)}`,
    );
    for (const p of problems) console.error(`[${cfg.name}] FAIL: ${p}`);
    return { cfg, seeded, run, problems };
  } finally {
    await dropDatabase(name);
  }
}

function printTable(rows: Row[]): void {
  const perBranch = (r: Row) => {
    const selects = r.run.byKind.find((k) => k.kind === 'select')?.count ?? 0;
    return `${selects} + ${r.run.queries - selects}`;
  };
  const header = [
    'config',
    'branches',
    'members',
    'meetings',
    'attendance',
    'reports',
    'seed',
    'run wall',
    'ms/branch',
    'peak RSS',
    'SQL queries',
    'selects + writes/tx',
    'queued',
  ];
  const cells = rows.map((r) => [
    `${r.cfg.name}: ${r.cfg.members} m × ${r.cfg.months} mo`,
    n0(r.cfg.branches),
    n0(r.seeded.members),
    n0(r.seeded.meetings),
    n0(r.seeded.attendance),
    n0(r.seeded.reports),
    `${r.seeded.seconds.toFixed(0)} s`,
    s1(r.run.wallMs),
    (r.run.wallMs / r.cfg.branches).toFixed(1),
    `${r.run.peakRssMb.toFixed(0)} MB (${r.run.baselineRssMb.toFixed(0)} idle)`,
    n0(r.run.queries),
    perBranch(r),
    `${r.run.parts}${r.problems.length ? ' FAIL' : ''}`,
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  const line = (c: string[]) => c.map((v, i) => (i === 0 ? v.padEnd(widths[i]!) : v.padStart(widths[i]!))).join('  ');
  console.log(`\nWeekly digest of ${WEEK} for one org on MariaDB — computed and enqueued by runWeeklyDigest`);
  console.log(`  ${line(header)}`);
  for (const c of cells) console.log(`  ${line(c)}`);
  const [a, b] = rows;
  if (a && b) {
    const same = a.run.queries === b.run.queries;
    console.log(
      `  SQL queries ${same ? 'identical' : 'DIFFER'} (${a.run.queries} vs ${b.run.queries}) with ${(a.seeded.members / b.seeded.members).toFixed(0)}× the members, ` +
        `${(a.seeded.meetings / b.seeded.meetings).toFixed(1)}× the meetings and ${(a.seeded.reports / b.seeded.reports).toFixed(0)}× the reports: ` +
        `a fixed few for the org (its facts in 6, streamed a branch at a time; the claims and the messages of all branches in one transaction, 500 branches a statement).`,
    );
  }
}

/** The digest bench; true when every correctness check held. */
export async function runDigestBench(): Promise<boolean> {
  const started = performance.now();
  const tag = randomBytes(3).toString('hex');
  console.log(
    `\nweekly digest bench — node ${process.version}, ${cpus().length} CPUs, MariaDB ${MYSQL.replace(/\/\/[^@]*@/, '//')}, Redis ${REDIS_URL}`,
  );
  const rows: Row[] = [];
  let ok = true;
  for (const cfg of CONFIGS) {
    try {
      rows.push(await benchConfig(cfg, tag));
    } catch (err) {
      ok = false;
      console.error(`\n[${cfg.name}] FAIL ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    }
  }
  printTable(rows);
  console.log(`  whole digest bench: ${s1(performance.now() - started)}`);
  return ok && rows.every((r) => r.problems.length === 0);
}

if (process.argv.includes('--digest-child')) {
  await child();
} else if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.exit((await runDigestBench()) ? 0 : 1);
}
