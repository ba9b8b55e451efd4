import { describe, expect, it } from 'vitest';
import type { MeetingType, ServiceCategory } from '../db/schema.ts';
import { meetingOf } from '../db/meetings.ts';
import { reportOf } from '../db/reports.ts';
import type { FiveTag } from '../src/domain/vocabulary.ts';
import { computeDigest } from '../src/domain/digest/figures.ts';
import type { DigestBranchFacts, DigestFigures, QuarterType, TagCoverage, TypeStatus, WeekMeeting } from '../src/domain/digest/types.ts';
import { digestWindow } from '../src/domain/digest/window.ts';
import { TZ, at, branchA, branchB, digestRows } from './fixtures/digest.ts';

// The figures of the 五同 weekly digest, number by number, for the fixed data set of
// test/fixtures/digest.ts. Every expected value below was worked out by hand from the fixture (the
// comments show the working); none comes from the code under test.

/** CHECKIN_CLOSES as configured by default. */
const CLOSES = 2 * 3600_000;

/** Long after every week tested: the week is over and its figures are as of its last instant. */
const LATER = at('2027-06-01 00:00');

function figures(facts: DigestBranchFacts, week: string, now: number): DigestFigures {
  const window = digestWindow(week, TZ, now);
  if (!window) throw new Error(`no such week ${week}`);
  return computeDigest(facts, window, CLOSES);
}

const q = (type: MeetingType, held: number, due: number, status: TypeStatus, next: [string, string] | null): QuarterType => ({
  type,
  held,
  backfilled: 0,
  due,
  range: type === 'life' ? 'year' : 'quarter',
  status,
  next: next ? { code: next[0], startsAt: at(next[1]) } : null,
});

const wm = (
  code: string,
  type: MeetingType,
  topic: string,
  startsAt: string,
  [present, expected]: [number, number],
  absentWithoutLeave: string[],
  pendingMakeup: string[],
): WeekMeeting => ({ code, type, topic, startsAt: at(startsAt), present, expected, backfilled: false, absentWithoutLeave, pendingMakeup });

const perCategory = (enterprise: number, project: number, grassroots: number, publicCount: number): Record<ServiceCategory, number> => ({
  enterprise,
  project,
  grassroots,
  public: publicCount,
});

const excerpt = (member: string, category: ServiceCategory, text: string) => ({ member, category, text });

/** Coverage rows in the order research, deploy, inspect, assess, review: [thisWeek, lastWeek, inferred]. */
const coverage = (...rows: [number, number, number][]): TagCoverage[] => {
  const tags: FiveTag[] = ['research', 'deploy', 'inspect', 'assess', 'review'];
  return tags.map((tag, i) => ({ tag, thisWeek: rows[i]![0], lastWeek: rows[i]![1], inferred: rows[i]![2] }));
};

interface Expected {
  quarter: QuarterType[];
  meetings: WeekMeeting[];
  reports: DigestFigures['reports'];
  coverage: TagCoverage[];
  gaps: FiveTag[];
  change: DigestFigures['change'];
}

/** One `it` per digest section, so that one wrong section does not hide the others. */
function sections(facts: DigestBranchFacts, week: string, now: number, expected: Expected, quarterTitle = '1. 三会一课 this quarter') {
  const get = () => figures(facts, week, now);
  it('names the week and the branch', () => {
    const f = get();
    expect(f.week).toBe(week);
    expect(f.branch).toEqual(facts.branch);
  });
  it(quarterTitle, () => expect(get().quarter).toEqual(expected.quarter));
  it('2. meetings of the week', () => expect(get().meetings).toEqual(expected.meetings));
  it('3. 四服务 reports of the week', () => expect(get().reports).toEqual(expected.reports));
  it('4. 五同 coverage and gaps', () => {
    const f = get();
    expect(f.coverage).toEqual(expected.coverage);
    expect(f.gaps).toEqual(expected.gaps);
  });
  it('5. change against the week before', () => expect(get().change).toEqual(expected.change));
}

describe('the digest windows of the weeks tested', () => {
  it('2026-W44 runs Monday 10-26 to Sunday 11-01; a finished week is as of its last millisecond', () => {
    expect(digestWindow('2026-W44', TZ, LATER)).toEqual({
      week: '2026-W44',
      from: at('2026-10-26 00:00'),
      to: at('2026-11-02 00:00'),
      previousFrom: at('2026-10-19 00:00'),
      asOf: at('2026-11-02 00:00') - 1,
      tz: TZ,
    });
    expect(digestWindow('2026-W44', TZ, at('2026-10-31 12:00'))!.asOf).toBe(at('2026-10-31 12:00'));
  });

  it('2026-W53 runs Monday 2026-12-28 to Sunday 2027-01-03: its end lies in Q1 2027', () => {
    expect(digestWindow('2026-W53', TZ, LATER)).toEqual({
      week: '2026-W53',
      from: at('2026-12-28 00:00'),
      to: at('2027-01-04 00:00'),
      previousFrom: at('2026-12-21 00:00'),
      asOf: at('2027-01-04 00:00') - 1,
      tz: TZ,
    });
  });
});

describe('the fixture', () => {
  it('gives the same data as table rows, for a DB test', () => {
    const rows = digestRows();
    expect(rows.orgs).toHaveLength(1);
    expect(rows.branches.map((b) => b.id)).toEqual(['br-a', 'br-b']);
    expect(rows.members).toHaveLength(12);
    expect(rows.meetings).toHaveLength(branchA.meetings.length + branchB.meetings.length);
    expect(rows.attendance).toHaveLength(branchA.attendance.length + branchB.attendance.length);
    expect(rows.service_reports).toHaveLength(branchA.reports.length + branchB.reports.length);
    for (const facts of [branchA, branchB]) {
      const id = facts.branch.id;
      const meetingIds = new Set(facts.meetings.map((m) => m.id));
      expect(
        rows.members
          .filter((m) => m.branch_id === id)
          .map(({ id, name, role, party_group, probationary }) => ({
            id,
            name,
            role,
            party_group,
            probationary: probationary === 1,
            accounts: Object.fromEntries(rows.member_accounts.filter((a) => a.member_id === id).map((a) => [a.platform, a.user_id])),
          })),
      ).toEqual(facts.members);
      expect(
        rows.meetings
          .filter((m) => m.branch_id === id)
          .map(meetingOf)
          .map(({ id, code, type, topic, party_group, starts_at, status, tags, backfilled }) => ({
            id,
            code,
            type,
            topic,
            party_group,
            starts_at,
            status,
            tags,
            backfilled,
            present: rows.attendance.filter((a) => a.meeting_id === id && a.status === 'present').length,
            notes: rows.meeting_notes.filter((n) => n.meeting_id === id).length,
          })),
      ).toEqual(facts.meetings);
      expect(
        rows.attendance
          .filter((a) => meetingIds.has(a.meeting_id))
          .map(({ meeting_id, member_id, status, note, makeup_at }) => ({ meeting_id, member_id, status, note, makeup_at })),
      ).toEqual(facts.attendance);
      expect(
        rows.service_reports
          .filter((r) => r.branch_id === id)
          .map(reportOf)
          .map(({ id, member_id, category, text, tags, at }) => ({ id, member_id, category, text, tags, at })),
      ).toEqual(facts.reports);
    }
    // absent rows exist only with a 补学
    expect(rows.attendance.filter((a) => a.status === 'absent' && a.makeup_at === null)).toEqual([]);
    expect(rows.attendance.filter((a) => a.makeup_at !== null).map((a) => a.status)).toEqual([
      'leave',
      'absent',
      'absent',
      'absent',
      'leave',
    ]);
  });
});

// ─────────────────────────────────────────────────────────────────────────────────────────────
// 2026-W44 (Mon 10-26 – Sun 11-01), finished: as of 2026-11-01 23:59:59.999, a November instant.
// Quarter Q4 2026; one month (October) ended: monthly types due 2, overdue when held < 1.
// Four weeks for "no report": [10-05 00:00, 11-02 00:00).
// ─────────────────────────────────────────────────────────────────────────────────────────────
describe('2026-W44, crossing the October/November month end, branch A', () => {
  sections(branchA, '2026-W44', LATER, {
    quarter: [
      q('assembly', 1, 1, 'done', ['AAT', '2027-01-15 15:00']), // AAS 10-28
      q('committee', 1, 2, 'pending', ['ACM', '2026-11-06 15:00']), // ACK 10-09; 1 ≥ 1 month ended
      q('group', 3, 2, 'done', ['AGD', '2026-11-12 19:00']), // AGA 10-14, AGB 10-21, AGC 11-01 (both 党小组 together)
      q('lecture', 0, 1, 'pending', ['AKY', '2026-12-30 15:00']), // AKX 10-30 cancelled; two months left
      q('theme_day', 1, 2, 'pending', ['ATE', '2026-11-20 14:30']), // ATD 10-23
      q('life', 0, 1, 'pending', null), // 组织生活会: due once a year, none held
    ],
    meetings: [
      // all 7 expected: a1 a2 a3 a7 present; a4 leave (made up 10-30); a5 no row; a6 absent row (made up 10-31)
      wm('AAS', 'assembly', '部署四季度党建与业务工作', '2026-10-28 15:00', [4, 7], ['钱党员', '孙党员'], ['钱党员']),
      // AKX (10-30) cancelled: not listed
      // 第一小组 a1 a2 a4 a7: a1 a4 present; a2 leave, no 补学; a7 no row
      wm('AGC', 'group', '小组学习', '2026-11-01 10:00', [2, 4], ['周预备'], ['周预备', '李委员']),
    ],
    reports: {
      total: 4, // rep-a05 10-27, rep-a06 10-31 16:00, rep-a07 11-01 09:00, rep-a08 11-01 20:00
      perCategory: perCategory(1, 2, 0, 1),
      excerpts: [
        excerpt('赵党员', 'project', '协调项目用地手续'),
        excerpt('张书记', 'project', '检查项目安全生产'),
        excerpt('钱党员', 'public', '研究社区志愿服务需求'),
      ],
      // a6 reported only on 10-04 (one day before the four weeks); a7 not at all
      silentFourWeeks: ['孙党员', '周预备'],
    },
    // this week: AAS (deploy, inferred from 部署), AGC [research, assess]; reports deploy, —, [inspect, review], assess
    // (AKX was tagged review but cancelled; rep-a06 says 研究 but is untagged: neither counts)
    // last week: AGB (no tag, no word), ATD [inspect]; reports inspect, —
    coverage: coverage([1, 0, 0], [2, 0, 1], [1, 2, 0], [2, 0, 0], [1, 0, 0]),
    gaps: [],
    // (4 + 2) / (7 + 4) against W43's AGB 2/3 and ATD 6/7: (2 + 6) / (3 + 7)
    change: { attendanceRate: 6 / 11, previousAttendanceRate: 8 / 10, reports: 4, previousReports: 2 },
  });
});

describe('2026-W44, crossing the October/November month end, branch B (no 党小组)', () => {
  sections(branchB, '2026-W44', LATER, {
    // No 党小组: 党小组会 is not due and not listed (its meetings of the week still are).
    quarter: [
      q('assembly', 1, 1, 'done', null), // BAA 10-22; none scheduled after
      q('committee', 0, 2, 'overdue', ['BCB', '2026-11-05 15:00']), // BCA 10-29 cancelled: October missed
      q('lecture', 0, 1, 'pending', ['BKA', '2027-01-03 10:00']), // BKB 12-18 is cancelled: not "next"
      q('theme_day', 1, 2, 'pending', ['BTC', '2026-12-26 09:00']), // BTA 11-01; BTB 11-27 cancelled
      q('life', 0, 1, 'pending', null), // 组织生活会: due once a year, none held
    ],
    meetings: [
      // whole branch (no groups): b1 b2 b5 present; b3 leave; b4 no row
      wm('BGB', 'group', '督查学习笔记', '2026-10-30 19:00', [3, 5], ['陈党员'], ['陈党员', '冯党员']),
      wm('BTA', 'theme_day', '研究部署冬季志愿服务', '2026-11-01 09:00', [4, 5], [], ['褚党员']),
    ],
    reports: {
      total: 3, // rep-b05 10-26 00:00 (first instant of the week), rep-b06, rep-b07; rep-b04 10-25 23:59 is W43
      perCategory: perCategory(1, 0, 1, 1),
      excerpts: [
        excerpt('吴书记', 'public', '受理群众诉求两件'),
        excerpt('冯党员', 'grassroots', '社区网格巡查'),
        excerpt('吴书记', 'enterprise', '筹备企业座谈会'),
      ],
      // b2's only report is at 10-05 00:00, exactly 28 days before the week's end: inside
      silentFourWeeks: ['褚党员'],
    },
    // this week: BGB (inspect, inferred from 督查), BTA (research + deploy, inferred); reports deploy, inspect, review
    // (BCA tagged deploy but cancelled)
    // last week: BAA [research]; reports research, —, inspect
    coverage: coverage([1, 2, 1], [2, 0, 1], [2, 1, 1], [0, 0, 0], [1, 0, 0]),
    gaps: ['assess'],
    // (3 + 4) / (5 + 5) against BAA 4/5; 3 reports against rep-b02, rep-b03, rep-b04
    change: { attendanceRate: 7 / 10, previousAttendanceRate: 4 / 5, reports: 3, previousReports: 3 },
  });
});

// ─────────────────────────────────────────────────────────────────────────────────────────────
// 2026-W44 while it runs: now = Saturday 2026-10-31 12:00. Still October: monthly types due 1,
// none overdue yet. Sunday's meetings are not held; reports after noon do not count.
// Four weeks for "no report": [10-03 12:00:00.001, 10-31 12:00:00.001).
// ─────────────────────────────────────────────────────────────────────────────────────────────
const NOW_W44 = at('2026-10-31 12:00');

describe('2026-W44 so far (Saturday 10-31 12:00), branch A', () => {
  sections(branchA, '2026-W44', NOW_W44, {
    quarter: [
      q('assembly', 1, 1, 'done', ['AAT', '2027-01-15 15:00']),
      q('committee', 1, 1, 'done', ['ACM', '2026-11-06 15:00']),
      q('group', 2, 1, 'done', ['AGC', '2026-11-01 10:00']), // AGC tomorrow: not held, it is next
      q('lecture', 0, 1, 'pending', ['AKY', '2026-12-30 15:00']),
      q('theme_day', 1, 1, 'done', ['ATE', '2026-11-20 14:30']),
      q('life', 0, 1, 'pending', null), // 组织生活会: due once a year, none held
    ],
    // both 补学 of AAS (10-30, 10-31 09:00) happened before now
    meetings: [wm('AAS', 'assembly', '部署四季度党建与业务工作', '2026-10-28 15:00', [4, 7], ['钱党员', '孙党员'], ['钱党员'])],
    reports: {
      total: 1, // rep-a05 only: rep-a06 is at 16:00
      perCategory: perCategory(1, 0, 0, 0),
      excerpts: [excerpt('王委员', 'enterprise', '帮助企业对接融资渠道')],
      // a6's 10-04 report is inside these four weeks; a5's report comes at 16:00
      silentFourWeeks: ['钱党员', '周预备'],
    },
    coverage: coverage([0, 0, 0], [2, 0, 1], [0, 2, 0], [0, 0, 0], [0, 0, 0]),
    gaps: ['research', 'inspect', 'assess', 'review'],
    change: { attendanceRate: 4 / 7, previousAttendanceRate: 8 / 10, reports: 1, previousReports: 2 },
  });
});

describe('2026-W44 so far (Saturday 10-31 12:00), branch B', () => {
  sections(branchB, '2026-W44', NOW_W44, {
    quarter: [
      q('assembly', 1, 1, 'done', null),
      q('committee', 0, 1, 'pending', ['BCB', '2026-11-05 15:00']), // October not over yet
      q('lecture', 0, 1, 'pending', ['BKA', '2027-01-03 10:00']),
      q('theme_day', 0, 1, 'pending', ['BTA', '2026-11-01 09:00']),
      q('life', 0, 1, 'pending', null), // 组织生活会: due once a year, none held
    ],
    meetings: [wm('BGB', 'group', '督查学习笔记', '2026-10-30 19:00', [3, 5], ['陈党员'], ['陈党员', '冯党员'])],
    reports: {
      total: 2, // rep-b05 and rep-b06 (11:59); rep-b07 is tomorrow
      perCategory: perCategory(1, 0, 1, 0),
      excerpts: [excerpt('冯党员', 'grassroots', '社区网格巡查'), excerpt('吴书记', 'enterprise', '筹备企业座谈会')],
      silentFourWeeks: ['褚党员'],
    },
    // this week: BGB (inspect, inferred); reports deploy, inspect
    coverage: coverage([0, 2, 0], [1, 0, 0], [2, 1, 1], [0, 0, 0], [0, 0, 0]),
    gaps: ['research', 'assess', 'review'],
    change: { attendanceRate: 3 / 5, previousAttendanceRate: 4 / 5, reports: 2, previousReports: 3 },
  });
});

// ─────────────────────────────────────────────────────────────────────────────────────────────
// 2026-W53 (Mon 12-28 – Sun 2027-01-03), the quarter's last week, finished: as of
// 2027-01-03 23:59:59.999, which lies in Q1 2027. Sections 2–5 are about the ISO week, January
// days included. Section 1 must be the quarter the week belongs to (the one holding its Monday),
// Q4 2026, as its final tally: the quarter is over, so every month has ended (monthly types due 3,
// overdue when held < 3) and a quarterly type not held is overdue. "Next" is after asOf.
// Four weeks for "no report": [12-07 00:00, 2027-01-04 00:00).
// ─────────────────────────────────────────────────────────────────────────────────────────────
const Q4_TITLE = '1. 三会一课: Q4 2026, the quarter of the week, as its final tally (not Q1 2027)';

describe('2026-W53, the quarter’s last week, branch A', () => {
  sections(
    branchA,
    '2026-W53',
    LATER,
    {
      quarter: [
        q('assembly', 1, 1, 'done', ['AAT', '2027-01-15 15:00']), // AAS 10-28
        q('committee', 3, 3, 'done', ['ACQ', '2027-01-12 15:00']), // ACK 10-09, ACM 11-06, ACP 12-29 (ACN cancelled)
        q('group', 6, 3, 'done', null), // AGA AGB AGC AGD AGE AGF; AGG (2027-01-02) is Q1's
        q('lecture', 1, 1, 'done', null), // AKY 12-30
        q('theme_day', 3, 3, 'done', ['ATG', '2027-01-08 14:30']), // ATD ATE ATF
        q('life', 0, 1, 'overdue', null), // none held, and the year ends within two weeks
      ],
      meetings: [
        // 支委会: a1 a2 a3; a3 on leave
        wm('ACP', 'committee', '研究年度考核方案', '2026-12-29 15:00', [2, 3], [], ['王委员']),
        wm('AKY', 'lecture', '党课：讲评全年工作', '2026-12-30 15:00', [6, 7], ['孙党员'], ['孙党员']),
        // 第一小组: a2 absent with 补学 on 01-03
        wm('AGG', 'group', '新年学习', '2027-01-02 10:00', [3, 4], ['李委员'], []),
      ],
      reports: {
        total: 4, // rep-a13 12-28, rep-a14 12-31, rep-a15 01-01, rep-a16 01-03
        perCategory: perCategory(2, 0, 1, 1),
        excerpts: [
          excerpt('张书记', 'enterprise', '梳理企业诉求清单'),
          excerpt('王委员', 'grassroots', '元旦慰问社区孤寡老人'),
          excerpt('赵党员', 'enterprise', '走访企业听取年度意见'),
        ],
        // a5's last report 12-05 (before 12-07); a6 none since 10-04
        silentFourWeeks: ['钱党员', '孙党员'],
      },
      // this week: ACP [research, assess], AKY [review], AGG [deploy]; reports —, assess, —, research
      // last week: ATF (inspect, inferred from 检查), AGF [review]; reports review, inspect
      coverage: coverage([2, 0, 0], [1, 0, 0], [0, 2, 0], [2, 0, 0], [1, 2, 0]),
      gaps: ['inspect'],
      // (2 + 6 + 3) / (3 + 7 + 4) against ATF 6/7 and AGF 2/3
      change: { attendanceRate: 11 / 14, previousAttendanceRate: 8 / 10, reports: 4, previousReports: 2 },
    },
    Q4_TITLE,
  );
});

describe('2026-W53, the quarter’s last week, branch B', () => {
  sections(
    branchB,
    '2026-W53',
    LATER,
    {
      quarter: [
        q('assembly', 1, 1, 'done', null), // BAA 10-22
        q('committee', 1, 3, 'overdue', ['BCC', '2027-01-07 15:00']), // BCB 11-05 only
        q('lecture', 0, 1, 'overdue', null), // BKB cancelled; BKA (2027-01-03) is Q1's and already held
        q('theme_day', 2, 3, 'overdue', null), // BTA, BTC (BTB cancelled): the quarter is over, 2 < 3
        q('life', 0, 1, 'overdue', null), // none held, and the year ends within two weeks
      ],
      meetings: [
        // b4 absent, b5 leave: both made up in January
        wm('BGD', 'group', '年终学习', '2026-12-31 19:00', [3, 5], ['陈党员'], []),
        wm('BKA', 'lecture', '党课：新年第一课', '2027-01-03 10:00', [4, 5], ['褚党员'], ['褚党员']),
      ],
      reports: {
        total: 2, // rep-b11 12-29, rep-b12 01-02
        perCategory: perCategory(0, 1, 0, 1),
        excerpts: [excerpt('郑委员', 'public', '节日期间走访群众'), excerpt('冯党员', 'project', '参加项目年终验收')],
        // b1's last report 11-01; b4's 12-06 20:00 (before 12-07)
        silentFourWeeks: ['吴书记', '陈党员'],
      },
      // this week: BGD (no tag, no word), BKA [research]; reports inspect, assess
      // last week: BTC [assess, review]; report research
      coverage: coverage([1, 1, 0], [0, 0, 0], [1, 0, 0], [1, 1, 0], [0, 1, 0]),
      gaps: ['deploy', 'review'],
      // (3 + 4) / (5 + 5) against BTC 4/5
      change: { attendanceRate: 7 / 10, previousAttendanceRate: 4 / 5, reports: 2, previousReports: 1 },
    },
    Q4_TITLE,
  );
});

// ─────────────────────────────────────────────────────────────────────────────────────────────
// Section 1 of 2026-W53 while the week runs: it stays Q4 2026 all week.
// ─────────────────────────────────────────────────────────────────────────────────────────────
describe('2026-W53 so far: section 1 is Q4 2026 all week', () => {
  it('on Thursday 12-31 12:00 (the quarter’s last day): December not over, ½ day of the quarter left', () => {
    const now = at('2026-12-31 12:00');
    // monthly types due 3, overdue when held < 2 (two months ended); quarterly types overdue (≤ 14 days left)
    expect(figures(branchA, '2026-W53', now).quarter).toEqual([
      q('assembly', 1, 1, 'done', ['AAT', '2027-01-15 15:00']),
      q('committee', 3, 3, 'done', ['ACQ', '2027-01-12 15:00']),
      q('group', 6, 3, 'done', ['AGG', '2027-01-02 10:00']),
      q('lecture', 1, 1, 'done', null),
      q('theme_day', 3, 3, 'done', ['ATG', '2027-01-08 14:30']),
      q('life', 0, 1, 'overdue', null), // none held, and the year ends within two weeks
    ]);
    expect(figures(branchB, '2026-W53', now).quarter).toEqual([
      q('assembly', 1, 1, 'done', null),
      q('committee', 1, 3, 'overdue', ['BCC', '2027-01-07 15:00']),
      q('lecture', 0, 1, 'overdue', ['BKA', '2027-01-03 10:00']),
      q('theme_day', 2, 3, 'pending', null), // 2 ≥ 2 months ended; December still runs
      q('life', 0, 1, 'overdue', null), // none held, and the year ends within two weeks
    ]);
  });

  it('on Saturday 2027-01-02 12:00 (already Q1 2027 by the clock): still Q4 2026, now final', () => {
    const now = at('2027-01-02 12:00');
    expect(figures(branchA, '2026-W53', now).quarter).toEqual([
      q('assembly', 1, 1, 'done', ['AAT', '2027-01-15 15:00']),
      q('committee', 3, 3, 'done', ['ACQ', '2027-01-12 15:00']),
      q('group', 6, 3, 'done', null), // AGG (10:00 today) is held, and Q1's
      q('lecture', 1, 1, 'done', null),
      q('theme_day', 3, 3, 'done', ['ATG', '2027-01-08 14:30']),
      q('life', 0, 1, 'overdue', null), // none held, and the year ends within two weeks
    ]);
    expect(figures(branchB, '2026-W53', now).quarter).toEqual([
      q('assembly', 1, 1, 'done', null),
      q('committee', 1, 3, 'overdue', ['BCC', '2027-01-07 15:00']),
      q('lecture', 0, 1, 'overdue', ['BKA', '2027-01-03 10:00']),
      q('theme_day', 2, 3, 'overdue', null),
      q('life', 0, 1, 'overdue', null), // none held, and the year ends within two weeks
    ]);
  });
});

describe('a meeting of the week that was not held', () => {
  it('is left out of the meetings and of the quarter’s count, and listed as not held', () => {
    // AAS (10-28), as if nobody had checked in and no 纪要 had been written.
    const facts = { ...branchA, meetings: branchA.meetings.map((m) => (m.code === 'AAS' ? { ...m, present: 0, notes: 0 } : m)) };
    const f = figures(facts, '2026-W44', LATER);
    expect(f.meetings.map((m) => m.code)).toEqual(['AGC']);
    expect(f.notHeld).toEqual([{ code: 'AAS', type: 'assembly', topic: '部署四季度党建与业务工作', startsAt: at('2026-10-28 15:00') }]);
    expect(f.quarter.find((q) => q.type === 'assembly')).toMatchObject({ held: 0, due: 1 });
  });
});
