import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { createConnection } from 'mysql2/promise';
import { type Dialect, createDb } from '../db/connect.ts';
import { type Child, startChild } from './servers.ts';
import { dingtalk, wecom } from './scenarios.ts';
import {
  CONNECTIONS,
  ORG,
  POOL_SIZE,
  type RequestSource,
  type Run,
  type Scenario,
  adminPut,
  checkReports,
  hammer,
  prepare,
  probe,
} from './webhook.ts';
import { runDigestBench } from './digest.ts';
import { runLedgerBench } from './ledger.ts';
import { runQueuesBench } from './queues.ts';

// npm run bench: the DingTalk and WeCom 汇报 webhooks against a bare Hono hello-world, as a ratio (SPEC §8).
// Timings are printed, never asserted; only correctness (all 2xx, one report per 2xx) fails the run.

const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
if (!(SECONDS > 0)) throw new Error('BENCH_SECONDS expects a positive number of seconds');
const WARMUP_SECONDS = 2;
const MYSQL = 'mysql://root@127.0.0.1:3306';
// Precomputed requests by default; see RequestSource in webhook.ts for why and what `fresh` does.
const SOURCE = (process.env.BENCH_REQUESTS ?? 'pool') as RequestSource;
if (SOURCE !== 'pool' && SOURCE !== 'fresh') throw new Error('BENCH_REQUESTS expects pool or fresh');
const SCENARIOS: (() => Scenario)[] = [dingtalk, wecom];
const DIALECTS: Dialect[] = ['sqlite', 'mysql'];

const tag = randomBytes(4).toString('hex');
const ms = (n: number) => `${Number(n.toFixed(2))} ms`;

/** A fresh database per dialect and how to get rid of it. */
function database(dialect: Dialect): { url: string; drop(): Promise<void> } {
  if (dialect === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'tongxin-bench-'));
    return { url: `sqlite:${join(dir, 'bench.db')}`, drop: async () => rmSync(dir, { recursive: true, force: true }) };
  }
  const name = `tongxin_bench_${tag}`;
  return {
    url: `${MYSQL}/${name}`,
    async drop() {
      const conn = await createConnection({ host: '127.0.0.1', port: 3306, user: 'root' });
      try {
        await conn.query(`DROP DATABASE IF EXISTS \`${name}\``);
      } finally {
        await conn.end();
      }
    },
  };
}

interface Row {
  platform: string;
  dialect: Dialect;
  bareRps?: number;
  run?: Run;
  ok: boolean;
}

const dialectName = (dialect: Dialect) => (dialect === 'sqlite' ? 'SQLite' : 'MariaDB');

/** One platform on one dialect: a fresh database and service, seeded, probed, then bare → project → bare. */
async function benchPair(scenario: Scenario, dialect: Dialect, bare: Child): Promise<Row> {
  const row: Row = { platform: scenario.platform, dialect, ok: false };
  const db = database(dialect);
  const token = randomBytes(16).toString('hex');
  const label = `${scenario.platform.toLowerCase()}-${dialect}-${tag}`;
  let project: Child | undefined;
  try {
    // src/main.ts unchanged; it creates the MySQL database and runs the migrations itself.
    project = await startChild(
      `project (${dialect})`,
      'src/main.ts',
      { DATABASE_URL: db.url, ADMIN_TOKEN: token, LOG_LEVEL: 'warn' },
      '/healthz',
    );
    const put = adminPut(project.base, token);
    await put(`/orgs/${ORG}`, { name: '基准测试机关工委' });
    const projectUrl = project.base + (await scenario.seed(put));
    const bareUrl = bare.base + scenario.barePath;
    await probe(scenario, projectUrl, `probe-${label}`);

    // The bare server reads no body, so one pool, started over as often as needed, serves its runs.
    const started = performance.now();
    const barePool = SOURCE === 'pool' ? prepare(scenario, `bare-${label}`) : undefined;
    const poolSeconds = (performance.now() - started) / 1000;
    const projectPool = (prefix: string) => (SOURCE === 'pool' ? prepare(scenario, prefix) : undefined);
    const bareRun = (prefix: string, seconds: number) => hammer(scenario, bareUrl, { prefix, seconds, pool: barePool, cycle: true });
    const projectRun = (prefix: string, seconds: number) => hammer(scenario, projectUrl, { prefix, seconds, pool: projectPool(prefix) });

    // Warm-up: JIT, connection pools, SQLite page cache. Not measured, not checked.
    await bareRun(`warm-bare-${label}`, WARMUP_SECONDS);
    await projectRun(`warm-${label}`, WARMUP_SECONDS);

    // bare → project → bare, so that drift in the machine's speed shows up in both bare figures.
    const bare1 = await bareRun(`bare-${label}`, SECONDS);
    const prefix = `run-${label}`;
    const run = await projectRun(prefix, SECONDS);
    const bare2 = await bareRun(`bare-${label}`, SECONDS);

    // Requests cut off when autocannon stopped may still be committing; let them finish.
    await sleep(1500);
    const kysely = createDb(db.url);
    const check = await checkReports(kysely, prefix, run.answered).finally(() => kysely.destroy());

    row.bareRps = (bare1.rps + bare2.rps) / 2;
    row.run = run;
    printTable(scenario, dialect, bare1, bare2, run);
    console.log(
      `  requests: ${SOURCE === 'pool' ? `pool of ${POOL_SIZE} per run (one took ${poolSeconds.toFixed(1)} s to prepare), ${run.sealedLive} project requests past it sealed live` : 'each sealed in setupRequest'}`,
    );
    console.log(
      `  check: 2xx ${run.ok}, non-2xx ${run.non2xx} ${JSON.stringify(run.statusCodes)}, errors ${run.errors}, timeouts ${run.timeouts}; ` +
        `reports stored ${check.stored} = ${check.stored - check.unanswered} answered 2xx + ${check.unanswered} cut off at stop; ` +
        `2xx without a report ${check.missing}, duplicates ${check.duplicates}`,
    );
    const problems = [
      run.non2xx > 0 && `${run.non2xx} non-2xx answers`,
      run.errors > 0 && `${run.errors} request errors`,
      run.answered.length !== run.ok && `${run.answered.length} answered msgIds vs ${run.ok} 2xx`,
      check.stored - check.unanswered !== run.ok && `${check.stored - check.unanswered} reports for ${run.ok} 2xx answers`,
      check.missing > 0 && `${check.missing} 2xx answers stored no report`,
      check.duplicates > 0 && `${check.duplicates} duplicate reports`,
      check.unanswered > CONNECTIONS && `${check.unanswered} reports without an answer (at most ${CONNECTIONS} can be in flight)`,
    ].filter((p): p is string => typeof p === 'string');
    for (const p of problems) console.error(`  FAIL (${scenario.platform}, ${dialect}): ${p}`);

    const log = project.lines();
    if (log.length > 0) console.log(`  service log (${log.length} lines at warn+), first 5:\n    ${log.slice(0, 5).join('\n    ')}`);
    row.ok = problems.length === 0;
    return row;
  } catch (err) {
    // One pair failing (a probe, a crashed service) still lets the others run; the exit code says so.
    console.error(`\n${scenario.platform} on ${dialectName(dialect)}: FAIL ${err instanceof Error ? err.message : String(err)}`);
    const log = project?.lines() ?? [];
    if (log.length > 0) console.error(`  service log, last 5:\n    ${log.slice(-5).join('\n    ')}`);
    return row;
  } finally {
    await project?.stop();
    await db.drop();
  }
}

function printTable(scenario: Scenario, dialect: Dialect, bare1: Run, bare2: Run, run: Run): void {
  const bareRps = (bare1.rps + bare2.rps) / 2;
  const rows: [string, string][] = [
    ['bare req/s (mean of 2)', `${bareRps.toFixed(0)}  (${bare1.rps.toFixed(0)}, ${bare2.rps.toFixed(0)})`],
    ['project req/s', run.rps.toFixed(0)],
    ['ratio project/bare', `${(run.rps / bareRps).toFixed(2)}x`],
    ['project p50 / p99', `${ms(run.p50)} / ${ms(run.p99)}`],
    ['bare p99', `${ms(bare1.p99)}, ${ms(bare2.p99)}`],
    ['generator CPU', `${[bare1, run, bare2].map((r) => `${(r.generatorCpu * 100).toFixed(0)} %`).join(', ')}  (bare, project, bare)`],
  ];
  console.log(
    `\n${scenario.platform} on ${dialect === 'sqlite' ? 'SQLite (temp file)' : 'MariaDB'} — ${SECONDS} s per run, ${CONNECTIONS} connections`,
  );
  for (const [k, v] of rows) console.log(`  ${k.padEnd(24)} ${v}`);
}

function printSummary(rows: Row[]): void {
  const header = ['platform', 'dialect', 'bare req/s', 'project req/s', 'ratio', 'project p99'];
  const cells = rows.map((r) => [
    r.platform,
    dialectName(r.dialect),
    r.bareRps === undefined ? '—' : r.bareRps.toFixed(0),
    r.run ? r.run.rps.toFixed(0) : '—',
    r.run && r.bareRps ? `${(r.run.rps / r.bareRps).toFixed(2)}x` : '—',
    r.run ? ms(r.run.p99) : '—',
    r.ok ? '' : 'FAIL',
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  // Text columns to the left, figures to the right.
  const line = (c: string[]) =>
    c
      .map((v, i) => (i < 2 ? v.padEnd(widths[i] ?? 0) : i < header.length ? v.padStart(widths[i]!) : v))
      .join('  ')
      .trimEnd();
  console.log(
    `\nSummary — ${SECONDS} s per run, ${CONNECTIONS} connections, requests from ${SOURCE === 'pool' ? 'a precomputed pool' : 'setupRequest'}`,
  );
  console.log(`  ${line(header)}`);
  for (const c of cells) console.log(`  ${line(c)}`);
}

// BENCH_ONLY=digest runs only the weekly-digest bench (bench/digest.ts); BENCH_ONLY=queues only the queues
// bench (bench/queues.ts); BENCH_ONLY=ledger only the 台账 files (bench/ledger.ts); BENCH_ONLY=webhook only the webhooks.
const ONLY = process.env.BENCH_ONLY ?? '';
if (!['', 'webhook', 'digest', 'queues', 'ledger'].includes(ONLY)) throw new Error('BENCH_ONLY expects webhook, digest, queues or ledger');
if (ONLY === 'digest') process.exit((await runDigestBench()) ? 0 : 1);
if (ONLY === 'queues') process.exit((await runQueuesBench()) ? 0 : 1);
if (ONLY === 'ledger') process.exit((await runLedgerBench()) ? 0 : 1);

console.log(`node ${process.version}, ${cpus().length} CPUs; 汇报 with a new msgId per request, to:`);
const scenarios = SCENARIOS.map((make) => make());
for (const s of scenarios) console.log(`  ${s.platform.padEnd(8)} ${s.route}`);
const bare = await startChild('bare', 'bench/bare-server.ts', {}, '/');
const rows: Row[] = [];
try {
  for (const make of SCENARIOS) {
    // A new scenario per pair: fresh secrets, and timestamps well within the platforms' hour.
    for (const dialect of DIALECTS) rows.push(await benchPair(make(), dialect, bare));
  }
} finally {
  await bare.stop();
}
printSummary(rows);
const digestOk = ONLY === 'webhook' || (await runDigestBench());
const queuesOk = ONLY === 'webhook' || (await runQueuesBench());
const ledgerOk = ONLY === 'webhook' || (await runLedgerBench());
if (!rows.every((r) => r.ok) || !digestOk || !queuesOk || !ledgerOk) {
  console.error('\nbench: correctness check failed');
  process.exit(1);
}
