import { type CommandOf, defineCommand } from '../src/chat/command.ts';
import { type Period, dropEndPunctuation, periodOf, read, refuse } from '../src/chat/parse.ts';
import { quote } from '../src/domain/markdown.ts';
import type { MemberContext } from '../src/chat/context.ts';
import { branchMembers } from '../src/chat/meeting-lookup.ts';
import { MEETING_LABELS } from '../src/domain/vocabulary.ts';
import { TYPE_STATUS_LABELS, meetingState, onRosterAt, progress, typeStatus, typesDue } from '../src/domain/meetings.ts';
import { type CalendarPeriod, periodRange, quarterName, toLocal } from '../src/domain/time.ts';
import { listBranchMeetings } from '../db/meetings.ts';
import { SAY } from '../src/chat/replies.ts';

export const statsCommand = defineCommand({
  kind: 'stats',
  words: ['统计', 'stats'],
  usage: '统计 [本月|本季度|本年|上月|上季度|去年]（三会一课完成情况，默认本季度）',
  refusalTitle: '暂不能统计',
  action: 'branch.read',
  parse(rest) {
    const text = dropEndPunctuation(rest);
    const period = periodOf(text);
    return period ? read({ period }) : refuse(`看不懂统计范围${quote(text)}，可选：本月、本季度、本年、上月、上季度、去年。`);
  },
  reads: { roster: true },
  handle: stats,
});

const RANGE_LABELS: Record<CalendarPeriod, string> = { month: '本月', quarter: '本季度', year: '本年' };

/** The past periods 统计 can be asked about, each a whole calendar period. */
const LAST: Record<Exclude<Period, CalendarPeriod>, CalendarPeriod> = { lastMonth: 'month', lastQuarter: 'quarter', lastYear: 'year' };

/** The name of the month, quarter or year around `asOf`: 本月… while it runs, 2026年12月… once past. */
function rangeName(range: CalendarPeriod, asOf: number, tz: string, past: boolean): string {
  if (!past) return RANGE_LABELS[range];
  const { year, month } = toLocal(asOf, tz);
  return range === 'year' ? `${year}年` : range === 'quarter' ? quarterName(year, month) : `${year}年${month}月`;
}

/** The calendar period a 统计 asks about, the moment it is counted as of, and whether it is past. */
function periodAsked(period: Period, now: number, tz: string): { range: CalendarPeriod; asOf: number; past: boolean } {
  if (period === 'month' || period === 'quarter' || period === 'year') return { range: period, asOf: now, past: false };
  const range = LAST[period];
  // A past period is counted as of its last moment: everything in it was due.
  return { range, asOf: periodRange(range, now, tz).from - 1, past: true };
}

/** 统计: 三会一课 held against due for the branch, per type; only meetings held count. */
async function stats(ctx: MemberContext, command: CommandOf<'stats', { period: Period }>): Promise<void> {
  const tz = ctx.org.timezone;
  const { range, asOf, past } = periodAsked(command.period, ctx.clock.now(), tz);
  const label = rangeName(range, asOf, tz, past);
  // A type due less often than the period asked is counted over its own: load the whole year.
  const year = periodRange('year', asOf, tz);
  const meetings = await listBranchMeetings(ctx.db, ctx.member.org_id, ctx.member.branch_id, year.from, year.to);
  const current = (await branchMembers(ctx)).filter((m) => onRosterAt(m, asOf));
  const counted = progress(meetings, range, asOf, tz, typesDue(current));
  const rows = counted.map((p) => {
    // A type counted over a longer range than asked names it: 本季度 now, 2026年第四季度 once past.
    const scope = p.range === range ? '' : `（${rangeName(p.range, asOf, tz, past)}）`;
    const status = typeStatus(p, asOf, tz);
    return SAY.statsRow(`${MEETING_LABELS[p.type]}${scope}`, p.held, p.due, status === 'done' ? '✓' : TYPE_STATUS_LABELS[status]);
  });
  const { from, to } = periodRange(range, asOf, tz);
  const notHeld = meetings.filter(
    (m) => m.starts_at >= from && m.starts_at < to && meetingState(m, asOf, ctx.settings.checkinCloses) === 'not_held',
  ).length;
  if (notHeld) rows.push('', SAY.statsNotHeld(notHeld));
  const backfilled = counted.reduce((n, p) => n + p.backfilled, 0);
  if (backfilled) rows.push('', SAY.statsBackfilled(backfilled));
  ctx.reply({ title: `${label}三会一课`, markdown: SAY.stats(label, rows) });
}
