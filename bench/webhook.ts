import { Agent, request } from 'node:http';
import autocannon from 'autocannon';
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.ts';

// The platform-independent half of the bench: what a platform's scenario provides, the load
// generator that drives it, and the check that every 2xx answer stored exactly one report.

/** Concurrent connections of every run, project and floor alike: 64, as the targets assume, unless BENCH_CONNECTIONS says otherwise. */
export const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 64);
if (!Number.isInteger(CONNECTIONS) || CONNECTIONS < 1) throw new Error('BENCH_CONNECTIONS expects a positive whole number');
export const ORG = 'bench-org';

/** PUT /admin{path} with the admin token; throws on anything but 2xx. */
export type Put = (path: string, body: unknown) => Promise<void>;

export function adminPut(base: string, token: string): Put {
  return async (path, body) => {
    const res = await fetch(`${base}/admin${path}`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    if (!res.ok) throw new Error(`PUT /admin${path} → ${res.status} ${await res.text()}`);
  };
}

/** One callback as it goes on the wire: the query string (with its `?`, or empty) and the body. */
export interface Outgoing {
  query: string;
  body: string | Buffer;
  /** Headers of this request alone, over the scenario's (a DingTalk signature is good for one message). */
  headers?: Record<string, string>;
}

/** What a figure is measured against: the bare Hono hello-world, or Hono + one INSERT into the same database. */
export type Floor = 'bare' | 'insert';

/**
 * One platform's webhook as the bench drives it. Each scenario object holds freshly made channel
 * secrets, so one is made per (scenario × dialect).
 */
export interface Scenario {
  /** The figure's name in the tables. */
  name: string;
  /** Short and ASCII: labels, msgId prefixes. */
  id: string;
  /** The route measured, for the header line. */
  route: string;
  method: 'GET' | 'POST';
  floor: Floor;
  /** The floor server's matching route. */
  floorPath: string;
  /** Headers every request carries. */
  headers: Record<string, string>;
  /** Whether every 2xx stores one report under its msgId (a 汇报); if not, requests may be replayed. */
  stores: boolean;
  /** Seeds its channel and, for a 汇报, a branch bound to the callback's chat and the sender as a member (the org exists); returns the project's route. */
  seed(put: Put): Promise<string>;
  /** The callback carrying `msgId`, signed (and sealed) as the platform would send it. */
  request(msgId: string): Outgoing;
  /** Throws unless `body`, answered to the probe `sent`, is the reply the platform expects (a 汇报's names the member). */
  checkProbe(status: number, body: string, sent: Outgoing, msgId: string): void;
}

/** One callback through fetch, so that a seeding or signing mistake fails here and not as a wall of 4xx. */
export async function probe(scenario: Scenario, url: string, msgId: string): Promise<void> {
  const sent = scenario.request(msgId);
  const res = await fetch(url + sent.query, {
    method: scenario.method,
    headers: { ...scenario.headers, ...sent.headers },
    body: scenario.method === 'GET' ? undefined : sent.body,
  });
  const text = await res.text();
  try {
    scenario.checkProbe(res.status, text, sent, msgId);
  } catch (err) {
    throw new Error(`probe ${url} → ${res.status} ${text}: ${(err as Error).message}`);
  }
}

/**
 * Where the requests of a run come from.
 * - pool: POOL_SIZE requests are signed and sealed before autocannon starts, and setupRequest only
 *   hands the next one out. Past the pool, a run that stores reports seals live (its msgIds must stay
 *   new); a floor run, or one that stores nothing, starts the pool over.
 * - fresh: setupRequest signs and seals each request itself, while the clock runs.
 * The default is pool, because it measures the server rather than autocannon: sealing and signing a
 * WeCom callback costs ~30 µs of this process's CPU, so at the bare server's 10k+ req/s the load
 * generator saturates a core. Interleaved 5 s runs at 10 connections on a 2-CPU machine: bare WeCom with fresh
 * 8.8k / 6.5k / 5.5k req/s at 94 / 76 / 67 % generator CPU, with the pool 11.3k / 9.8k / 8.1k at
 * 52 / 49 / 45 %; the project moved less (fresh 670 / 644, pool 1091 / 793), DingTalk (a
 * JSON.stringify per request) not beyond the noise. `BENCH_REQUESTS=fresh` repeats the comparison;
 * the "generator CPU" row of each table shows how busy this process was.
 */
export type RequestSource = 'pool' | 'fresh';
export const POOL_SIZE = 50_000;

interface Prepared extends Outgoing {
  msgId: string;
}

/** Requests `${prefix}-1` … `${prefix}-${size}`, bodies already encoded. */
export function prepare(scenario: Scenario, prefix: string, size = POOL_SIZE): Prepared[] {
  const pool: Prepared[] = [];
  for (let i = 1; i <= size; i++) {
    const msgId = `${prefix}-${i}`;
    const { query, body, headers } = scenario.request(msgId);
    pool.push({ msgId, query, body: Buffer.from(body), ...(headers ? { headers } : {}) });
  }
  return pool;
}

export interface Run {
  /** Wall-clock seconds the run lasted. */
  seconds: number;
  /** Requests answered (any status) per second. */
  rps: number;
  p50: number;
  p99: number;
  ok: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  statusCodes: Record<string, number>;
  /** msgIds of the requests answered 2xx. */
  answered: string[];
  /** Milliseconds from each request's setup to its answer, in the order answered. */
  latencies: number[];
  /** Requests signed and sealed while the clock ran (all of them with `fresh`; past the pool with `pool`). */
  sealedLive: number;
  /** CPU time of this process (autocannon and setupRequest) per wall-clock time of the run: 1 is a whole core. */
  generatorCpu: number;
  /** The index of the next request: where a following run of the same prefix goes on. */
  next: number;
}

type Context = { msgId?: string; sent?: number };

export interface HammerOptions {
  /** Prefix of the msgIds; every request carries a new one `${prefix}-N` unless `pool` is reused. */
  prefix: string;
  seconds: number;
  /** Precomputed requests (see RequestSource); without them every request is made in setupRequest. */
  pool?: Prepared[];
  /** Past the end of `pool`, start it over instead of sealing live (a floor, or a scenario that stores nothing). */
  cycle?: boolean;
  /** The first request's index: a run that goes on from an earlier one of the same prefix (its `next`). */
  start?: number;
}

/** Autocannon sending `scenario`'s callbacks to `url` (no query) for `seconds`. */
export async function hammer(scenario: Scenario, url: string, opts: HammerOptions): Promise<Run> {
  const path = new URL(url).pathname;
  const pool = opts.pool ?? [];
  let n = opts.start ?? 0;
  let sealedLive = 0;
  const answered: string[] = [];
  const latencies: number[] = [];
  const cpu = process.cpuUsage();
  const started = performance.now();
  const result = await autocannon({
    url,
    method: scenario.method,
    headers: scenario.headers,
    connections: CONNECTIONS,
    duration: opts.seconds,
    requests: [
      {
        // Pipelining is 1, so a connection's context belongs to its one request in flight.
        setupRequest(req, context) {
          const i = n++;
          let next: Prepared;
          if (i < pool.length || (opts.cycle && pool.length > 0)) {
            next = pool[i % pool.length]!;
          } else {
            const msgId = `${opts.prefix}-${i + 1}`;
            next = { msgId, ...scenario.request(msgId) };
            sealedLive++;
          }
          (context as Context).msgId = next.msgId;
          req.path = path + next.query;
          if (next.headers) req.headers = { ...scenario.headers, ...next.headers };
          if (scenario.method === 'POST') req.body = next.body;
          (context as Context).sent = performance.now();
          return req;
        },
        onResponse(status, _body, context) {
          const { msgId, sent } = context as Context;
          if (sent !== undefined) latencies.push(performance.now() - sent);
          if (status >= 200 && status < 300 && msgId) answered.push(msgId);
        },
      },
    ],
  });
  const seconds = (performance.now() - started) / 1000;
  const { user, system } = process.cpuUsage(cpu);
  const statusCodes = Object.fromEntries(Object.entries(result.statusCodeStats ?? {}).map(([code, s]) => [code, s.count ?? 0]));
  return {
    seconds,
    rps: latencies.length / seconds,
    ...percentiles(latencies),
    ok: result['2xx'],
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    statusCodes,
    answered,
    latencies,
    sealedLive,
    generatorCpu: (user + system) / 1e6 / seconds,
    next: n,
  };
}

/** A paced run: requests sent on a clock whatever the answers (an open loop), at most CONNECTIONS at a time. */
export interface PacedRun {
  /** Requests per second asked. */
  rate: number;
  /** Milliseconds from writing each request (or queueing it for a busy connection) to its answer. */
  p50: number;
  p99: number;
  /** Milliseconds this process sent a request after its time on the clock, p99: how well the pace held. */
  lateP99: number;
  ok: number;
  non2xx: number;
  errors: number;
  /** msgIds of the requests answered 2xx. */
  answered: string[];
}

/**
 * Sends `requests` to `url` at `rate` a second, each on its time, through at most CONNECTIONS
 * keep-alive connections. Autocannon's rate limit sends each second's quota at once and then waits,
 * which is a burst a second, not a pace; its closed loop, CONNECTIONS requests always in flight,
 * measures the latency of a saturated server (CONNECTIONS ÷ its req/s on average, Little's law).
 */
export async function paced(scenario: Scenario, url: string, requests: Prepared[], rate: number): Promise<PacedRun> {
  const target = new URL(url);
  const agent = new Agent({ keepAlive: true, maxSockets: CONNECTIONS });
  const latencies: number[] = [];
  const late: number[] = [];
  const answered: string[] = [];
  let [ok, non2xx, errors, sent, done] = [0, 0, 0, 0, 0];
  const started = performance.now();
  await new Promise<void>((resolve) => {
    if (requests.length === 0) resolve();
    const finish = () => {
      if (++done === requests.length) resolve();
    };
    const tick = () => {
      const due = Math.min(requests.length, Math.floor(((performance.now() - started) / 1000) * rate));
      for (; sent < due; sent++) {
        const next = requests[sent]!;
        const at = performance.now();
        late.push(at - (started + (sent / rate) * 1000));
        const req = request(
          {
            agent,
            host: target.hostname,
            port: target.port,
            path: target.pathname + next.query,
            method: scenario.method,
            headers: { ...scenario.headers, ...next.headers },
          },
          (res) => {
            res.resume();
            res.on('end', () => {
              latencies.push(performance.now() - at);
              const status = res.statusCode ?? 0;
              if (status >= 200 && status < 300) {
                ok++;
                answered.push(next.msgId);
              } else non2xx++;
              finish();
            });
          },
        );
        req.on('error', () => {
          errors++;
          finish();
        });
        req.end(scenario.method === 'POST' ? next.body : undefined);
      }
      // A timer, not a loop: this process must not take a core from the server it measures.
      if (sent < requests.length) setTimeout(tick, 1);
    };
    tick();
  });
  agent.destroy();
  return { rate, ...percentiles(latencies), lateP99: percentiles(late).p99, ok, non2xx, errors, answered };
}

function percentiles(latencies: number[]): { p50: number; p99: number } {
  const sorted = [...latencies].sort((a, b) => a - b);
  const at = (p: number) => sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)] ?? 0;
  return { p50: at(0.5), p99: at(0.99) };
}

/** Runs taken in turns with others, as one: requests per second over their time, percentiles over all their requests. */
export function combine(runs: Run[]): Run {
  const seconds = runs.reduce((t, r) => t + r.seconds, 0);
  const latencies = runs.flatMap((r) => r.latencies);
  const sum = (pick: (r: Run) => number) => runs.reduce((t, r) => t + pick(r), 0);
  const statusCodes: Record<string, number> = {};
  for (const r of runs) for (const [code, count] of Object.entries(r.statusCodes)) statusCodes[code] = (statusCodes[code] ?? 0) + count;
  return {
    seconds,
    rps: latencies.length / seconds,
    ...percentiles(latencies),
    ok: sum((r) => r.ok),
    non2xx: sum((r) => r.non2xx),
    errors: sum((r) => r.errors),
    timeouts: sum((r) => r.timeouts),
    statusCodes,
    answered: runs.flatMap((r) => r.answered),
    latencies,
    sealedLive: sum((r) => r.sealedLive),
    generatorCpu: sum((r) => r.generatorCpu * r.seconds) / seconds,
    next: runs.at(-1)?.next ?? 0,
  };
}

export interface ReportCheck {
  /** Reports stored with a msgId of the run. */
  stored: number;
  /** 2xx answers whose msgId has no report. */
  missing: number;
  /** msgIds stored more than once (de-duplication broken). */
  duplicates: number;
  /** Reports whose request autocannon cut off at the end of the run (it closes connections mid-request). */
  unanswered: number;
}

/** Compares the reports stored under `prefix` with the msgIds answered 2xx (every platform stores the msgId as `source`). */
export async function checkReports(db: Kysely<Database>, prefix: string, answered: string[]): Promise<ReportCheck> {
  const rows = await db.selectFrom('service_reports').select('source').where('source', 'like', `${prefix}-%`).execute();
  const stored = new Set(rows.map((r) => r.source));
  const missing = answered.filter((id) => !stored.has(id)).length;
  const answeredSet = new Set(answered);
  return {
    stored: rows.length,
    missing,
    duplicates: rows.length - stored.size,
    unanswered: [...stored].filter((id) => !answeredSet.has(id!)).length,
  };
}
