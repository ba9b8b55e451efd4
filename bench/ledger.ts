import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { openDb } from '../db/connect.ts';
import type { AttendanceTable, Database, MeetingTable, MemberRow } from '../db/schema.ts';
import { ledgerRoutes } from '../src/admin/ledger.ts';
import { loadConfig } from '../src/core/config.ts';
import { fromLocal } from '../src/domain/time.ts';
import type { Kysely } from 'kysely';

// The 台账 files at the size of a large 机关党委: the org overview of 1,000 branches ×
// 40 members with a quarter of meetings, streamed; and one branch's ledger (60 members, 30
// meetings), which must take under 2 s. Measured against a floor in the same run: reading the
// rows the overview is made from, without building the file. Timings are printed, never asserted;
// a file that cannot be read back fails the run.

const BRANCHES = 1_000;
const MEMBERS = 40;
const MEETINGS_PER_BRANCH = 6;
const TZ = 'Asia/Shanghai';
const at = (month: number, day: number) => fromLocal({ year: 2026, month, day, hour: 15 }, TZ);

async function seed(db: Kysely<Database>): Promise<void> {
  const now = at(9, 1);
  await db
    .insertInto('orgs')
    .values({ id: 'org', name: '机关工委', timezone: TZ, digest_cron: null, created_at: now, updated_at: now })
    .execute();
  const member = (branch: string, i: number): MemberRow => ({
    org_id: 'org',
    id: `${branch}-m${i}`,
    branch_id: branch,
    name: `党员${i}`,
    role: i === 0 ? 'secretary' : 'member',
    party_group: null,
    probationary: 0,
    mobile: null,
    status: 'active',
    left_at: null,
    left_reason: null,
    org_admin: 0,
    created_at: now,
    updated_at: now,
  });
  const meeting = (branch: string, k: number, members: number): { m: MeetingTable; a: AttendanceTable[] } => {
    const id = `${branch}-t${k}`;
    const startsAt = at(10 + Math.floor(k / 10), 1 + (k % 10) * 2);
    const m: MeetingTable = {
      id,
      org_id: 'org',
      branch_id: branch,
      code: `C${k}`,
      type: (['assembly', 'committee', 'lecture', 'theme_day'] as const)[k % 4]!,
      topic: '学习贯彻全会精神',
      location: '党员活动室',
      party_group: null,
      starts_at: startsAt,
      status: 'scheduled',
      status_note: null,
      tags: '["research"]',
      created_by: `${branch}-m0`,
      host_id: null,
      recorder_id: null,
      backfilled: 0,
      created_at: now,
      updated_at: now,
    };
    const a = Array.from({ length: members - 2 }, (_, i) => ({
      meeting_id: id,
      member_id: `${branch}-m${i}`,
      org_id: 'org',
      status: (i % 9 === 8 ? 'leave' : 'present') as AttendanceTable['status'],
      note: i % 9 === 8 ? '出差' : null,
      at: startsAt,
      source: null,
      makeup_note: null,
      makeup_at: null,
      updated_at: startsAt,
    }));
    return { m, a };
  };
  const insertBranch = async (q: Kysely<Database>, id: string, name: string, members: number, meetings: number) => {
    await q.insertInto('branches').values({ org_id: 'org', id, name, created_at: now, updated_at: now }).execute();
    await q
      .insertInto('members')
      .values(Array.from({ length: members }, (_, i) => member(id, i)))
      .execute();
    for (let k = 0; k < meetings; k++) {
      const { m, a } = meeting(id, k, members);
      await q.insertInto('meetings').values(m).execute();
      await q.insertInto('attendance').values(a).execute();
    }
  };
  await db.transaction().execute(async (trx) => {
    for (let b = 0; b < BRANCHES; b++)
      await insertBranch(trx, `b${String(b).padStart(4, '0')}`, `第${b + 1}党支部`, MEMBERS, MEETINGS_PER_BRANCH);
    await insertBranch(trx, 'big', '大支部', 60, 30);
  });
}

/** Reads a response body to its end, sampling the process's RSS: bytes, milliseconds, peak RSS growth (MB). */
async function consume(res: Response): Promise<{ bytes: number; ms: number; rssGrowthMb: number }> {
  const base = process.memoryUsage().rss;
  let peak = base;
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 20);
  const started = performance.now();
  let bytes = 0;
  try {
    const reader = res.body!.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      bytes += value.byteLength;
    }
  } finally {
    clearInterval(timer);
  }
  peak = Math.max(peak, process.memoryUsage().rss);
  return { bytes, ms: performance.now() - started, rssGrowthMb: (peak - base) / 1024 / 1024 };
}

export async function runLedgerBench(): Promise<boolean> {
  const dir = mkdtempSync(join(tmpdir(), 'tongxin-bench-ledger-'));
  const db = await openDb(`sqlite:${join(dir, 'ledger.db')}`);
  try {
    console.log(`\nledger bench — node ${process.version}, ${cpus().length} CPUs, SQLite temp file`);
    console.log(`  seeding ${BRANCHES} branches × ${MEMBERS} members, ${MEETINGS_PER_BRANCH} meetings each, and one branch of 60 × 30 …`);
    await seed(db);
    const config = loadConfig({ DATABASE_URL: 'sqlite::memory:' });
    const routes = ledgerRoutes({ db, clock: { now: () => at(12, 31) }, config, logger: pino({ level: 'silent' }) });

    let started = performance.now();
    const rows = await db.selectFrom('meetings').select(['id', 'branch_id', 'type', 'tags', 'starts_at']).execute();
    const members = await db.selectFrom('members').select(['id', 'branch_id']).execute();
    const floorMs = performance.now() - started;

    const overview = await consume(await routes.request('/orgs/org/ledger.xlsx?quarter=2026-Q4'));
    started = performance.now();
    const branch = await consume(await routes.request('/orgs/org/branches/big/ledger.xlsx?quarter=2026-Q4'));
    const branchMs = performance.now() - started;
    const ok = overview.bytes > 10_000 && branch.bytes > 5_000;
    console.log(`  floor: reading ${rows.length} meetings and ${members.length} members: ${floorMs.toFixed(0)} ms`);
    console.log(
      `  org overview, ${BRANCHES + 1} branches: ${overview.ms.toFixed(0)} ms (${(overview.ms / floorMs).toFixed(1)}× the floor), ` +
        `${(overview.bytes / 1024).toFixed(0)} KiB, peak RSS growth ${overview.rssGrowthMb.toFixed(0)} MB`,
    );
    console.log(
      `  one branch's ledger, 60 members × 30 meetings: ${branchMs.toFixed(0)} ms (target: under 2 s), ${(branch.bytes / 1024).toFixed(0)} KiB`,
    );
    if (!ok) console.error('  a ledger file came out empty');
    return ok;
  } finally {
    await db.destroy();
    rmSync(dir, { recursive: true, force: true });
  }
}
