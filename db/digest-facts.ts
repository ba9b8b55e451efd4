import type { Compilable } from 'kysely';
import type { WorkCalendar } from '../src/domain/calendar.ts';
import type { DigestBranchFacts, DigestMember, DigestWindow } from '../src/domain/digest/types.ts';
import { rosterTerms } from '../src/domain/meetings.ts';
import { digestWindow } from '../src/domain/digest/window.ts';
import { periodRange } from '../src/domain/time.ts';
import { loadWorkCalendar } from './calendar.ts';
import { counted, evidence, meetingOf } from './meetings.ts';
import { getOrg } from './orgs.ts';
import { reportOf } from './reports.ts';
import { KeyCursor, rowChunks } from './row-chunks.ts';
import { accountsOf, membersWithAccounts } from './members.ts';
import type { Db, Member, MemberMoveTable, MemberRow } from './schema.ts';
import { DAY_MS } from '../src/core/duration.ts';

const MEMBER_COLUMNS = ['m.id', 'm.name', 'm.role', 'm.party_group', 'm.probationary', 'm.left_at', 'm.branch_id'] as const;
/** Scheduled meetings this far past the week still count as "next". */
const NEXT_HORIZON_MS = 183 * DAY_MS;

/**
 * The facts of every branch of an org (or one branch) for a digest window, one branch at a time,
 * from seven queries whatever the number of branches, members, meetings or reports: the same code
 * serves one branch (preview, 周报) and a whole org (the weekly run). Only what the figures read is
 * loaded: the attendance of the week's and the week before's meetings, the reports of those two
 * weeks, and of the two weeks before them only who reported, a row a member; and the members who
 * ever moved, with their moves, so that each branch's roster is the one of its week. On MariaDB the queries
 * stream side by side, four of them in branch order, so that a run holds one branch's facts and a
 * few hundred rows of each query ahead (1,000 branches of 40 members in a fixed few megabytes); SQLite's one connection cannot hold several open statements, so there they are read
 * whole, as an embedded deployment's org is small.
 */
export async function* eachBranchFacts(db: Db, orgId: string, window: DigestWindow, branchId?: string): AsyncGenerator<DigestBranchFacts> {
  const meetingsFrom = Math.min(periodRange('quarter', window.from, window.tz).from, window.previousFrom);
  // The four weeks ending at the week's end, or at now while the week runs.
  const reportersFrom = Math.min(window.to, window.asOf + 1) - 28 * DAY_MS;

  let branchQuery = db.selectFrom('branches').select(['id', 'name']).where('org_id', '=', orgId);
  let memberQuery = membersWithAccounts(db).select(MEMBER_COLUMNS).where('m.org_id', '=', orgId);
  let meetingQuery = db
    .selectFrom('meetings')
    .select(['id', 'code', 'type', 'topic', 'party_group', 'starts_at', 'status', 'tags', 'backfilled', 'branch_id'])
    .select(evidence)
    .where('org_id', '=', orgId)
    .where('starts_at', '>=', meetingsFrom)
    .where('starts_at', '<', window.to + NEXT_HORIZON_MS);
  let attendanceQuery = db
    .selectFrom('attendance')
    .innerJoin('meetings', 'meetings.id', 'attendance.meeting_id')
    .select([
      'attendance.meeting_id',
      'attendance.member_id',
      'attendance.status',
      'attendance.note',
      'attendance.makeup_at',
      'meetings.branch_id',
    ])
    .where('meetings.org_id', '=', orgId)
    .where('meetings.starts_at', '>=', window.previousFrom)
    .where('meetings.starts_at', '<', window.to);
  let reportQuery = db
    .selectFrom('service_reports')
    .select(['id', 'member_id', 'category', 'text', 'tags', 'at', 'branch_id'])
    .where('org_id', '=', orgId)
    .where('at', '>=', window.previousFrom)
    .where('at', '<', window.to);
  let reporterQuery = db
    .selectFrom('service_reports')
    .select(['branch_id', 'member_id', 'at'])
    .where('org_id', '=', orgId)
    .where('at', '>=', reportersFrom)
    .where('at', '<', window.previousFrom);
  if (branchId !== undefined) {
    branchQuery = branchQuery.where('id', '=', branchId);
    memberQuery = memberQuery.where('m.branch_id', '=', branchId);
    meetingQuery = meetingQuery.where('branch_id', '=', branchId);
    attendanceQuery = attendanceQuery.where('meetings.branch_id', '=', branchId);
    reportQuery = reportQuery.where('branch_id', '=', branchId);
    reporterQuery = reporterQuery.where('branch_id', '=', branchId);
  }
  // Every query in the branches' order (binary collation on both dialects, as JS compares ids).
  const branches = await branchQuery.orderBy('id').execute();
  // Read whole before the streams open (SQLite holds one statement at a time): moves are few.
  const moved = await movedMembers(db, orgId, branchId);
  const read = <R extends { branch_id: string }>(query: Compilable<R>) => new KeyCursor(rowChunks(db, query, STREAM_CHUNK), 'branch_id');
  const cursors = {
    members: read(memberQuery.orderBy('m.branch_id').orderBy('m.id')),
    meetings: read(meetingQuery.orderBy('branch_id').orderBy('starts_at').orderBy('id')),
    attendance: read(attendanceQuery.orderBy('meetings.branch_id')),
    // computeDigest orders what it shows; the order here is only the branches'.
    reports: read(reportQuery.orderBy('branch_id')),
  };
  // Who reported before is read in the index's order and kept a member each: asked in the branches'
  // order, MariaDB sorted the row ids and read every row again from the table (the digest bench's
  // fortnight from a cold buffer pool: 1,899 pages read against 420).
  const earlier = latestByBranch(rowChunks(db, reporterQuery, STREAM_CHUNK));
  earlier.catch(() => undefined); // awaited below; a cursor failing first must not leave it unhandled
  try {
    for (const branch of branches) {
      const [members, meetings, attendance, reports, reporters] = await Promise.all([
        cursors.members.take(branch.id),
        cursors.meetings.take(branch.id),
        cursors.attendance.take(branch.id),
        cursors.reports.take(branch.id),
        earlier,
      ]);
      const earlierReporters = [...(reporters.get(branch.id) ?? [])].map(([member_id, at]) => ({ member_id, at }));
      reporters.delete(branch.id);
      yield {
        branch,
        members: moved.roster(branch.id, members.map(digestMember)),
        meetings: meetings.map((m) => meetingOf(counted(m))),
        attendance,
        reports: reports.map(reportOf),
        earlierReporters,
      };
    }
    for (const [name, cursor] of Object.entries(cursors)) {
      if (await cursor.hasMore()) throw new Error(`digest facts: ${name} rows of a branch not in the org's list, or out of branch order`);
    }
  } finally {
    await Promise.all([...Object.values(cursors).map((c) => c.close()), earlier.catch(() => undefined)]);
  }
}

/**
 * The members of the org (or of those who moved to or from `branchId`) who ever moved between
 * branches, with their moves: a digest computed again after a move reads the roster of the week,
 * as the 会议记录 do (listBranchRosters), so she stays under the branch she was in. A member's
 * moves to and from one branch are enough to tell her terms in it (rosterTerms).
 */
async function movedMembers(db: Db, orgId: string, branchId?: string) {
  // One statement: each move with its member's row (a member who moved twice comes twice).
  let query = membersWithAccounts(db)
    .innerJoin('member_moves', (join) => join.onRef('m.id', '=', 'member_moves.member_id').onRef('m.org_id', '=', 'member_moves.org_id'))
    .select(MEMBER_COLUMNS)
    .select(['member_moves.at', 'member_moves.from_branch', 'member_moves.to_branch'])
    .where('member_moves.org_id', '=', orgId);
  if (branchId !== undefined)
    query = query.where((eb) => eb.or([eb('member_moves.from_branch', '=', branchId), eb('member_moves.to_branch', '=', branchId)]));
  const moves = new Map<string, Pick<MemberMoveTable, 'at' | 'from_branch' | 'to_branch'>[]>();
  const members = new Map<string, DigestMember & Pick<Member, 'branch_id'>>();
  for (const { at, from_branch, to_branch, ...row } of await query.orderBy('member_moves.at').execute()) {
    moves.set(row.id, [...(moves.get(row.id) ?? []), { at, from_branch, to_branch }]);
    members.set(row.id, { ...digestMember(row), branch_id: row.branch_id });
  }
  const away = [...members.values()];
  return {
    /** The branch's roster over time: its members now (as read) and those who moved away from it, each who moved with her terms. */
    roster(branch: string, current: DigestMember[]): DigestMember[] {
      const gone = away.filter((m) => m.branch_id !== branch && moves.get(m.id)!.some((move) => move.from_branch === branch));
      if (gone.length === 0 && !current.some((m) => moves.has(m.id))) return current;
      const withTerms = (m: DigestMember, now: Pick<Member, 'branch_id'>) => {
        const own = moves.get(m.id);
        return own ? { ...m, terms: rosterTerms(branch, now, own) } : m;
      };
      return [...current.map((m) => withTerms(m, { branch_id: branch })), ...gone.map((m) => withTerms(m, m))].sort((a, b) =>
        a.id < b.id ? -1 : a.id > b.id ? 1 : 0,
      );
    },
  };
}

type MemberColumns = Pick<MemberRow, 'id' | 'name' | 'role' | 'party_group' | 'probationary' | 'left_at'> & {
  dingtalk: string | null;
  wecom: string | null;
};

const digestMember = (r: MemberColumns): DigestMember => ({
  id: r.id,
  name: r.name,
  role: r.role,
  party_group: r.party_group,
  probationary: Number(r.probationary) === 1,
  accounts: accountsOf(r),
  left_at: r.left_at,
});

/**
 * The time of each member's latest report, by branch and member: grouped here, not by the query, as
 * MariaDB's GROUP BY of a fortnight's reports (78,000 in the digest bench) spent 0.6 s in a
 * temporary table.
 */
async function latestByBranch(
  chunks: AsyncGenerator<{ branch_id: string; member_id: string; at: number }[]>,
): Promise<Map<string, Map<string, number>>> {
  const branches = new Map<string, Map<string, number>>();
  for await (const chunk of chunks) {
    for (const r of chunk) {
      let latest = branches.get(r.branch_id);
      if (!latest) {
        latest = new Map();
        branches.set(r.branch_id, latest);
      }
      if ((latest.get(r.member_id) ?? -Infinity) < r.at) latest.set(r.member_id, r.at);
    }
  }
  return branches;
}

/** The facts of every branch of an org (or one) at once: for a page or a chat answer about a branch or a few. */
export async function loadDigestFacts(db: Db, orgId: string, window: DigestWindow, branchId?: string): Promise<DigestBranchFacts[]> {
  const all: DigestBranchFacts[] = [];
  for await (const facts of eachBranchFacts(db, orgId, window, branchId)) all.push(facts);
  return all;
}

/**
 * Rows a MariaDB stream hands over at a time: a branch's rows are mostly taken without waiting
 * (the digest bench's run, repeated: 1.2 s and 175 MB peak RSS at 500, 1.3 s and 205 MB at 2,000).
 */
const STREAM_CHUNK = 500;

export interface OrgDigestInput {
  window: DigestWindow;
  branches: DigestBranchFacts[];
  calendar: WorkCalendar;
}

/** Everything the week's digests of an org (or of one branch) are made from; null for an unknown org or week. */
export async function loadDigestInput(db: Db, orgId: string, week: string, now: number, branchId?: string): Promise<OrgDigestInput | null> {
  const input = await streamDigestInput(db, orgId, week, now, branchId);
  if (!input) return null;
  const branches: DigestBranchFacts[] = [];
  for await (const facts of input.branches) branches.push(facts);
  return { ...input, branches };
}

/** As loadDigestInput, the branches' facts one at a time (the weekly run of a whole org). */
export async function streamDigestInput(
  db: Db,
  orgId: string,
  week: string,
  now: number,
  branchId?: string,
): Promise<(Omit<OrgDigestInput, 'branches'> & { branches: AsyncGenerator<DigestBranchFacts> }) | null> {
  const org = await getOrg(db, orgId);
  const window = org && digestWindow(week, org.timezone, now);
  if (!window) return null;
  return { window, calendar: await loadWorkCalendar(db), branches: eachBranchFacts(db, orgId, window, branchId) };
}
