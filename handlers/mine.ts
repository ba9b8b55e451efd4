import { type MemberContext, requireDirect } from '../src/chat/context.ts';
import { defineCommand } from '../src/chat/command.ts';
import { noArguments } from '../src/chat/parse.ts';
import { branchMembers, expectedThere } from '../src/chat/meeting-lookup.ts';
import { CATEGORY_LABELS } from '../src/domain/vocabulary.ts';
import { isHeld } from '../src/domain/meetings.ts';
import { periodRange } from '../src/domain/time.ts';
import type { ServiceCategory } from '../db/schema.ts';
import { listAttendance } from '../db/attendance.ts';
import { listBranchMeetings } from '../db/meetings.ts';
import { listReports } from '../db/reports.ts';
import { SAY } from '../src/chat/replies.ts';

export const mineCommand = defineCommand({
  kind: 'mine',
  words: ['我的', 'me'],
  usage: '我的（本季度自己的出勤和汇报，仅私聊回复）',
  refusalTitle: '暂不能查看',
  action: 'own.records',
  parse: noArguments('我的'),
  reads: { roster: true },
  handle: mine,
});

/** 我的: the sender's own attendance rate and reports this quarter, privately. Nothing ranks members. */
async function mine(ctx: MemberContext): Promise<void> {
  requireDirect(ctx, '我的');
  const { member, db } = ctx;
  const now = ctx.clock.now();
  const { from, to } = periodRange('quarter', now, ctx.org.timezone);
  const members = await branchMembers(ctx);
  const meetings = (await listBranchMeetings(db, member.org_id, member.branch_id, from, to)).filter(
    (m) => isHeld(m, now) && expectedThere(m, members, member.id),
  );
  const counts = { present: 0, leave: 0, absent: 0, makeup: 0 };
  for (const meeting of meetings) {
    const row = (await listAttendance(db, meeting.id)).find((a) => a.member_id === member.id);
    counts[row?.status ?? 'absent'] += 1;
    if (row?.makeup_at != null) counts.makeup += 1;
  }
  // Approved leave is counted apart: the rate is of the meetings the member was to attend, less leave.
  const countable = meetings.length - counts.leave;
  const rate = countable ? Math.round((counts.present / countable) * 100) : null;
  const reports = await listReports(db, member.org_id, { memberId: member.id }, from, to);
  const perCategory = Object.entries(CATEGORY_LABELS)
    .map(([key, label]) => [label, reports.filter((r) => r.category === (key as ServiceCategory)).length] as const)
    .filter(([, n]) => n > 0)
    .map(([label, n]) => `${label} ${n}`);
  const reportLine = `${reports.length} 条${perCategory.length ? `（${perCategory.join('，')}）` : ''}`;
  ctx.reply({ title: SAY.mineTitle, markdown: SAY.mine({ due: meetings.length, ...counts, rate }, reportLine) });
}
