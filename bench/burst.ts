import { randomBytes } from 'node:crypto';
import { Agent, request } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Kysely } from 'kysely';
import { type Dialect, createDb } from '../db/connect.ts';
import type { Database, MeetingTable, MemberRow } from '../db/schema.ts';
import { signer } from './scenarios.ts';
import { dingtalkCallback } from '../test/helpers/dingtalk.ts';
import { CONNECTIONS, ORG, type Put } from './webhook.ts';

// A burst of 签到: 400 meetings × 50 members all checking in through the DingTalk
// webhook with CONNECTIONS callbacks in flight, each 503 sent again as the platform would, until every
// one is answered 2xx; then the attendance rows are counted. Autocannon cannot retry, hence this driver.

const BRANCHES = 400;
const MEMBERS = 50;
export const CALLBACKS = BRANCHES * MEMBERS;
const CHANNEL = 'dt-burst';
/** The pause before a 503 is sent again. */
const RETRY_MIN_MS = 50;
const RETRY_MAX_MS = 200;
/** A callback still answered 503 after this many attempts fails and ends the burst, so that a service that never recovers cannot hang the bench. */
const MAX_ATTEMPTS = 50;
/** The burst's start, when every branch's roster and meeting is read for the first time: its p99 is printed apart. */
const START_MS = 2000;
/** Rows a multi-row INSERT carries: well under MariaDB's and SQLite's limits on placeholders. */
const CHUNK = 1000;

const branchId = (b: number) => `burst-${b}`;
const memberId = (b: number, m: number) => `burst-${b}-m${m}`;
const staffId = (b: number, m: number) => `burst${b}u${m}`;
const memberName = (m: number) => `党员${m + 1}`;

/** One check-in as it goes on the wire, and what must be stored for it. */
interface Callback {
  msgId: string;
  body: Buffer;
  meetingId: string;
  memberId: string;
  name: string;
}

/**
 * 400 branches, each bound to its own group chat of the channel, 50 members each with a DingTalk
 * user id, and one meeting per branch starting in 5 minutes (check-in opens 30 minutes before,
 * CHECKIN_OPENS): straight into the database the service has migrated, which reads them per message.
 * No meeting_reminders rows, so nothing is sent to the platforms.
 */
async function seed(db: Kysely<Database>, now: number): Promise<void> {
  const stamps = { created_at: now, updated_at: now };
  const branches = Array.from({ length: BRANCHES }, (_, b) => ({ org_id: ORG, id: branchId(b), name: `签到第${b + 1}支部`, ...stamps }));
  const chats = branches.map((branch, b) => ({
    channel_id: CHANNEL,
    chat_id: `cidBurst${b}==`,
    org_id: ORG,
    branch_id: branch.id,
    webhook: null,
    secret: null,
    created_at: now,
  }));
  const members = branches.flatMap((branch, b) =>
    Array.from(
      { length: MEMBERS },
      (_, m): MemberRow => ({
        org_id: ORG,
        id: memberId(b, m),
        branch_id: branch.id,
        name: memberName(m),
        role: m === 0 ? 'secretary' : 'member',
        party_group: null,
        probationary: 0,
        mobile: null,
        status: 'active',
        left_at: null,
        left_reason: null,
        org_admin: 0,
        ...stamps,
      }),
    ),
  );
  const accounts = branches.flatMap((_, b) =>
    Array.from({ length: MEMBERS }, (_, m) => ({
      org_id: ORG,
      member_id: memberId(b, m),
      platform: 'dingtalk' as const,
      user_id: staffId(b, m),
    })),
  );
  const meetings = branches.map(
    (branch): MeetingTable => ({
      id: branch.id,
      org_id: ORG,
      branch_id: branch.id,
      code: 'QD',
      type: 'assembly',
      topic: '学习贯彻全会精神',
      location: '党员活动室',
      party_group: null,
      starts_at: now + 5 * 60_000,
      status: 'scheduled',
      status_note: null,
      tags: '[]',
      created_by: null,
      host_id: null,
      recorder_id: null,
      backfilled: 0,
      ...stamps,
    }),
  );
  await db.transaction().execute(async (trx) => {
    await trx.insertInto('branches').values(branches).execute();
    await trx.insertInto('branch_chats').values(chats).execute();
    for (let i = 0; i < members.length; i += CHUNK)
      await trx
        .insertInto('members')
        .values(members.slice(i, i + CHUNK))
        .execute();
    for (let i = 0; i < accounts.length; i += CHUNK)
      await trx
        .insertInto('member_accounts')
        .values(accounts.slice(i, i + CHUNK))
        .execute();
    await trx.insertInto('meetings').values(meetings).execute();
  });
}

/** Every member's `@党建助手 签到` from their branch's chat, round-robin over the branches as a building's meetings fill up at once. */
function callbacks(prefix: string): Callback[] {
  const list: Callback[] = [];
  for (let m = 0; m < MEMBERS; m++) {
    for (let b = 0; b < BRANCHES; b++) {
      const msgId = `${prefix}-${b}-${m}`;
      const callback = dingtalkCallback('@党建助手 签到', {
        msgId,
        conversationId: `cidBurst${b}==`,
        conversationTitle: `签到第${b + 1}支部`,
        senderStaffId: staffId(b, m),
        senderNick: memberName(m),
      });
      list.push({
        msgId,
        body: Buffer.from(JSON.stringify(callback)),
        meetingId: branchId(b),
        memberId: memberId(b, m),
        name: memberName(m),
      });
    }
  }
  return list;
}

interface Answer {
  status: number;
  body: string;
}

function post(agent: Agent, url: URL, headers: Record<string, string>, body: Buffer): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        agent,
        host: url.hostname,
        port: url.port,
        path: url.pathname,
        method: 'POST',
        headers: { ...headers, 'content-length': body.length },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** Whether a 2xx answer is the check-in of `name` (a refusal is answered 200 too). */
function checkedIn(body: string, name: string): boolean {
  try {
    return (JSON.parse(body) as { markdown?: { text?: string } }).markdown?.text?.includes(`${name} 已签到`) === true;
  } catch {
    return false;
  }
}

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0;
const ms = (n: number) => `${Number(n.toFixed(2))} ms`;

export interface BurstResult {
  rps: number;
  /** Of every attempt answered, 503s included. */
  p99: number;
  /** Correctness: every callback answered 2xx as a check-in, one attendance row each, nothing else. */
  ok: boolean;
}

/**
 * Seeds the burst's org data into `url` (the service's database, migrated), sends the 20,000
 * callbacks to the service at `base` and checks the attendance rows; prints its table, with the
 * one-INSERT floor's p99 at the same connections (`floorP99`, from this dialect's 汇报 runs) next to it.
 */
export async function checkinBurst(
  base: string,
  url: string,
  dialect: Dialect,
  put: Put,
  floorP99: number | undefined,
): Promise<BurstResult> {
  const appSecret = randomBytes(24).toString('base64url');
  await put(`/orgs/${ORG}/channels/${CHANNEL}`, { platform: 'dingtalk', appKey: 'burst-key', appSecret, robotCode: 'burst-robot' });
  const db = createDb(url);
  try {
    const seeding = performance.now();
    await seed(db, Date.now());
    const seedSeconds = (performance.now() - seeding) / 1000;
    const list = callbacks(`burst-${randomBytes(4).toString('hex')}`);
    // Each callback signed at a millisecond of its own, as DingTalk does; a retry is signed anew.
    const signed = signer(appSecret);
    const target = new URL(`${base}/webhooks/dingtalk/${CHANNEL}`);
    const agent = new Agent({ keepAlive: true, maxSockets: CONNECTIONS });

    const latencies: number[] = [];
    /** Of the attempts sent in the first START_MS, and of those sent after. */
    const early: number[] = [];
    const late: number[] = [];
    let status503 = 0;
    let retries = 0;
    let answered2xx = 0;
    const failures: string[] = [];
    const refusals: string[] = [];
    let next = 0;
    let givenUp = false;
    let started = 0;
    const sender = async () => {
      for (let i = next++; i < list.length && !givenUp; i = next++) {
        const call = list[i]!;
        for (let attempt = 1; ; attempt++) {
          const sent = performance.now();
          let answer: Answer;
          try {
            answer = await post(agent, target, { 'content-type': 'application/json', ...signed() }, call.body);
          } catch (err) {
            failures.push(`${call.msgId}: ${(err as Error).message}`);
            break;
          }
          const latency = performance.now() - sent;
          latencies.push(latency);
          (sent - started < START_MS ? early : late).push(latency);
          if (answer.status === 503) status503++;
          if (answer.status === 503 && attempt < MAX_ATTEMPTS) {
            retries++;
            await sleep(RETRY_MIN_MS + Math.random() * (RETRY_MAX_MS - RETRY_MIN_MS));
            continue;
          }
          if (answer.status === 503) givenUp = true;
          if (answer.status < 200 || answer.status >= 300) failures.push(`${call.msgId}: ${answer.status} ${answer.body.slice(0, 200)}`);
          else if (!checkedIn(answer.body, call.name)) refusals.push(`${call.msgId}: ${answer.body.slice(0, 300)}`);
          else answered2xx++;
          break;
        }
      }
    };
    started = performance.now();
    await Promise.all(Array.from({ length: CONNECTIONS }, sender));
    const wallSeconds = (performance.now() - started) / 1000;
    agent.destroy();
    const unsent = list.length - answered2xx - refusals.length - failures.length;

    // A 2xx comes after its commit (a 503's late commit is found by its retry): unless the burst was given up, nothing is still to come.
    const rows = await db
      .selectFrom('attendance')
      .select(['meeting_id', 'member_id', 'status', 'source'])
      .where('meeting_id', 'like', 'burst-%')
      .execute();
    const stored = new Map(rows.map((r) => [`${r.meeting_id} ${r.member_id}`, r]));
    const lost = list.filter((c) => !stored.has(`${c.meetingId} ${c.memberId}`)).length;
    const doubled = rows.length - stored.size;
    const sources = new Map(list.map((c) => [`${c.meetingId} ${c.memberId}`, c.msgId]));
    const wrong = rows.filter((r) => r.status !== 'present' || r.source !== sources.get(`${r.meeting_id} ${r.member_id}`)).length;

    for (const times of [latencies, early, late]) times.sort((a, b) => a - b);
    const result = { rps: answered2xx / wallSeconds, p99: percentile(latencies, 99), ok: false };
    console.log(
      `\n签到 burst on ${dialect === 'sqlite' ? 'SQLite (temp file)' : 'MariaDB'} — ${BRANCHES} meetings × ${MEMBERS} members, ` +
        `${list.length} callbacks through the DingTalk webhook, ${CONNECTIONS} in flight, a 503 sent again after ${RETRY_MIN_MS}–${RETRY_MAX_MS} ms`,
    );
    const table: [string, string][] = [
      ['seeded', `${seedSeconds.toFixed(1)} s (branches, chats, members, meetings by multi-row INSERT)`],
      ['wall time', `${wallSeconds.toFixed(1)} s`],
      ['req/s', `${result.rps.toFixed(0)}  (check-ins answered 2xx per second of wall time)`],
      ['p50 / p99', `${ms(percentile(latencies, 50))} / ${ms(result.p99)}  (of all ${latencies.length} attempts answered, 503s included)`],
      [
        `p99 first ${START_MS / 1000} s / after`,
        `${ms(percentile(early, 99))} / ${ms(percentile(late, 99))}  (every branch read for the first time; the rest)`,
      ],
      ['503s / retries', `${status503} / ${retries}`],
      [
        'floor p99',
        floorP99 === undefined ? '— (not measured)' : `${ms(floorP99)}  (one INSERT, ${CONNECTIONS} connections, this dialect)`,
      ],
    ];
    for (const [k, v] of table) console.log(`  ${k.padEnd(24)} ${v}`);
    console.log(
      `  check: answered 2xx as a check-in ${answered2xx} of ${list.length}, other 2xx ${refusals.length}, failed ${failures.length}, not sent ${unsent}; ` +
        `attendance rows ${rows.length}, distinct (meeting, member) ${stored.size}, lost ${lost}, doubled ${doubled}, wrong status or source ${wrong}`,
    );
    const problems = [
      failures.length > 0 && `${failures.length} callbacks never answered 2xx, first: ${failures[0]}`,
      givenUp && `given up after a callback was answered 503 ${MAX_ATTEMPTS} times; ${unsent} callbacks not sent`,
      refusals.length > 0 && `${refusals.length} 2xx answers were not a check-in, first: ${refusals[0]}`,
      rows.length !== list.length && `${rows.length} attendance rows for ${list.length} check-ins`,
      lost > 0 && `${lost} check-ins stored no attendance`,
      doubled > 0 && `${doubled} (meeting, member) stored twice`,
      wrong > 0 && `${wrong} attendance rows not present or not from their callback`,
    ].filter((p): p is string => typeof p === 'string');
    for (const p of problems) console.error(`  FAIL (签到 burst, ${dialect}): ${p}`);
    result.ok = problems.length === 0;
    return result;
  } finally {
    await db.destroy();
  }
}
