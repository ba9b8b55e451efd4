import { type IsoDate, type WorkCalendar, addDays, isoDate, localDateTime, parseIsoDate } from './calendar.ts';
import { MEETING_LABELS } from './vocabulary.ts';
import { escapeMarkdown } from './markdown.ts';
import { CADENCE, type MeetingFacts, type TypeProgress, progress } from './meetings.ts';
import type { MeetingType } from './records.ts';
import type { OutboundMessage } from './outbound.ts';
import { type CalendarPeriod, formatLocal, periodRange, quarterName } from './time.ts';

// 三会一课 compliance notices as a pure function of a date, the working-day calendar and
// each branch's meetings. The job (jobs/compliance.ts) runs it every day at 09:00 org time:
// - monthStart: on the first working day of the month, each branch's group chats hear which meeting
//   types are still due (monthly types this month, quarterly types this quarter);
// - quarterStart: the same on the first working day of a quarter — which is also the first working
//   day of its first month, so that day sends this one notice and no separate monthStart;
// - quarterEndWarning: on the working day on or after (last day of the quarter − 14 days), the
//   secretary of each branch that has not yet held a quarterly type (党员大会, 党课) is told privately.
// The texts name branches and meeting types, never members, and rank nothing.

export type ComplianceKind = 'monthStart' | 'quarterStart' | 'quarterEndWarning';

/** The local hour the notices are computed for (and the scheduler fires at). */
export const COMPLIANCE_HOUR = 9;

/** How long before a quarter's last day its secretaries are warned. */
export const QUARTER_END_WARNING_DAYS = 14;

export interface ComplianceDays {
  /** First working day of the date's month. */
  monthStart: IsoDate;
  /** First working day of the date's quarter. */
  quarterStart: IsoDate;
  /** Last calendar day of the date's quarter. */
  quarterEnd: IsoDate;
  /** Working day on or after quarterEnd − 14 days. */
  quarterEndWarning: IsoDate;
  /** Years whose working days had to be guessed (no chinese-days data, no override), sorted. */
  gaps: number[];
}

const quarterOf = (month: number) => Math.floor((month - 1) / 3) + 1;

function mustParse(date: IsoDate) {
  const d = parseIsoDate(date);
  if (!d) throw new RangeError(`not a calendar date: ${JSON.stringify(date)}`);
  return d;
}

/** The days of the date's month and quarter on which a notice is due, by the working-day calendar. */
export function complianceDays(date: IsoDate, calendar: WorkCalendar): ComplianceDays {
  const { year, month } = mustParse(date);
  const quarter = quarterOf(month);
  const monthStart = calendar.firstWorkdayOfMonth(year, month);
  const quarterStart = calendar.firstWorkdayOfQuarter(year, quarter);
  const quarterEnd = addDays(quarter === 4 ? isoDate(year + 1, 1, 1) : isoDate(year, quarter * 3 + 1, 1), -1);
  const warning = calendar.nextWorkday(addDays(quarterEnd, -QUARTER_END_WARNING_DAYS), { includeSelf: true });
  const gaps = new Set([...monthStart.gaps, ...quarterStart.gaps, ...warning.gaps]);
  if (calendar.dayKind(date).source === 'weekday-guess') gaps.add(year);
  return {
    monthStart: monthStart.date,
    quarterStart: quarterStart.date,
    quarterEnd,
    quarterEndWarning: warning.date,
    gaps: [...gaps].sort((a, b) => a - b),
  };
}

/** The kinds of notice due on `date` (none on a day that is not a working day), and the calendar gaps. */
export function dueNotices(date: IsoDate, calendar: WorkCalendar): { kinds: ComplianceKind[]; gaps: number[]; days: ComplianceDays } {
  const days = complianceDays(date, calendar);
  const kinds: ComplianceKind[] = [];
  if (date === days.quarterStart) kinds.push('quarterStart');
  else if (date === days.monthStart) kinds.push('monthStart');
  if (date === days.quarterEndWarning) kinds.push('quarterEndWarning');
  return { kinds, gaps: days.gaps, days };
}

export interface ComplianceBranch {
  id: string;
  /** The branch's name as the admin entered it: escaped in the text. */
  name: string;
  /** The branch's meetings of the date's year (more do no harm: progress() takes the period's). */
  meetings: MeetingFacts[];
  /** The types it is due to hold (typesDue: no 党小组会 without 党小组). */
  types: MeetingType[];
}

export interface ComplianceNotice {
  kind: ComplianceKind;
  branchId: string;
  /** `chats`: the branch's group chats; `secretary`: the branch secretary privately. */
  to: 'chats' | 'secretary';
  message: OutboundMessage;
}

export interface ComplianceInput {
  /** The local date in the org zone, `YYYY-MM-DD`. */
  date: IsoDate;
  tz: string;
  calendar: WorkCalendar;
  branches: ComplianceBranch[];
}

export interface ComplianceResult {
  kinds: ComplianceKind[];
  notices: ComplianceNotice[];
  /** Years guessed as Monday–Friday: the caller logs them. */
  gaps: number[];
}

/** The notices due on `input.date` at 09:00 org time, per branch. */
export function complianceNotices(input: ComplianceInput): ComplianceResult {
  const { date, tz, calendar } = input;
  const { kinds, gaps, days } = dueNotices(date, calendar);
  const notices: ComplianceNotice[] = [];
  if (kinds.length === 0) return { kinds, notices, gaps };
  const at = localDateTime(date, tz, { hour: COMPLIANCE_HOUR });
  const { year, month } = mustParse(date);
  const quarterLabel = quarterName(year, month);

  // A yearly type (组织生活会) is called for in the year's last quarter only, not every month.
  const types = (branch: ComplianceBranch) => branch.types.filter((t) => CADENCE[t] !== 'year' || quarterOf(month) === 4);
  for (const branch of input.branches) {
    const rows = progress(branch.meetings, 'month', at, tz, types(branch)).filter((p) => p.held < p.due);
    const name = escapeMarkdown(branch.name);
    for (const kind of kinds) {
      if (kind === 'quarterEndWarning') {
        const missing = rows.filter((p) => CADENCE[p.type] !== 'month');
        if (missing.length === 0) continue;
        const lines = missing.map((p) => `- ${MEETING_LABELS[p.type]}${scheduledNote(branch.meetings, p, at, tz)}`);
        notices.push({
          kind,
          branchId: branch.id,
          to: 'secretary',
          message: {
            title: '三会一课季度提醒',
            markdown: [
              '### 三会一课季度提醒',
              `${quarterLabel}将于 ${formatDay(days.quarterEnd)} 结束，**${name}**本季度尚未召开：`,
              lines.join('\n'),
              '请在季度结束前安排召开（发送「安排 会议类型 时间」）。',
            ].join('\n\n'),
          },
        });
        continue;
      }
      if (rows.length === 0) continue;
      const heading =
        kind === 'quarterStart' ? `${quarterLabel}开始。**${name}**本月及本季度尚需召开：` : `**${name}** ${year}年${month}月尚需召开：`;
      const lines = rows.map(
        (p) =>
          `- ${MEETING_LABELS[p.type]}：${RANGE_LABELS[p.range]}已开 ${p.held} 次，应开 ${p.due} 次${scheduledNote(branch.meetings, p, at, tz)}`,
      );
      notices.push({
        kind,
        branchId: branch.id,
        to: 'chats',
        message: {
          title: '三会一课提醒',
          markdown: [
            '### 三会一课提醒',
            heading,
            lines.join('\n'),
            '发送「安排 会议类型 时间」安排会议，如「安排 支委会 明天15:00」。',
          ].join('\n\n'),
        },
      });
    }
  }
  return { kinds, notices, gaps };
}

const RANGE_LABELS: Record<CalendarPeriod, string> = { month: '本月', quarter: '本季度', year: '本年' };

/** `，已安排在11月20日（周五）14:30` when a meeting of the type is scheduled later in the period. */
function scheduledNote(meetings: MeetingFacts[], p: TypeProgress, at: number, tz: string): string {
  const { to } = periodRange(p.range, at, tz);
  const next = meetings
    .filter((m) => m.type === p.type && m.status === 'scheduled' && m.starts_at > at && m.starts_at < to)
    .sort((a, b) => a.starts_at - b.starts_at)[0];
  return next ? `，已安排在${formatLocal(next.starts_at, tz)}` : '';
}

/** `12月31日`. */
function formatDay(date: IsoDate): string {
  const { month, day } = mustParse(date);
  return `${month}月${day}日`;
}
