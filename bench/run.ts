import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { createConnection } from 'mysql2/promise';
import { type Dialect, createDb } from '../db/connect.ts';
import { type Child, startChild } from './servers.ts';
import { dingtalk, wecom, wecomUrlCheck } from './scenarios.ts';
import {
  CONNECTIONS,
  type Floor,
  ORG,
  POOL_SIZE,
  type PacedRun,
  type Put,
  type RequestSource,
  type Run,
  type Scenario,
  adminPut,
  checkReports,
  combine,
  hammer,
  paced,
  prepare,
  probe,
} from './webhook.ts';
import { CALLBACKS, checkinBurst } from './burst.ts';
import { runDigestBench } from './digest.ts';
import { runLedgerBench } from './ledger.ts';
import { runQueuesBench } from './queues.ts';
import { runDirectoryBench } from './directory.ts';

// npm run bench, the webhook part, on SQLite and on MariaDB, each figure against a floor
// measured in the same run: the WeCom URL check against a bare Hono hello-world; the DingTalk and WeCom
// 汇报 against Hono + one INSERT into the same database (bench/insert-server.ts); a burst of 20,000
// 签到 (bench/burst.ts). Timings are printed against their targets, never asserted; only
// correctness (all 2xx, one record per 2xx, nothing lost or doubled) fails the run.

const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
if (!(SECONDS > 0)) throw new Error('BENCH_SECONDS expects a positive number of seconds');
/** Each side's SECONDS are taken in this many turns, floor and project alternating. */
const SLICES = 5;
const SLICE_SECONDS = SECONDS / SLICES;
const WARMUP_SECONDS = 2;
/**
 * After the saturated turns, each 汇报 is also sent at a pace, floor and project at the same rate:
 * these shares of the floor's req/s, PACED_SECONDS each. A p99 means something only below
 * saturation: with all CONNECTIONS busy it is set by the req/s (Little's law).
 */
const PACED_SHARES = [0.1, 0.25];
const PACED_SECONDS = 5;
const MYSQL = 'mysql://root@127.0.0.1:3306';
// Precomputed requests by default; see RequestSource in webhook.ts for why and what `fresh` does.
const SOURCE = (process.env.BENCH_REQUESTS ?? 'pool') as RequestSource;
if (SOURCE !== 'pool' && SOURCE !== 'fresh') throw new Error('BENCH_REQUESTS expects pool or fresh');
// BENCH_ONLY=digest runs only the weekly-digest bench (bench/digest.ts); BENCH_ONLY=queues only the queues
// bench (bench/queues.ts); BENCH_ONLY=ledger only the 台账 files (bench/ledger.ts); BENCH_ONLY=directory only
// the roster from a directory of 20,000 (bench/directory.ts); BENCH_ONLY=webhook only the webhooks;
// BENCH_ONLY=paced only the two 汇报 on MariaDB, saturated turns then paced, without the URL check and the burst.
const ONLY = process.env.BENCH_ONLY ?? '';
if (!['', 'webhook', 'paced', 'digest', 'queues', 'ledger', 'directory'].includes(ONLY))
  throw new Error('BENCH_ONLY expects webhook, paced, digest, queues, ledger or directory');
const PACED_ONLY = ONLY === 'paced';
const SCENARIOS: (() => Scenario)[] = PACED_ONLY ? [dingtalk, wecom] : [wecomUrlCheck, dingtalk, wecom];
const DIALECTS: Dialect[] = PACED_ONLY ? ['mysql'] : ['sqlite', 'mysql'];

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

const dialectName = (dialect: Dialect) => (dialect === 'sqlite' ? 'SQLite' : 'MariaDB');

/** Throughput (req/s) and p99 latency (ms) of a side's runs together. */
interface Pace {
  rps: number;
  p99: number;
}

interface Target {
  text: string;
  met(project: Pace, floor: Pace | undefined): boolean;
}

// What each figure is read against. The burst's "0 lost, 0 doubled" is its correctness check, which every figure must pass to be met.
const TARGETS: Record<Floor | 'burst', Target> = {
  bare: { text: '≥ 0.7× bare', met: (p, f) => f !== undefined && p.rps >= 0.7 * f.rps },
  insert: { text: '≥ 0.8× floor, p99 ≤ 20 ms', met: (p, f) => f !== undefined && p.rps >= 0.8 * f.rps && p.p99 <= 20 },
  burst: { text: '0 lost, 0 doubled, p99 ≤ 100 ms', met: (p) => p.p99 <= 100 },
};

/** One line of the summary. */
interface Figure {
  path: string;
  dialect: Dialect;
  project?: Pace;
  floor?: Pace;
  target: Target;
  /** Correctness held. */
  ok: boolean;
  /** The paced runs of a 汇报, one pair per share of PACED_SHARES. */
  paced?: { share: number; project: PacedRun; floor: PacedRun }[];
}

/** The service of one dialect, shared by its figures. */
interface Service {
  base: string;
  url: string;
  put: Put;
  /** What it logged (warn and up) since the last call. */
  newLog(): string[];
}

/** One figure: seeded, probed, warmed up, then floor and project in turns. */
async function benchFigure(scenario: Scenario, dialect: Dialect, service: Service, floor: Child): Promise<Figure> {
  const figure: Figure = { path: scenario.name, dialect, target: TARGETS[scenario.floor], ok: false };
  const label = `${scenario.id}-${dialect}-${tag}`;
  try {
    const projectUrl = service.base + (await scenario.seed(service.put));
    const floorUrl = floor.base + scenario.floorPath;
    await probe(scenario, projectUrl, `probe-${label}`);

    // The floors read no msgId and a URL check stores nothing: one pool, started over as often as needed, serves those runs.
    const started = performance.now();
    const shared = SOURCE === 'pool' ? prepare(scenario, `floor-${label}`) : undefined;
    const poolSeconds = (performance.now() - started) / 1000;
    const floorRun = (prefix: string, seconds: number) => hammer(scenario, floorUrl, { prefix, seconds, pool: shared, cycle: true });
    // A run that stores goes on with its prefix's requests where the last slice stopped: every msgId new.
    const pools = new Map<string, ReturnType<typeof prepare> | undefined>();
    const projectRun = (prefix: string, seconds: number, start: number) => {
      if (!scenario.stores) return hammer(scenario, projectUrl, { prefix, seconds, pool: shared, cycle: true });
      if (!pools.has(prefix)) pools.set(prefix, SOURCE === 'pool' ? prepare(scenario, prefix) : undefined);
      return hammer(scenario, projectUrl, { prefix, seconds, pool: pools.get(prefix), start });
    };

    // Warm-up: JIT, connection pools, SQLite page cache. Not measured, not checked.
    await floorRun(`warm-floor-${label}`, WARMUP_SECONDS);
    await projectRun(`warm-${label}`, WARMUP_SECONDS, 0);

    // Floor and project in turns of SLICE_SECONDS, each pair's order the reverse of the last: this
    // machine's speed changes within seconds, and both sides must see the same changes.
    const prefix = `run-${label}`;
    const floors: Run[] = [];
    const runs: Run[] = [];
    for (let slice = 0; slice < SLICES; slice++) {
      const project = async () => runs.push(await projectRun(prefix, SLICE_SECONDS, runs.at(-1)?.next ?? 0));
      const floorSlice = async () => floors.push(await floorRun(`floor-${label}`, SLICE_SECONDS));
      for (const side of slice % 2 === 0 ? [floorSlice, project] : [project, floorSlice]) await side();
    }
    const floorAll = combine(floors);
    const run = combine(runs);

    figure.project = { rps: run.rps, p99: run.p99 };
    figure.floor = { rps: floorAll.rps, p99: floorAll.p99 };
    printTable(scenario, dialect, { all: floorAll, slices: floors }, { all: run, slices: runs });
    const pacedPrefix = `paced-${label}`;
    if (scenario.stores) {
      figure.paced = [];
      for (const [i, share] of PACED_SHARES.entries()) {
        const rate = Math.round(floorAll.rps * share);
        const count = Math.max(1, Math.round(rate * PACED_SECONDS));
        const floorSide = async () => paced(scenario, floorUrl, prepare(scenario, `floor-${pacedPrefix}-${i}`, count), rate);
        const projectSide = async () => paced(scenario, projectUrl, prepare(scenario, `${pacedPrefix}-${i}`, count), rate);
        // In turns, as the saturated runs: the floor first, then the project first.
        let floorPaced: PacedRun;
        let projectPaced: PacedRun;
        if (i % 2 === 0) {
          floorPaced = await floorSide();
          projectPaced = await projectSide();
        } else {
          projectPaced = await projectSide();
          floorPaced = await floorSide();
        }
        figure.paced.push({ share, project: projectPaced, floor: floorPaced });
        console.log(
          `  paced at ${Math.round(share * 100)}% of the floor's req/s (${rate} req/s, ${PACED_SECONDS} s, at most ${CONNECTIONS} connections): ` +
            `project p50 / p99 ${ms(projectPaced.p50)} / ${ms(projectPaced.p99)}, floor ${ms(floorPaced.p50)} / ${ms(floorPaced.p99)}; ` +
            `sent late p99 ${ms(Math.max(projectPaced.lateP99, floorPaced.lateP99))}`,
        );
      }
    }
    console.log(
      `  requests: ${SOURCE === 'pool' ? `pool of ${POOL_SIZE} (one took ${poolSeconds.toFixed(1)} s to prepare)${scenario.stores ? `, ${run.sealedLive} project requests past it sealed live` : ', started over when used up'}` : 'each sealed in setupRequest'}`,
    );
    const problems = [
      run.non2xx > 0 && `${run.non2xx} non-2xx answers`,
      run.errors > 0 && `${run.errors} request errors`,
      run.answered.length !== run.ok && `${run.answered.length} answered msgIds vs ${run.ok} 2xx`,
    ];
    const answers = `2xx ${run.ok}, non-2xx ${run.non2xx} ${JSON.stringify(run.statusCodes)}, errors ${run.errors}, timeouts ${run.timeouts}`;
    if (scenario.stores) {
      // Requests cut off when autocannon stopped may still be committing; let them finish.
      await sleep(1500);
      const kysely = createDb(service.url);
      const pacedRuns = (figure.paced ?? []).map((p) => p.project);
      const [check, pacedCheck] = await Promise.all([
        checkReports(kysely, prefix, run.answered),
        checkReports(
          kysely,
          pacedPrefix,
          pacedRuns.flatMap((r) => r.answered),
        ),
      ]).finally(() => kysely.destroy());
      console.log(
        `  check: ${answers}; reports stored ${check.stored} = ${check.stored - check.unanswered} answered 2xx + ${check.unanswered} cut off at stop; ` +
          `2xx without a report ${check.missing}, duplicates ${check.duplicates}`,
      );
      problems.push(
        check.stored - check.unanswered !== run.ok && `${check.stored - check.unanswered} reports for ${run.ok} 2xx answers`,
        check.missing > 0 && `${check.missing} 2xx answers stored no report`,
        check.duplicates > 0 && `${check.duplicates} duplicate reports`,
        check.unanswered > CONNECTIONS * SLICES &&
          `${check.unanswered} reports without an answer (at most ${CONNECTIONS} can be in flight when each of ${SLICES} turns stops)`,
      );
      // The paced runs end when every request is answered: each 2xx stored once, nothing else stored.
      const pacedOk = pacedRuns.reduce((n, r) => n + r.ok, 0);
      const pacedFailed = pacedRuns.reduce((n, r) => n + r.non2xx + r.errors, 0);
      console.log(
        `  check, paced: 2xx ${pacedOk}, non-2xx or errors ${pacedFailed}; reports stored ${pacedCheck.stored}, ` +
          `2xx without a report ${pacedCheck.missing}, duplicates ${pacedCheck.duplicates}, without an answer ${pacedCheck.unanswered}`,
      );
      problems.push(
        pacedFailed > 0 && `${pacedFailed} paced requests answered non-2xx or failed`,
        pacedCheck.stored !== pacedOk && `${pacedCheck.stored} reports for ${pacedOk} paced 2xx answers`,
        pacedCheck.missing > 0 && `${pacedCheck.missing} paced 2xx answers stored no report`,
        pacedCheck.duplicates > 0 && `${pacedCheck.duplicates} duplicate paced reports`,
      );
    } else {
      console.log(`  check: ${answers}`);
    }
    const failed = problems.filter((p): p is string => typeof p === 'string');
    for (const p of failed) console.error(`  FAIL (${scenario.name}, ${dialect}): ${p}`);
    figure.ok = failed.length === 0;
  } catch (err) {
    // One figure failing (a probe, a seed) still lets the others run; the exit code says so.
    console.error(`\n${scenario.name} on ${dialectName(dialect)}: FAIL ${err instanceof Error ? err.message : String(err)}`);
  }
  printLog(service);
  return figure;
}

function printLog(service: Service): void {
  const log = service.newLog();
  if (log.length > 0) console.log(`  service log (${log.length} lines at warn+), first 5:\n    ${log.slice(0, 5).join('\n    ')}`);
}

/** A side of a figure: its turns taken together, and each turn. */
interface Side {
  all: Run;
  slices: Run[];
}

function printTable(scenario: Scenario, dialect: Dialect, { all: floor, slices: floors }: Side, { all: run, slices: runs }: Side): void {
  const each = (list: Run[]) => list.map((r) => r.rps.toFixed(0)).join(', ');
  const rows: [string, string][] = [
    ['floor req/s', `${floor.rps.toFixed(0)}  (slices: ${each(floors)})`],
    ['project req/s', `${run.rps.toFixed(0)}  (slices: ${each(runs)})`],
    [`ratio project/${scenario.floor === 'bare' ? 'bare' : 'floor'}`, `${(run.rps / floor.rps).toFixed(2)}x`],
    ['project p50 / p99', `${ms(run.p50)} / ${ms(run.p99)}`],
    ['floor p50 / p99', `${ms(floor.p50)} / ${ms(floor.p99)}`],
    ['generator CPU', `${(floor.generatorCpu * 100).toFixed(0)} %, ${(run.generatorCpu * 100).toFixed(0)} %  (floor, project)`],
  ];
  const against = scenario.floor === 'bare' ? 'a bare Hono hello-world' : 'Hono + one INSERT into the same database';
  console.log(
    `\n${scenario.name} on ${dialect === 'sqlite' ? 'SQLite (temp file)' : 'MariaDB'} — ${SLICES} turns of ${SLICE_SECONDS} s each side, ${CONNECTIONS} connections; the floor: ${against}`,
  );
  for (const [k, v] of rows) console.log(`  ${k.padEnd(24)} ${v}`);
}

/**
 * One dialect: a fresh database, the service (src/main.ts unchanged: it creates the MariaDB database
 * and runs the migrations itself) and the one-INSERT floor on it; the figures in turn, then the burst.
 * Returns false when the dialect could not be run at all.
 */
async function benchDialect(dialect: Dialect, bare: Child, figures: Figure[]): Promise<boolean> {
  const db = database(dialect);
  const token = randomBytes(16).toString('hex');
  let project: Child | undefined;
  let floor: Child | undefined;
  try {
    project = await startChild(
      `project (${dialect})`,
      'src/main.ts',
      { DATABASE_URL: db.url, ADMIN_TOKEN: token, LOG_LEVEL: 'warn' },
      '/healthz',
    );
    // Started after the service, which has created the database the floor's table goes into.
    floor = await startChild(`one-INSERT floor (${dialect})`, 'bench/insert-server.ts', { DATABASE_URL: db.url }, '/');
    let seen = 0;
    const child = project;
    const service: Service = {
      base: project.base,
      url: db.url,
      put: adminPut(project.base, token),
      newLog() {
        const lines = child.lines();
        const fresh = lines.slice(seen);
        seen = lines.length;
        return fresh;
      },
    };
    await service.put(`/orgs/${ORG}`, { name: '基准测试机关工委' });
    const byScenario = new Map<string, Figure>();
    // A new scenario per figure: fresh secrets, and timestamps well within the platforms' hour.
    for (const make of SCENARIOS) {
      const scenario = make();
      const figure = await benchFigure(scenario, dialect, service, scenario.floor === 'bare' ? bare : floor);
      byScenario.set(scenario.id, figure);
      figures.push(figure);
    }

    if (PACED_ONLY) return true;
    // The burst goes through the DingTalk webhook: its floor is the DingTalk 汇报's.
    const floorPace = byScenario.get('dingtalk')?.floor;
    const burst: Figure = { path: `签到 burst (${CALLBACKS})`, dialect, floor: floorPace, target: TARGETS.burst, ok: false };
    figures.push(burst);
    try {
      const result = await checkinBurst(service.base, db.url, dialect, service.put, floorPace?.p99);
      burst.project = { rps: result.rps, p99: result.p99 };
      burst.ok = result.ok;
    } catch (err) {
      console.error(`\n签到 burst on ${dialectName(dialect)}: FAIL ${err instanceof Error ? err.message : String(err)}`);
    }
    printLog(service);
    return true;
  } catch (err) {
    console.error(`\n${dialectName(dialect)}: FAIL ${err instanceof Error ? err.message : String(err)}`);
    const log = project?.lines() ?? [];
    if (log.length > 0) console.error(`  service log, last 5:\n    ${log.slice(-5).join('\n    ')}`);
    return false;
  } finally {
    await floor?.stop();
    await project?.stop();
    await db.drop();
  }
}

/** Terminal columns: CJK characters take two. */
const width = (s: string) => [...s].reduce((n, ch) => n + (ch.codePointAt(0)! >= 0x2e80 ? 2 : 1), 0);
const padEnd = (s: string, n: number) => s + ' '.repeat(Math.max(0, n - width(s)));
const padStart = (s: string, n: number) => ' '.repeat(Math.max(0, n - width(s))) + s;

/** A table of `cells` under `header`, indented: the `text` columns to the left, figures to the right; cells past the header follow as they are. */
function printColumns(header: string[], cells: string[][], text: Set<number>): void {
  const widths = header.map((h, i) => Math.max(width(h), ...cells.map((c) => width(c[i]!))));
  const line = (c: string[]) =>
    c
      .map((v, i) => (i >= header.length ? v : text.has(i) ? padEnd(v, widths[i]!) : padStart(v, widths[i]!)))
      .join('  ')
      .trimEnd();
  for (const c of [header, ...cells]) console.log(`  ${line(c)}`);
}

function printSummary(figures: Figure[]): void {
  const header = ['path', 'dialect', 'project req/s', 'floor req/s', 'ratio', 'project p99', 'floor p99', 'target', 'met'];
  const cells = figures.map((f) => [
    f.path,
    dialectName(f.dialect),
    f.project ? f.project.rps.toFixed(0) : '—',
    f.floor ? f.floor.rps.toFixed(0) : '—',
    f.project && f.floor ? `${(f.project.rps / f.floor.rps).toFixed(2)}x` : '—',
    f.project ? ms(f.project.p99) : '—',
    f.floor ? ms(f.floor.p99) : '—',
    f.target.text,
    f.project ? (f.ok && f.target.met(f.project, f.floor) ? 'met' : 'not met') : '—',
    f.ok ? '' : 'FAIL',
  ]);
  console.log(
    `\nSummary — ${SECONDS} s each side in ${SLICES} turns, ${CONNECTIONS} connections, requests from ${SOURCE === 'pool' ? 'a precomputed pool' : 'setupRequest'}\n` +
      '  floor: a bare Hono hello-world for the URL check, Hono + one INSERT for the others, taken in turns with the project\n' +
      '  签到 burst: req/s over its wall time, p99 over all attempts (503s included), its floor the DingTalk 汇报’s',
  );
  printColumns(header, cells, new Set([0, 1, 7, 8]));
  const paced = figures.flatMap((f) =>
    (f.paced ?? []).map((p) => [
      f.path,
      dialectName(f.dialect),
      `${Math.round(p.share * 100)}%`,
      p.project.rate.toFixed(0),
      ms(p.project.p50),
      ms(p.project.p99),
      ms(p.floor.p99),
      f.ok && p.project.p99 <= 20 ? 'met' : 'not met',
    ]),
  );
  if (paced.length > 0) {
    console.log(
      `\n  paced: floor and project sent the same req/s on a clock, at most ${CONNECTIONS} connections, ${PACED_SECONDS} s each; ` +
        'ms from writing a request to its answer',
    );
    printColumns(
      ['path', 'dialect', 'share of floor', 'req/s', 'project p50', 'project p99', 'floor p99', 'p99 ≤ 20 ms'],
      paced,
      new Set([0, 1, 7]),
    );
  }
  // Little's law: with every connection busy, a side answering N req/s keeps each request CONNECTIONS / N s on average.
  const floorMeans = figures
    .filter((f) => f.target === TARGETS.insert && f.floor)
    .map((f) => `${dialectName(f.dialect)} ${f.path} ${ms((CONNECTIONS / f.floor!.rps) * 1000)}`);
  if (floorMeans.length > 0)
    console.log(
      `  mean time a request waits at ${CONNECTIONS} connections, the one-INSERT floor (${CONNECTIONS} ÷ its req/s): ${floorMeans.join(', ')}` +
        ' (p99 ≤ 20 ms asks 99% of them to wait less)',
    );
}

if (ONLY === 'digest') process.exit((await runDigestBench()) ? 0 : 1);
if (ONLY === 'queues') process.exit((await runQueuesBench()) ? 0 : 1);
if (ONLY === 'ledger') process.exit((await runLedgerBench()) ? 0 : 1);
if (ONLY === 'directory') process.exit((await runDirectoryBench()) ? 0 : 1);

console.log(`node ${process.version}, ${cpus().length} CPUs; a new msgId per 汇报, to:`);
for (const make of SCENARIOS) {
  const s = make();
  console.log(`  ${padEnd(s.name, 16)} ${s.route}`);
}
const bare = await startChild('bare', 'bench/bare-server.ts', {}, '/');
const figures: Figure[] = [];
let ran = true;
try {
  for (const dialect of DIALECTS) ran = (await benchDialect(dialect, bare, figures)) && ran;
} finally {
  await bare.stop();
}
printSummary(figures);
const webhooksOnly = ONLY === 'webhook' || PACED_ONLY;
const digestOk = webhooksOnly || (await runDigestBench());
const queuesOk = webhooksOnly || (await runQueuesBench());
const ledgerOk = webhooksOnly || (await runLedgerBench());
const directoryOk = webhooksOnly || (await runDirectoryBench());
if (!ran || !figures.every((f) => f.ok) || !digestOk || !queuesOk || !ledgerOk || !directoryOk) {
  console.error('\nbench: correctness check failed');
  process.exit(1);
}
