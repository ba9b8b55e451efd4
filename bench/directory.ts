import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { Redis } from 'ioredis';
import type { Kysely } from 'kysely';
import { createConnection } from 'mysql2/promise';
import { putBranchDepartments } from '../db/branch-departments.ts';
import { createDb } from '../db/connect.ts';
import type { Database } from '../db/schema.ts';
import { DINGTALK_DIRECTORY_RATE } from '../src/platforms/dingtalk/directory.ts';
import { WECOM_DIRECTORY_RATE } from '../src/platforms/wecom/directory.ts';
import type { RateWindow } from '../src/platforms/shared/call-rate.ts';
import {
  type FakeDirectory,
  type FakePerson,
  type ServedDirectory,
  serveDingtalkDirectory,
  serveWecomDirectory,
} from '../test/helpers/fake-directory.ts';
import { type FakePlatform, type RecordedRequest, startFakePlatform } from '../test/helpers/fake-platform.ts';
import { type Child, startChild } from './servers.ts';

// The roster from a platform's directory at the size of a large 机关: 20,000 people in 400
// departments, each department a branch's, paged as the platforms page (DingTalk: a call for each
// department's children and one a page of 100 people; WeCom: a call a department, a page of 10,000
// rows, and a call a person for her name). For each platform, the service (src/main.ts, a child
// process with a MariaDB database of its own) reads a fake directory served from this process at
// the rate its limiter keeps, the platform's documented one, and computes the preview: the calls,
// the wall time against the time the rate alone implies, the service's own CPU time and peak RSS.
// Then the apply of that preview through the admin API (20,000 new members; target under 30 s) and a
// second preview. Timings are printed, never asserted; the run fails only when a count is wrong: the
// preview's, the rows written, the trail's, the quota meter's, or a second preview not empty.

const MYSQL = process.env.BENCH_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306';
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const BUREAUS = 20;
const OFFICES_PER_BUREAU = 19;
/** People per department, in turn: 50 on average, and a department of 120 takes two pages. */
const SIZES = [8, 20, 30, 40, 50, 60, 72, 120];
const APPLY_TARGET_MS = 30_000;
/** Branches created at once through the admin API. */
const PUTS_IN_FLIGHT = 8;
/** The kernel's clock ticks a second, in which /proc/<pid>/stat gives CPU time (USER_HZ: 100 on Linux). */
const TICKS_PER_S = 100;

const n0 = (n: number) => Math.round(n).toLocaleString('en-US');
const s1 = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

const SURNAMES = [...'王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗'];
const GIVEN = [...'伟芳娜敏静丽强磊军洋勇艳杰娟涛明超兰华平'];
const nameOf = (n: number) => SURNAMES[n % 20]! + GIVEN[Math.floor(n / 20) % 20]! + GIVEN[Math.floor(n / 400) % 20]!;

/** 20 bureaus under the top department, 19 offices under each: 400 departments, SIZES people in each in turn. */
function bigDirectory(): FakeDirectory {
  const departments: FakeDirectory['departments'] = [{ id: '1', parentId: null }];
  for (let b = 0; b < BUREAUS; b++) {
    const bureau = String(1_000 + b);
    departments.push({ id: bureau, parentId: '1' });
    for (let o = 0; o < OFFICES_PER_BUREAU; o++) departments.push({ id: String(100_000 + b * 100 + o), parentId: bureau });
  }
  const people: FakePerson[] = [];
  departments.slice(1).forEach((d, i) => {
    for (let k = 0; k < SIZES[i % SIZES.length]!; k++) {
      const n = people.length;
      people.push({
        userId: `user${String(n).padStart(5, '0')}`,
        name: nameOf(n),
        departments: [d.id],
        mobile: `139${String(n).padStart(8, '0')}`,
      });
    }
  });
  return { departments, people };
}

/** A platform's directory as the bench serves and maps it. */
interface Platform {
  name: string;
  channelId: string;
  channel: Record<string, unknown>;
  rate: RateWindow[];
  quotaPlatform: string;
  serve(fake: FakePlatform, directory: FakeDirectory): ServedDirectory;
}

const DINGTALK: Platform = {
  name: 'DingTalk',
  channelId: 'dt',
  channel: { platform: 'dingtalk', appKey: 'bench-dir-key', appSecret: 'bench-dir-secret', robotCode: 'bench-dir-robot' },
  rate: DINGTALK_DIRECTORY_RATE,
  quotaPlatform: 'dingtalk',
  serve: (fake, directory) => serveDingtalkDirectory(fake, directory),
};

const WECOM_APP_SECRET = 'bench-wecom-app-secret';
const WECOM_CONTACTS_SECRET = 'bench-wecom-contacts-secret';

const WECOM: Platform = {
  name: 'WeCom',
  channelId: 'wx',
  channel: {
    platform: 'wecom-app',
    corpId: 'ww-bench-dir',
    agentId: 1000002,
    secret: WECOM_APP_SECRET,
    contactsSecret: WECOM_CONTACTS_SECRET,
    token: 'bench-token',
    encodingAESKey: 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG',
  },
  rate: WECOM_DIRECTORY_RATE,
  quotaPlatform: 'wecom',
  serve: (fake, directory) => serveWecomDirectory(fake, directory, { appSecret: WECOM_APP_SECRET, contactsSecret: WECOM_CONTACTS_SECRET }),
};

/** The service process's CPU time (user + system) in ms, as process.cpuUsage() would give it inside. */
function cpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS_PER_S;
}

const status = (pid: number, field: string) =>
  Number(new RegExp(`^${field}:\\s*(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]) / 1024;

/**
 * Wall time, the service's CPU time and its peak RSS over `work`. The peak is the kernel's
 * high-water mark (VmHWM), set back to the RSS of the moment before (clear_refs 5): what
 * `process.resourceUsage().maxRSS` gives is the process's peak since it started.
 */
async function measured<T>(
  pid: number,
  work: () => Promise<T>,
): Promise<{ value: T; wallMs: number; cpuMs: number; rssMb: number; peakMb: number }> {
  writeFileSync(`/proc/${pid}/clear_refs`, '5');
  const rssMb = status(pid, 'VmRSS');
  const cpu = cpuMs(pid);
  const started = performance.now();
  const value = await work();
  return { value, wallMs: performance.now() - started, cpuMs: cpuMs(pid) - cpu, rssMb, peakMb: status(pid, 'VmHWM') };
}

/** The least time `n` calls of one API take under its windows, the first window empty. */
const leastMs = (n: number, windows: readonly RateWindow[]) =>
  Math.max(0, ...windows.map((w) => Math.floor((n - 1) / w.limit) * w.windowMs));
/** `n` calls at the rate of the shortest window (a second's on DingTalk, a minute's on WeCom). */
function atRateMs(n: number, windows: readonly RateWindow[]): number {
  const shortest = windows.reduce((a, b) => (b.windowMs < a.windowMs ? b : a));
  return (n / shortest.limit) * shortest.windowMs;
}

interface Preview {
  basis: string;
  newMembers: unknown[];
  renamed: unknown[];
  moved: unknown[];
  gone: unknown[];
  conflicts: unknown[];
  nameHidden: unknown[];
  returning: unknown[];
  emptyDepartments: unknown[];
}

const KINDS = ['newMembers', 'renamed', 'moved', 'gone', 'conflicts', 'nameHidden', 'returning', 'emptyDepartments'] as const;
const kinds = (p: Preview) => KINDS.map((k) => `${k} ${n0(p[k].length)}`).join(', ');

/** What a read of the directory asked of the platform: calls per API, and when the last one arrived. */
function callsOf(requests: RecordedRequest[]): { perPath: Map<string, number>; total: number; lastAt: number } {
  const perPath = new Map<string, number>();
  for (const r of requests) perPath.set(r.path, (perPath.get(r.path) ?? 0) + 1);
  return { perPath, total: requests.length, lastAt: Math.max(0, ...requests.map((r) => r.at)) };
}

/** The rows an apply of the whole directory must leave: a member and an account each, an entry each on the trail, and the apply's own. */
async function countRows(db: Kysely<Database>, org: string) {
  const n = async (q: Promise<{ n: number | string | bigint }>) => Number((await q).n);
  const members = db.selectFrom('members').where('org_id', '=', org);
  const trail = db.selectFrom('audit_log').where('org_id', '=', org);
  return {
    members: await n(members.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()),
    withMobile: await n(
      members
        .where('mobile', 'is not', null)
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow(),
    ),
    accounts: await n(
      db
        .selectFrom('member_accounts')
        .where('org_id', '=', org)
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow(),
    ),
    created: await n(
      trail
        .where('action', '=', 'member.create')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow(),
    ),
    applies: await n(
      trail
        .where('action', '=', 'directory.apply')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow(),
    ),
  };
}

/** The admin API of the service: JSON in, JSON out, any answer but 2xx thrown. */
function adminApi(base: string, token: string) {
  return async <T>(method: 'PUT' | 'POST' | 'GET', path: string, body?: unknown): Promise<T> => {
    const res = await fetch(`${base}/admin${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`${method} /admin${path} → ${res.status} ${text.slice(0, 500)}`);
    return JSON.parse(text) as T;
  };
}

type Admin = ReturnType<typeof adminApi>;

/** This month's API calls the service counted for the org on the platform. */
async function quotaUsed(admin: Admin, org: string, platform: string): Promise<number> {
  const health = await admin<{ quota?: { org: string; platform: string; kind: string; used: number }[] }>('GET', '/health');
  return health.quota?.find((q) => q.org === org && q.platform === platform && q.kind === 'api')?.used ?? 0;
}

type Measured<T> = Awaited<ReturnType<typeof measured<T>>>;

/** A read of the directory to a preview, through the admin API: measured, with the calls it made. */
type Read = Measured<Preview> & { calls: ReturnType<typeof callsOf> };

async function read(service: Child, admin: Admin, served: ServedDirectory, org: string): Promise<Read> {
  const before = served.calls().length;
  const run = await measured(service.pid, () => admin<Preview>('POST', `/orgs/${org}/directory/preview`));
  return { ...run, calls: callsOf(served.calls().slice(before)) };
}

/** What the documented rate alone asks of a read's calls, one API after the other: at its pace, and at the least. */
function rateAlone(platform: Platform, run: Read): { atRate: number; least: number } {
  const counts = [...run.calls.perPath.values()];
  return {
    atRate: counts.reduce((ms, n) => ms + atRateMs(n, platform.rate), 0),
    least: counts.reduce((ms, n) => ms + leastMs(n, platform.rate), 0),
  };
}

function printRead(label: string, platform: Platform, run: Read): void {
  const apis = [...run.calls.perPath].map(([path, n]) => `${path} ${n0(n)}`).join(', ');
  const { atRate, least } = rateAlone(platform, run);
  console.log(`  ${label}: ${n0(run.calls.total)} calls (${apis})`);
  console.log(
    `    wall ${s1(run.wallMs)}; the rate alone, one API after the other: ${s1(atRate)} (calls ÷ rate), ${s1(least)} at the least (a window's calls at once)`,
  );
  console.log(
    `    the service: CPU ${s1(run.cpuMs)} (${((run.cpuMs / run.wallMs) * 100).toFixed(0)}% of the wall), peak RSS ${run.peakMb.toFixed(0)} MB (${run.rssMb.toFixed(0)} MB before)`,
  );
}

/** A platform's figures, for the summary. */
interface Figures {
  platform: Platform;
  preview: Read;
  apply: Measured<unknown> & { readMs: number; writeMs: number; calls: number };
  second: Read;
}

/**
 * One platform's directory, with a database, a key prefix and a service process of its own: an org
 * with a branch for each department, a preview of it all (20,000 new members), its apply, and a
 * second preview. Returns its figures, and the counts that did not hold.
 */
async function benchPlatform(platform: Platform): Promise<{ figures: Figures | null; problems: string[] }> {
  const tag = randomBytes(4).toString('hex');
  const name = `tongxin_bench_dir_${tag}`;
  const prefix = `tongxin-bench-dir-${tag}`;
  const url = `${MYSQL}/${name}`;
  const token = randomBytes(16).toString('hex');
  const org = 'bench-org';
  const directory = bigDirectory();
  const people = directory.people.length;
  const departments = directory.departments.filter((d) => d.parentId !== null);
  const per = (ms: number) => (ms === 1_000 ? 'a second' : ms === 60_000 ? 'a minute' : ms === 3_600_000 ? 'an hour' : `in ${ms / 1000} s`);
  const rate = platform.rate.map((w, i) => `${n0(w.limit)}${i === 0 ? ' calls' : ''} ${per(w.windowMs)}`).join(' and ');
  console.log(
    `\n${platform.name}: ${n0(people)} people in ${departments.length} departments (${BUREAUS} under the top one, ${OFFICES_PER_BUREAU} under each), ` +
      `a branch for each; ${rate} an API`,
  );
  const fake = await startFakePlatform();
  const served = platform.serve(fake, directory);
  let service: Child | undefined;
  let db: Kysely<Database> | undefined;
  const problems: string[] = [];
  try {
    service = await startChild(
      `service (${platform.name} directory)`,
      'src/main.ts',
      {
        DATABASE_URL: url,
        ADMIN_TOKEN: token,
        ROLE: 'web',
        LOG_LEVEL: 'warn',
        QUEUE_PREFIX: prefix,
        REDIS_URL,
        DINGTALK_OAPI_BASE: fake.url,
        DINGTALK_API_BASE: fake.url,
        WECOM_API_BASE: fake.url,
      },
      '/healthz',
    );
    db = createDb(url);
    const admin = adminApi(service.base, token);
    await admin('PUT', `/orgs/${org}`, { name: '基准测试机关党委' });
    await admin('PUT', `/orgs/${org}/channels/${platform.channelId}`, platform.channel);
    const branchOf = (i: number) => `b${String(i).padStart(3, '0')}`;
    for (let i = 0; i < departments.length; i += PUTS_IN_FLIGHT)
      await Promise.all(
        departments
          .slice(i, i + PUTS_IN_FLIGHT)
          .map((_, j) => admin('PUT', `/orgs/${org}/branches/${branchOf(i + j)}`, { name: `第${i + j + 1}党支部` })),
      );
    // Written here, not through the admin API, which asks the platform about each department as it is saved.
    const now = Date.now();
    await db.transaction().execute(async (trx) => {
      for (const [i, d] of departments.entries())
        await putBranchDepartments(trx, org, branchOf(i), [{ channel: platform.channelId, departmentId: d.id, includeSub: false }], now);
    });

    const preview = await read(service, admin, served, org);
    printRead('preview', platform, preview);
    const bytes = Buffer.byteLength(JSON.stringify(preview.value));
    console.log(`    the preview: ${kinds(preview.value)}; ${(bytes / 1_048_576).toFixed(1)} MB of JSON`);
    if (preview.value.newMembers.length !== people)
      problems.push(`the preview has ${preview.value.newMembers.length} new members, not ${people}`);
    for (const k of KINDS.slice(1))
      if (preview.value[k].length > 0) problems.push(`the first preview lists ${preview.value[k].length} ${k}`);

    const before = served.calls().length;
    const startedAt = Date.now();
    const applied = await measured(service.pid, () =>
      admin<{ applied: { newMembers: number } }>('POST', `/orgs/${org}/directory/apply`, { preview: preview.value }),
    );
    const endedAt = Date.now();
    const again = callsOf(served.calls().slice(before));
    const apply = { ...applied, readMs: again.lastAt - startedAt, writeMs: endedAt - again.lastAt, calls: again.total };
    console.log(
      `  apply (target: under ${s1(APPLY_TARGET_MS)}): ${s1(apply.wallMs)} — the directory read again (${n0(apply.calls)} calls) ${s1(apply.readMs)}, ` +
        `then the preview computed again, compared and written in one transaction ${s1(apply.writeMs)}`,
    );
    console.log(`    the service: CPU ${s1(apply.cpuMs)}, peak RSS ${apply.peakMb.toFixed(0)} MB (${apply.rssMb.toFixed(0)} MB before)`);
    const rows = await countRows(db, org);
    console.log(
      `    rows: ${n0(rows.members)} members (${rows.withMobile} with a mobile number), ${n0(rows.accounts)} accounts; ` +
        `trail: ${n0(rows.created)} member.create, ${rows.applies} directory.apply`,
    );
    if (applied.value.applied.newMembers !== people) problems.push(`the apply says ${applied.value.applied.newMembers} new members`);
    if (rows.members !== people) problems.push(`${rows.members} members stored`);
    if (rows.withMobile !== 0) problems.push(`${rows.withMobile} members stored with the directory's mobile number`);
    if (rows.accounts !== people) problems.push(`${rows.accounts} member accounts stored`);
    if (rows.created !== people) problems.push(`${rows.created} member.create entries on the trail`);
    if (rows.applies !== 1) problems.push(`${rows.applies} directory.apply entries on the trail`);

    const second = await read(service, admin, served, org);
    printRead('second preview', platform, second);
    console.log(`    the preview: ${kinds(second.value)}`);
    for (const k of KINDS) if (second.value[k].length > 0) problems.push(`the second preview lists ${second.value[k].length} ${k}`);

    const used = await quotaUsed(admin, org, platform.quotaPlatform);
    const calls = preview.calls.total + apply.calls + second.calls.total;
    console.log(`  quota meter: ${n0(used)} API calls counted, ${n0(calls)} made`);
    if (used !== calls) problems.push(`the quota meter counted ${used} calls of ${calls}`);
    const log = service.lines();
    if (log.length > 0) console.log(`  service log (${log.length} lines at warn+), first 5:\n    ${log.slice(0, 5).join('\n    ')}`);
    return { figures: { platform, preview, apply, second }, problems };
  } catch (err) {
    const log = service?.lines() ?? [];
    if (log.length > 0) console.error(`  service log, last 5:\n    ${log.slice(-5).join('\n    ')}`);
    return { figures: null, problems: [...problems, err instanceof Error ? err.message : String(err)] };
  } finally {
    await db?.destroy();
    await service?.stop();
    await fake.close();
    await dropDatabase(name);
    await forgetKeys(prefix);
  }
}

async function dropDatabase(name: string): Promise<void> {
  const url = new URL(MYSQL);
  const conn = await createConnection({
    host: url.hostname,
    port: Number(url.port || 3306),
    user: decodeURIComponent(url.username) || 'root',
    password: decodeURIComponent(url.password) || undefined,
  });
  try {
    await conn.query(`DROP DATABASE IF EXISTS \`${name}\``);
  } finally {
    await conn.end();
  }
}

async function forgetKeys(prefix: string): Promise<void> {
  const redis = new Redis(REDIS_URL);
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1_000);
      cursor = next;
      if (keys.length) await redis.del(...keys);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}

function printSummary(all: Figures[]): void {
  const cell = (f: (x: Figures) => string) => all.map(f);
  const rows: [string, string[]][] = [
    ['calls a read', cell((x) => n0(x.preview.calls.total))],
    ['preview, wall', cell((x) => s1(x.preview.wallMs))],
    [
      'the rate alone (at the least)',
      cell((x) => `${s1(rateAlone(x.platform, x.preview).atRate)} (${s1(rateAlone(x.platform, x.preview).least)})`),
    ],
    ['the service: CPU, peak RSS', cell((x) => `${s1(x.preview.cpuMs)}, ${x.preview.peakMb.toFixed(0)} MB`)],
    ['apply, wall (target < 30 s)', cell((x) => s1(x.apply.wallMs))],
    ['  reading again', cell((x) => s1(x.apply.readMs))],
    ['  the transaction', cell((x) => s1(x.apply.writeMs))],
    ['second preview, wall', cell((x) => s1(x.second.wallMs))],
  ];
  const header = ['', ...all.map((x) => x.platform.name)];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map(([label, cells]) => (i === 0 ? label : cells[i - 1]!).length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  console.log('\nDirectory, 20,000 people in 400 departments, on MariaDB');
  console.log(`  ${line(header)}`);
  for (const [label, cells] of rows) console.log(`  ${line([label, ...cells])}`);
}

export async function runDirectoryBench(): Promise<boolean> {
  console.log(
    `\ndirectory bench — node ${process.version}, ${cpus().length} CPUs, MariaDB; the service in a child process, the fake platform in this one`,
  );
  const started = performance.now();
  const all: Figures[] = [];
  let ok = true;
  for (const platform of [DINGTALK, WECOM]) {
    const { figures, problems } = await benchPlatform(platform);
    if (figures) all.push(figures);
    for (const p of problems) console.error(`  FAIL (${platform.name}): ${p}`);
    ok = ok && problems.length === 0;
  }
  printSummary(all);
  console.log(`  whole directory bench: ${s1(performance.now() - started)}`);
  return ok;
}
