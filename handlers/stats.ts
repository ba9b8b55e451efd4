import type { Command } from '../src/chat/parse.ts';
import type { MemberContext } from '../src/chat/context.ts';
import { MEETING_LABELS } from '../src/domain/vocabulary.ts';
import { progress } from '../src/domain/meetings.ts';
import { periodRange } from '../src/domain/time.ts';
import { listBranchMeetings } from '../db/meetings.ts';

const PERIOD_LABELS = { month: '本月', quarter: '本季度', year: '本年' } as const;

/** 统计: 三会一课 held against due for the branch, per type. */
export async function stats(ctx: MemberContext, command: Extract<Command, { kind: 'stats' }>): Promise<void> {
  const now = ctx.clock.now();
  const tz = ctx.org.timezone;
  // A quarterly type asked about a month is counted over its quarter: load the wider of the two.
  const { from, to } = periodRange(command.period === 'year' ? 'year' : 'quarter', now, tz);
  const meetings = await listBranchMeetings(ctx.db, ctx.member.org_id, ctx.member.branch_id, from, to);
  const rows = progress(meetings, command.period, now, tz).map((p) => {
    const scope = p.range === command.period ? '' : `（${PERIOD_LABELS[p.range]}）`;
    const mark = p.held >= p.due ? '✓' : '未完成';
    return `- ${MEETING_LABELS[p.type]}${scope}：已开 ${p.held} 次 / 应开 ${p.due} 次　${mark}`;
  });
  ctx.reply({
    title: `${PERIOD_LABELS[command.period]}三会一课`,
    markdown: [`**${PERIOD_LABELS[command.period]}三会一课完成情况**`, '', ...rows].join('\n'),
  });
}
