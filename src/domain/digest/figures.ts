import type { ServiceCategory } from '../records.ts';
import { type FiveTag, TAG_LABELS, fiveTagsOf } from '../vocabulary.ts';
import { isHeld, meetingAttendance, meetingState, onRosterAt, progress, typeStatus, typesDue } from '../meetings.ts';
import { periodRange } from '../time.ts';
import type {
  DigestBranchFacts,
  DigestFigures,
  DigestMeeting,
  DigestWindow,
  QuarterType,
  ReportFigures,
  TagCoverage,
  WeekChange,
  WeekMeeting,
} from './types.ts';

// The figures of one branch's 五同 digest for one ISO week: a pure function of its facts.

const TAGS = Object.keys(TAG_LABELS) as FiveTag[];
const CATEGORIES: ServiceCategory[] = ['enterprise', 'project', 'grassroots', 'public'];
const FOUR_WEEKS_MS = 28 * 86_400_000;

/** Words in an untagged meeting's topic that count it toward a tag (marked inferred). */
const TOPIC_WORDS: Record<FiveTag, RegExp> = {
  research: /研究/,
  deploy: /部署/,
  inspect: /检查|督查/,
  assess: /考核|考评/,
  review: /讲评|评议/,
};

/** A meeting's tags: as tagged, else inferred from its topic. */
export function coverageTags(meeting: Pick<DigestMeeting, 'tags' | 'topic'>): { tags: FiveTag[]; inferred: boolean } {
  const tagged = fiveTagsOf(meeting.tags);
  if (tagged.length) return { tags: tagged, inferred: false };
  const topic = meeting.topic ?? '';
  return { tags: TAGS.filter((tag) => TOPIC_WORDS[tag].test(topic)), inferred: true };
}

/** `checkinCloses`: how long after its start a meeting's check-in closes (a meeting nobody came to is then not held). */
export function computeDigest(facts: DigestBranchFacts, window: DigestWindow, checkinCloses: number): DigestFigures {
  const inWeek = (ms: number, from = window.from, to = window.to) => ms >= from && ms < to;
  const held = facts.meetings.filter((m) => isHeld(m, window.asOf));
  const notHeld = facts.meetings
    .filter((m) => inWeek(m.starts_at) && meetingState(m, window.asOf, checkinCloses) === 'not_held')
    .map((m) => ({ code: m.code, type: m.type, topic: m.topic, startsAt: m.starts_at }));
  const weekMeetings = held.filter((m) => inWeek(m.starts_at));
  const lastWeekMeetings = held.filter((m) => inWeek(m.starts_at, window.previousFrom, window.from));
  const weekReports = facts.reports.filter((r) => r.at >= window.from && r.at < Math.min(window.to, window.asOf + 1));
  const lastWeekReports = facts.reports.filter((r) => inWeek(r.at, window.previousFrom, window.from));

  const meetings = weekMeetings.map((m) => weekMeeting(facts, m, window.asOf));
  const lastWeek = lastWeekMeetings.map((m) => weekMeeting(facts, m, window.asOf));
  const coverage = tagCoverage(weekMeetings, lastWeekMeetings, weekReports, lastWeekReports);
  return {
    week: window.week,
    branch: facts.branch,
    quarter: quarterFigures(facts, window),
    meetings,
    notHeld,
    reports: reportFigures(facts, window, weekReports),
    coverage,
    gaps: coverage.filter((c) => c.thisWeek === 0).map((c) => c.tag),
    change: weekChange(meetings, lastWeek, weekReports.length, lastWeekReports.length),
  };
}

/**
 * The quarter is the one the week starts in: the digest of a quarter's last week (which may end in
 * January) still reports that quarter, counted up to its end.
 */
function quarterFigures(facts: DigestBranchFacts, window: DigestWindow): QuarterType[] {
  const { tz } = window;
  const quarter = periodRange('quarter', window.from, tz);
  // Once the quarter is over (the digest of its last week), it is counted as of its last moment.
  const asOf = Math.min(window.asOf, quarter.to - 1);
  const roster = facts.members.filter((m) => onRosterAt(m, asOf));
  return progress(facts.meetings, 'quarter', asOf, tz, typesDue(roster)).map(({ type, held, backfilled, due, range }) => {
    const nextMeeting = facts.meetings
      .filter((m) => m.type === type && m.status === 'scheduled' && m.starts_at > window.asOf)
      .sort((a, b) => a.starts_at - b.starts_at)[0];
    return {
      type,
      held,
      backfilled,
      due,
      range,
      status: typeStatus({ type, held, due }, asOf, tz),
      next: nextMeeting ? { code: nextMeeting.code, startsAt: nextMeeting.starts_at } : null,
    };
  });
}

function weekMeeting(facts: DigestBranchFacts, meeting: DigestMeeting, asOf: number): WeekMeeting {
  const rows = facts.attendance.filter((a) => a.meeting_id === meeting.id);
  const lists = meetingAttendance(meeting, facts.members, rows, asOf);
  const madeUp = new Set(lists.makeup.map((m) => m.id));
  return {
    code: meeting.code,
    type: meeting.type,
    topic: meeting.topic,
    startsAt: meeting.starts_at,
    present: lists.present.length,
    expected: lists.expected.length,
    backfilled: meeting.backfilled,
    absentWithoutLeave: lists.absent.map((m) => m.name),
    pendingMakeup: [...lists.absent, ...lists.leave.map((l) => l.member)].filter((m) => !madeUp.has(m.id)).map((m) => m.name),
  };
}

function reportFigures(facts: DigestBranchFacts, window: DigestWindow, weekReports: DigestBranchFacts['reports']): ReportFigures {
  const perCategory = Object.fromEntries(CATEGORIES.map((c) => [c, weekReports.filter((r) => r.category === c).length])) as Record<
    ServiceCategory,
    number
  >;
  const names = new Map(facts.members.map((m) => [m.id, m.name]));
  const excerpts = [...weekReports]
    .sort((a, b) => b.at - a.at || b.id.localeCompare(a.id))
    .slice(0, 3)
    .map((r) => ({ member: names.get(r.member_id) ?? r.member_id, category: r.category, text: r.text }));
  const end = Math.min(window.to, window.asOf + 1);
  const reporters = new Set(
    [...facts.reports, ...(facts.earlierReporters ?? [])].filter((r) => r.at >= end - FOUR_WEEKS_MS && r.at < end).map((r) => r.member_id),
  );
  return {
    total: weekReports.length,
    perCategory,
    excerpts,
    // Those who left are not asked to report.
    silentFourWeeks: facts.members.filter((m) => onRosterAt(m, end - 1) && !reporters.has(m.id)).map((m) => m.name),
  };
}

function tagCoverage(
  weekMeetings: DigestMeeting[],
  lastWeekMeetings: DigestMeeting[],
  weekReports: DigestBranchFacts['reports'],
  lastWeekReports: DigestBranchFacts['reports'],
): TagCoverage[] {
  // Each report's tags read once, not once per tag.
  const [weekTags, lastWeekTags] = [weekReports, lastWeekReports].map((reports) => reports.map((r) => fiveTagsOf(r.tags)));
  const count = (tag: FiveTag, meetings: DigestMeeting[], reports: FiveTag[][]) => {
    let total = 0;
    let inferred = 0;
    for (const m of meetings) {
      const t = coverageTags(m);
      if (t.tags.includes(tag)) {
        total += 1;
        if (t.inferred) inferred += 1;
      }
    }
    total += reports.filter((tags) => tags.includes(tag)).length;
    return { total, inferred };
  };
  return TAGS.map((tag) => {
    const now = count(tag, weekMeetings, weekTags!);
    return { tag, thisWeek: now.total, lastWeek: count(tag, lastWeekMeetings, lastWeekTags!).total, inferred: now.inferred };
  });
}

function rate(meetings: WeekMeeting[]): number | null {
  const expected = meetings.reduce((n, m) => n + m.expected, 0);
  return expected === 0 ? null : meetings.reduce((n, m) => n + m.present, 0) / expected;
}

function weekChange(meetings: WeekMeeting[], lastWeek: WeekMeeting[], reports: number, previousReports: number): WeekChange {
  return { attendanceRate: rate(meetings), previousAttendanceRate: rate(lastWeek), reports, previousReports };
}
