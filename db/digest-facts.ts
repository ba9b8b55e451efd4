import type { WorkCalendar } from '../src/domain/calendar.ts';
import type { DigestBranchFacts, DigestWindow } from '../src/domain/digest/types.ts';
import { digestWindow } from '../src/domain/digest/window.ts';
import { periodRange } from '../src/domain/time.ts';
import { loadWorkCalendar } from './calendar.ts';
import { counted, evidence } from './meetings.ts';
import { getOrg } from './orgs.ts';
import type { Db } from './schema.ts';

const DAY = 86_400_000;
/** Scheduled meetings this far past the week still count as "next". */
const NEXT_HORIZON_MS = 183 * DAY;

/**
 * The facts of every branch of an org (or one branch) for a digest window, in five queries
 * whatever the number of branches, members, meetings or reports: the same code serves one branch
 * (preview, 周报) and a whole org (the weekly run).
 */
export async function loadDigestFacts(db: Db, orgId: string, window: DigestWindow, branchId?: string): Promise<DigestBranchFacts[]> {
  const meetingsFrom = Math.min(periodRange('quarter', window.from, window.tz).from, window.previousFrom);
  // The four weeks ending at the week's end, or at now while the week runs.
  const reportsFrom = Math.min(window.to, window.asOf + 1) - 28 * DAY;
  const byBranch = <T extends { branch_id: string }>(rows: T[]) => {
    const map = new Map<string, T[]>();
    for (const row of rows) {
      const list = map.get(row.branch_id);
      if (list) list.push(row);
      else map.set(row.branch_id, [row]);
    }
    return map;
  };

  let branchQuery = db.selectFrom('branches').select(['id', 'name']).where('org_id', '=', orgId);
  let memberQuery = db
    .selectFrom('members')
    .select(['id', 'name', 'role', 'party_group', 'probationary', 'dingtalk_user_id', 'wecom_user_id', 'left_at', 'branch_id'])
    .where('org_id', '=', orgId);
  let meetingQuery = db
    .selectFrom('meetings')
    .select(['id', 'code', 'type', 'topic', 'party_group', 'starts_at', 'status', 'tags', 'branch_id'])
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
    .where('meetings.starts_at', '>=', meetingsFrom)
    .where('meetings.starts_at', '<', window.to);
  let reportQuery = db
    .selectFrom('service_reports')
    .select(['id', 'member_id', 'category', 'text', 'tags', 'at', 'branch_id'])
    .where('org_id', '=', orgId)
    .where('at', '>=', reportsFrom)
    .where('at', '<', window.to);
  if (branchId !== undefined) {
    branchQuery = branchQuery.where('id', '=', branchId);
    memberQuery = memberQuery.where('branch_id', '=', branchId);
    meetingQuery = meetingQuery.where('branch_id', '=', branchId);
    attendanceQuery = attendanceQuery.where('meetings.branch_id', '=', branchId);
    reportQuery = reportQuery.where('branch_id', '=', branchId);
  }
  const [branches, members, meetings, attendance, reports] = await Promise.all([
    branchQuery.orderBy('id').execute(),
    memberQuery.orderBy('id').execute(),
    meetingQuery.orderBy('starts_at').orderBy('id').execute(),
    attendanceQuery.execute(),
    // No ORDER BY: computeDigest orders what it shows, and a sort over text columns costs a filesort.
    reportQuery.execute(),
  ]);
  const [m, mt, a, r] = [byBranch(members), byBranch(meetings.map(counted)), byBranch(attendance), byBranch(reports)];
  return branches.map((branch) => ({
    branch,
    members: m.get(branch.id) ?? [],
    meetings: mt.get(branch.id) ?? [],
    attendance: a.get(branch.id) ?? [],
    reports: r.get(branch.id) ?? [],
  }));
}

export interface OrgDigestInput {
  window: DigestWindow;
  branches: DigestBranchFacts[];
  calendar: WorkCalendar;
}

/** Everything the week's digests of an org (or of one branch) are made from; null for an unknown org or week. */
export async function loadDigestInput(db: Db, orgId: string, week: string, now: number, branchId?: string): Promise<OrgDigestInput | null> {
  const org = await getOrg(db, orgId);
  const window = org && digestWindow(week, org.timezone, now);
  if (!window) return null;
  const [branches, calendar] = await Promise.all([loadDigestFacts(db, orgId, window, branchId), loadWorkCalendar(db)]);
  return { window, branches, calendar };
}
