import type { AttendanceTable, Meeting, MeetingType, Member, ServiceCategory, ServiceReport } from '../records.ts';
import type { Evidence, Term, TypeStatus } from '../meetings.ts';
import type { CalendarPeriod } from '../time.ts';
import type { FiveTag } from '../vocabulary.ts';

// The 五同 weekly digest: the facts one branch's digest is computed from, and the figures
// computed. Figures are a pure function of facts (figures.ts); rendering is another
// (render.ts); loading facts for a whole org is db/digest-facts.ts.

/**
 * Accounts come along so that the secretary can be reached without another query. `terms`, as
 * in a roster over time: the spans a member who moved belonged to the branch (rosterTerms).
 */
export type DigestMember = Pick<Member, 'id' | 'name' | 'role' | 'party_group' | 'probationary' | 'accounts'> & {
  left_at?: number | null;
  terms?: Term[];
};
export type DigestMeeting = Pick<
  Meeting,
  'id' | 'code' | 'type' | 'topic' | 'party_group' | 'starts_at' | 'status' | 'tags' | 'backfilled'
> &
  Evidence;
export type DigestAttendance = Pick<AttendanceTable, 'meeting_id' | 'member_id' | 'status' | 'note' | 'makeup_at'>;
export type DigestReport = Pick<ServiceReport, 'id' | 'member_id' | 'category' | 'text' | 'tags' | 'at'>;

export interface DigestBranchFacts {
  branch: { id: string; name: string };
  /** The branch's roster over time: its members now and those who moved away, with their terms. */
  members: DigestMember[];
  /** Every meeting of the branch from the start of the quarter (or of the previous week, if earlier) on, future ones included. */
  meetings: DigestMeeting[];
  /** Attendance rows of those meetings (the figures read those of the week and the week before). */
  attendance: DigestAttendance[];
  /** Reports up to the week's end: from four weeks before its start, or (with `earlierReporters`) from the week before. */
  reports: DigestReport[];
  /**
   * Who reported in the weeks before `reports` begins, each member once with their latest report's
   * time: all the figures need of those weeks (who has not reported in four), and far fewer rows.
   */
  earlierReporters?: Pick<DigestReport, 'member_id' | 'at'>[];
}

export interface DigestWindow {
  /** ISO week, `2026-W48`. */
  week: string;
  /** Monday 00:00 and the next Monday 00:00 in the org's zone (epoch ms), and the week before's start. */
  from: number;
  to: number;
  previousFrom: number;
  /** The moment the figures are as of: the week's end, or now while the week runs. */
  asOf: number;
  tz: string;
}

export type { TypeStatus };

export interface QuarterType {
  type: MeetingType;
  held: number;
  /** Of those held, how many were entered afterwards (补录). */
  backfilled: number;
  due: number;
  /** The range counted: the quarter, or the year for a yearly type (组织生活会). */
  range: CalendarPeriod;
  status: TypeStatus;
  /** The next scheduled meeting of the type after asOf, if any. */
  next: { code: string; startsAt: number } | null;
}

export interface WeekMeeting {
  code: string;
  type: MeetingType;
  topic: string | null;
  startsAt: number;
  present: number;
  expected: number;
  /** Entered afterwards with 补录. */
  backfilled: boolean;
  /** Expected, not present, no leave: by name. */
  absentWithoutLeave: string[];
  /** Absent or on leave and no 补学 yet: by name. */
  pendingMakeup: string[];
}

export interface ReportFigures {
  total: number;
  perCategory: Record<ServiceCategory, number>;
  /** Up to three texts of the week (newest first), as written; rendering escapes them. */
  excerpts: { member: string; category: ServiceCategory; text: string }[];
  /** Members with no report in the four weeks ending with this week: by name. */
  silentFourWeeks: string[];
}

export interface TagCoverage {
  tag: FiveTag;
  thisWeek: number;
  lastWeek: number;
  /** How many of this week's count were inferred from a meeting's topic rather than tagged. */
  inferred: number;
}

export interface WeekChange {
  /** Present / expected over the week's meetings, 0–1; null without meetings. */
  attendanceRate: number | null;
  previousAttendanceRate: number | null;
  reports: number;
  previousReports: number;
}

export interface DigestFigures {
  week: string;
  branch: { id: string; name: string };
  quarter: QuarterType[];
  meetings: WeekMeeting[];
  /** Meetings of the week that were not held (nobody came and no 纪要, or called off after the start). */
  notHeld: { code: string; type: MeetingType; topic: string | null; startsAt: number }[];
  reports: ReportFigures;
  coverage: TagCoverage[];
  /** Tags with no activity this week. */
  gaps: FiveTag[];
  change: WeekChange;
}
