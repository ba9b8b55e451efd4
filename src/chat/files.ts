import type { BranchTable, Db, Meeting, OrgTable } from '../../db/schema.ts';
import { listAttendance, listAttendanceOf } from '../../db/attendance.ts';
import { getBranch, listBranchesByName } from '../../db/branches.ts';
import { getMeetingByCode, listBranchMeetings, listMeetingsOfBranches } from '../../db/meetings.ts';
import { listBranchRoster, listMembersByIds, listMembersOfBranches } from '../../db/members.ts';
import { listNotes } from '../../db/notes.ts';
import { getOrg } from '../../db/orgs.ts';
import { listReportTagsOfBranches, listReports } from '../../db/reports.ts';
import { type Row, overviewRow } from '../domain/ledger.ts';
import { XLSX, ledgerFileName, ledgerXlsx } from '../render/ledger.ts';
import { type MeetingRecord, buildMeetingRecord } from '../render/meeting-record.ts';
import { byRole } from '../domain/meetings.ts';
import type { FileRecipe } from '../domain/outbound.ts';
import { DOCX, recordDocx, recordFileName } from '../render/record-docx.ts';
import { periodRange, quarterOfKey } from '../domain/time.ts';

// The 台账 files, each read from the database, computed by the domain and drawn by src/render/: one way for the admin API's
// and the console's downloads, and 导出's file message.

export interface BuiltFile {
  /** The name the recipient sees, e.g. 第一党支部2026年第四季度三会一课台账.xlsx. */
  name: string;
  /** The extension, as DingTalk's file message names the type. */
  type: 'xlsx' | 'docx';
  contentType: string;
  bytes: Buffer;
}

/** A meeting's 会议记录, with the names of note authors and of its host from other branches. */
export async function loadMeetingRecord(
  db: Db,
  org: OrgTable,
  branch: BranchTable,
  meeting: Meeting,
  opts: { now: number; checkinCloses: number },
): Promise<MeetingRecord> {
  const [members, attendance, notes] = await Promise.all([
    listBranchRoster(db, org.id, branch.id),
    listAttendance(db, meeting.id),
    listNotes(db, meeting.id),
  ]);
  const inBranch = new Set(members.map((m) => m.id));
  const named = [
    ...notes.map((n) => n.member_id),
    ...[meeting.created_by, meeting.host_id, meeting.recorder_id].filter((id) => id !== null),
  ];
  const others = await listMembersByIds(db, org.id, [...new Set(named.filter((id) => !inBranch.has(id)))]);
  return buildMeetingRecord({ meeting, members, attendance, notes, others, branchName: branch.name, tz: org.timezone, ...opts });
}

/** The 会议记录 as a .docx file. */
export async function recordFile(
  db: Db,
  org: OrgTable,
  branch: BranchTable,
  meeting: Meeting,
  opts: { now: number; checkinCloses: number },
): Promise<BuiltFile> {
  const record = await loadMeetingRecord(db, org, branch, meeting, opts);
  const bytes = await recordDocx(record, { branch: branch.name, startsAt: meeting.starts_at, tz: org.timezone });
  return { name: recordFileName(branch.name, record.typeLabel, record.code), type: 'docx', contentType: DOCX, bytes };
}

/** The branch's 三会一课台账 of a quarter as a .xlsx file. */
export async function ledgerFile(
  db: Db,
  org: OrgTable,
  branch: BranchTable,
  quarter: { from: number; to: number; label: string },
  opts: { now: number; checkinCloses: number },
): Promise<BuiltFile> {
  const [meetings, members, reports] = await Promise.all([
    listBranchMeetings(db, org.id, branch.id, quarter.from, quarter.to),
    listBranchRoster(db, org.id, branch.id),
    listReports(db, org.id, { branchId: branch.id }, quarter.from, quarter.to),
  ]);
  const attendance = await listAttendanceOf(
    db,
    meetings.map((m) => m.id),
  );
  const bytes = await ledgerXlsx({
    branch,
    quarterLabel: quarter.label,
    tz: org.timezone,
    ...opts,
    meetings,
    members: members.sort(byRole),
    attendance,
    reports,
  });
  return { name: ledgerFileName(branch.name, quarter.label), type: 'xlsx', contentType: XLSX, bytes };
}

/** The file a recipe names, as of the recipe's moment; null when its org, branch or meeting is gone. */
export async function buildFile(db: Db, orgId: string, recipe: FileRecipe, checkinCloses: number): Promise<BuiltFile | null> {
  const org = await getOrg(db, orgId);
  const branch = org && (await getBranch(db, org.id, recipe.branchId));
  if (!org || !branch) return null;
  const opts = { now: recipe.asOf, checkinCloses };
  if (recipe.kind === 'ledger') {
    const quarter = quarterOfKey(recipe.quarter, org.timezone);
    return quarter && ledgerFile(db, org, branch, quarter, opts);
  }
  const meeting = await getMeetingByCode(db, org.id, branch.id, recipe.code);
  return meeting ? recordFile(db, org, branch, meeting, opts) : null;
}

/** Branches read per page of the org overview: memory stays bounded whatever the org's size. */
const OVERVIEW_PAGE = 100;

/**
 * The org overview's rows (one a branch, in name order), a page of branches at a time. A past
 * quarter is counted as of its end; 组织生活会 over its year.
 */
export async function* overviewPages(
  db: Db,
  org: OrgTable,
  quarter: { from: number; to: number },
  now: number,
): AsyncGenerator<{ branch: { id: string; name: string }; row: Row }[]> {
  const tz = org.timezone;
  const asOf = Math.min(now, quarter.to - 1);
  const year = periodRange('year', asOf, tz);
  let after: { name: string; id: string } | null = null;
  for (;;) {
    const branches = await listBranchesByName(db, org.id, after, OVERVIEW_PAGE);
    if (branches.length === 0) return;
    const ids = branches.map((b) => b.id);
    const [meetings, members, reports] = await Promise.all([
      listMeetingsOfBranches(db, org.id, ids, year.from, year.to),
      listMembersOfBranches(db, org.id, ids),
      listReportTagsOfBranches(db, org.id, ids, quarter.from, quarter.to),
    ]);
    yield branches.map((b) => ({
      branch: b,
      row: overviewRow(
        b,
        meetings.filter((m) => m.branch_id === b.id),
        members.filter((m) => m.branch_id === b.id),
        reports.filter((r) => r.branch_id === b.id),
        { ...quarter, asOf, tz },
      ),
    }));
    after = branches.at(-1)!;
  }
}
