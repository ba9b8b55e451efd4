import type { Evidence } from '../src/domain/meetings.ts';
import { type ExpressionBuilder, sql } from 'kysely';
import type { AttendanceStatus, Database, Db, Meeting, MeetingTable } from './schema.ts';
import { heldRows } from './staging.ts';
import { storedTags, tagsColumn } from './tags.ts';
import { isMysqlDb } from './upsert.ts';

/** A meeting with what shows it took place: how many were present, how many 纪要 it has. */
export type MeetingWithEvidence = Meeting & Evidence;

/** A meeting's row (or some of its columns) as the domain reads it: tags decoded, 补录 a boolean. */
export const meetingOf = <R extends Pick<MeetingTable, 'tags' | 'backfilled'>>(
  row: R,
): Omit<R, 'tags' | 'backfilled'> & Pick<Meeting, 'tags' | 'backfilled'> => ({
  ...row,
  tags: storedTags(row.tags),
  backfilled: row.backfilled === 1,
});

const storedMeeting = (meeting: Meeting): MeetingTable => ({
  ...meeting,
  tags: tagsColumn(meeting.tags),
  backfilled: meeting.backfilled ? 1 : 0,
});

/** The evidence counts of each meeting selected: correlated subqueries on indexed keys. */
export const evidence = (eb: ExpressionBuilder<Database, 'meetings'>) => [
  eb
    .selectFrom('attendance')
    .select(eb.fn.countAll().as('n'))
    .whereRef('attendance.meeting_id', '=', 'meetings.id')
    .where('attendance.status', '=', 'present')
    .as('present'),
  eb.selectFrom('meeting_notes').select(eb.fn.countAll().as('n')).whereRef('meeting_notes.meeting_id', '=', 'meetings.id').as('notes'),
];

const meetingsWithEvidence = (db: Db) => db.selectFrom('meetings').selectAll('meetings').select(evidence);

/** Evidence counts as numbers (Kysely types a count as a string, a number or a bigint). */
export const counted = <R extends { present: unknown; notes: unknown }>(row: R): Omit<R, 'present' | 'notes'> & Evidence => ({
  ...row,
  present: Number(row.present),
  notes: Number(row.notes),
});

const withEvidence = (row: MeetingTable & { present: unknown; notes: unknown }): MeetingWithEvidence => meetingOf(counted(row));

export async function insertMeeting(db: Db, meeting: Meeting): Promise<void> {
  await db.insertInto('meetings').values(storedMeeting(meeting)).execute();
}

/** The branch's most recent meeting with this code (codes are unique among recent meetings). */
export async function getMeetingByCode(db: Db, orgId: string, branchId: string, code: string): Promise<MeetingWithEvidence | undefined> {
  const row = await meetingsWithEvidence(db)
    .where('org_id', '=', orgId)
    .where('branch_id', '=', branchId)
    .where('code', '=', code)
    .orderBy('starts_at', 'desc')
    .executeTakeFirst();
  return row && withEvidence(row);
}

/** The branches' meetings starting in [from, to). */
const startingIn =
  (orgId: string, branchIds: readonly string[], from: number, to: number) => (eb: ExpressionBuilder<Database, 'meetings'>) =>
    eb.and([
      eb('meetings.org_id', '=', orgId),
      eb('meetings.branch_id', 'in', branchIds),
      eb('meetings.starts_at', '>=', from),
      eb('meetings.starts_at', '<', to),
    ]);

/** The branch's meetings starting in [from, to), earliest first. */
export async function listBranchMeetings(
  db: Db,
  orgId: string,
  branchId: string,
  from: number,
  to: number,
): Promise<MeetingWithEvidence[]> {
  const rows = await meetingsWithEvidence(db)
    .where(startingIn(orgId, [branchId], from, to))
    .orderBy('starts_at')
    .orderBy('id')
    .execute();
  return rows.map(withEvidence);
}

/**
 * The start and status of these meetings as last committed, kept so until the transaction ends: on
 * MySQL a shared lock, which a 改期 or 取消 then waits for (and a plain read there would give the
 * transaction's earlier snapshot). Null on SQLite, whose transactions run one at a time.
 */
export async function lockMeetings(db: Db, ids: readonly string[]): Promise<Map<string, Pick<Meeting, 'starts_at' | 'status'>> | null> {
  if (!isMysqlDb(db)) return null;
  if (ids.length === 0) return new Map();
  const rows = await db
    .selectFrom('meetings')
    .select(['id', 'starts_at', 'status'])
    .where('id', 'in', [...ids])
    .modifyEnd(sql`lock in share mode`)
    .execute();
  return new Map(rows.map((r) => [r.id, { starts_at: r.starts_at, status: r.status }]));
}

/** The ids of the members with `status` at the meeting of the row, joined by commas. */
const idsWith = (eb: ExpressionBuilder<Database, 'meetings'>, status: AttendanceStatus) =>
  eb
    .selectFrom('attendance')
    .select(sql<string | null>`group_concat(attendance.member_id)`.as('ids'))
    .whereRef('attendance.meeting_id', '=', 'meetings.id')
    .where('attendance.status', '=', status);

/** A meeting and the ids of the members marked present at it, and of those on leave. */
export interface MeetingPresent {
  meeting: Meeting;
  present: readonly string[];
  /** 签到 over a leave withdraws it, and says so. */
  leave: readonly string[];
}

/**
 * The branch's meetings starting in [from, to), earliest first, each with the ids of the members
 * marked present: 签到 reads both in one statement, so a burst of check-ins costs one read each.
 */
export async function listBranchMeetingsPresent(
  db: Db,
  orgId: string,
  branchId: string,
  from: number,
  to: number,
): Promise<MeetingPresent[]> {
  return (await listBranchesMeetingsPresent(db, orgId, [branchId], from, to)).get(branchId) ?? [];
}

/**
 * listBranchMeetingsPresent for several branches of an org in one statement, by branch id: a batch
 * of 签到 from many branches reads them together. The ids come joined in one column, not as a row
 * each: a meeting's columns would come again on every row, and the 50th check-in of a meeting would
 * read 50 of them. Member ids hold no comma (admin/http.ts ID).
 */
export async function listBranchesMeetingsPresent(
  db: Db,
  orgId: string,
  branchIds: readonly string[],
  from: number,
  to: number,
): Promise<Map<string, MeetingPresent[]>> {
  const rows = await db
    .selectFrom('meetings')
    .selectAll('meetings')
    .select((eb) => idsWith(eb, 'present').as('present_ids'))
    .select((eb) => idsWith(eb, 'leave').as('leave_ids'))
    .where(startingIn(orgId, branchIds, from, to))
    .orderBy('meetings.starts_at')
    .orderBy('meetings.id')
    .execute();
  const byBranch = new Map<string, MeetingPresent[]>(branchIds.map((id) => [id, []]));
  const ids = (joined: string | null) => (joined ? joined.split(',') : []);
  for (const { present_ids, leave_ids, ...meeting } of rows)
    byBranch.get(meeting.branch_id)!.push({ meeting: meetingOf(meeting), present: ids(present_ids), leave: ids(leave_ids) });
  return byBranch;
}

/**
 * `rows` with the attendance marks `db` holds back (db/staging.ts) applied, as they will be written:
 * a member marked present is present and not on leave, one marked otherwise neither.
 */
export function withHeldMarks(db: Db, rows: readonly MeetingPresent[]): readonly MeetingPresent[] {
  const held = heldRows(db);
  if (!held) return rows;
  const marks = new Map<string, { member: string; status: AttendanceStatus }[]>();
  for (const { table, row } of held.all()) {
    if (table !== 'attendance') continue;
    const list = marks.get(row.meeting_id) ?? [];
    list.push({ member: row.member_id, status: row.status });
    marks.set(row.meeting_id, list);
  }
  if (marks.size === 0) return rows;
  return rows.map((row) => {
    const ofMeeting = marks.get(row.meeting.id);
    if (!ofMeeting) return row;
    const present = new Set(row.present);
    const leave = new Set(row.leave);
    for (const { member, status } of ofMeeting) {
      if (status === 'present') present.add(member);
      else present.delete(member);
      if (status === 'leave') leave.add(member);
      else leave.delete(member);
    }
    return { meeting: row.meeting, present: [...present], leave: [...leave] };
  });
}

/**
 * A meeting of the branch of this type (and 党小组) at this time that has not been cancelled, as
 * last committed: on MySQL a locking read, which sees what another transaction committed while this
 * one waited for the branch (`lockBranch`), where a plain read would see its earlier snapshot.
 */
export async function findMeetingAt(
  db: Db,
  at: Pick<Meeting, 'org_id' | 'branch_id' | 'type' | 'party_group' | 'starts_at'>,
): Promise<Meeting | undefined> {
  const query = db
    .selectFrom('meetings')
    .selectAll()
    .where('org_id', '=', at.org_id)
    .where('branch_id', '=', at.branch_id)
    .where('starts_at', '=', at.starts_at)
    .where('type', '=', at.type)
    .where('party_group', at.party_group === null ? 'is' : '=', at.party_group)
    .where('status', '!=', 'cancelled');
  const row = await (isMysqlDb(db) ? query.forUpdate() : query).executeTakeFirst();
  return row && meetingOf(row);
}

/** Codes of the branch's meetings created since `since`, to keep a new code unambiguous; as last committed, like `findMeetingAt`. */
export async function recentCodes(db: Db, orgId: string, branchId: string, since: number): Promise<Set<string>> {
  const query = db
    .selectFrom('meetings')
    .select('code')
    .where('org_id', '=', orgId)
    .where('branch_id', '=', branchId)
    .where((eb) => eb.or([eb('starts_at', '>=', since), eb('created_at', '>=', since)]));
  const rows = await (isMysqlDb(db) ? query.forUpdate() : query).execute();
  return new Set(rows.map((r) => r.code));
}

export async function updateMeeting(
  db: Db,
  id: string,
  change: Partial<Pick<Meeting, 'starts_at' | 'status' | 'status_note' | 'host_id' | 'recorder_id'>>,
  now: number,
): Promise<void> {
  await db
    .updateTable('meetings')
    .set({ ...change, updated_at: now })
    .where('id', '=', id)
    .execute();
}

export async function getMeeting(db: Db, id: string): Promise<Meeting | undefined> {
  const row = await db.selectFrom('meetings').selectAll().where('id', '=', id).executeTakeFirst();
  return row && meetingOf(row);
}

/** Scheduled meetings (all orgs) starting at or after `since`: those that still have reminders to come. */
export async function listUpcomingMeetings(db: Db, since: number): Promise<Meeting[]> {
  const rows = await db
    .selectFrom('meetings')
    .selectAll()
    .where('status', '=', 'scheduled')
    .where('starts_at', '>=', since)
    .orderBy('starts_at')
    .execute();
  return rows.map(meetingOf);
}

/** The meetings of some of an org's branches starting in [from, to), with their evidence counts. */
export async function listMeetingsOfBranches(
  db: Db,
  orgId: string,
  branchIds: readonly string[],
  from: number,
  to: number,
): Promise<MeetingWithEvidence[]> {
  if (branchIds.length === 0) return [];
  const rows = await meetingsWithEvidence(db)
    .where('org_id', '=', orgId)
    .where('branch_id', 'in', [...branchIds])
    .where('starts_at', '>=', from)
    .where('starts_at', '<', to)
    .orderBy('starts_at')
    .execute();
  return rows.map(withEvidence);
}
