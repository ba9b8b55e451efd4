import { type CommandOf, defineCommand } from '../src/chat/command.ts';
import { dropEndPunctuation, periodOf, read, refuse } from '../src/chat/parse.ts';
import { quote } from '../src/domain/markdown.ts';
import { type MemberContext, UserError, requireDirect } from '../src/chat/context.ts';
import { meetingByCode } from '../src/chat/meeting-lookup.ts';
import { sendLater } from '../src/chat/outbox.ts';
import { SAY } from '../src/chat/replies.ts';
import { ledgerFileName } from '../src/render/ledger.ts';
import { type FileRecipe, deliveryId } from '../src/domain/outbound.ts';
import { recordFileName } from '../src/render/record-docx.ts';
import { auditChat } from '../src/chat/trail.ts';
import { privateAnswer } from '../src/domain/targets.ts';
import { periodRange, quarterKey, quarterOfKey } from '../src/domain/time.ts';
import { MEETING_LABELS, asCode } from '../src/domain/vocabulary.ts';
import { getBranch } from '../db/branches.ts';

/** 导出: the quarter's 台账 (this or the last) or one meeting's 会议记录. */
type ExportArgs = { of: { quarter: 'this' | 'last' } | { code: string } };

export const exportCommand = defineCommand({
  kind: 'export',
  words: ['导出', 'export'],
  usage: '导出 [本季度|上季度|会议编号]（本支部的三会一课台账 Excel，或一次会议的会议记录 Word，私聊发送给你），例如：导出 上季度',
  refusalTitle: '未导出',
  action: 'branch.read',
  parse(rest) {
    const text = dropEndPunctuation(rest);
    const period = periodOf(text);
    if (period === 'quarter' || period === 'lastQuarter')
      return read<ExportArgs>({ of: { quarter: period === 'quarter' ? 'this' : 'last' } });
    const code = period ? undefined : asCode(text);
    return code ? read<ExportArgs>({ of: { code } }) : refuse(`看不懂要导出的${quote(text)}，可写：本季度、上季度或会议编号（如 K7Q）。`);
  },
  handle: exportFile,
});

/**
 * 导出: a 台账 file to the secretary who asked, privately — the quarter's 三会一课台账 (.xlsx) or a
 * meeting's 会议记录 (.docx) — as a file message to her own account, through the channel she asked
 * on (privateAnswer); where no channel can reach her so, she is told.
 */
async function exportFile(ctx: MemberContext, command: CommandOf<'export', ExportArgs>): Promise<void> {
  requireDirect(ctx, '导出');
  const { member, message } = ctx;
  const now = ctx.clock.now();
  const tz = ctx.org.timezone;
  const branch = await getBranch(ctx.db, member.org_id, member.branch_id);
  if (!branch) throw new UserError(SAY.notInRoster);

  let recipe: FileRecipe;
  let name: string;
  if ('code' in command.of) {
    const meeting = await meetingByCode(ctx, command.of.code, { allowCancelled: true });
    recipe = { kind: 'record', branchId: branch.id, code: meeting.code, asOf: now };
    name = recordFileName(branch.name, MEETING_LABELS[meeting.type], meeting.code);
  } else {
    const at = command.of.quarter === 'this' ? now : periodRange('quarter', now, tz).from - 1;
    const key = quarterKey(at, tz);
    recipe = { kind: 'ledger', branchId: branch.id, quarter: key, asOf: now };
    const quarter = quarterOfKey(key, tz)!;
    name = ledgerFileName(branch.name, quarter.label);
  }

  const privately = privateAnswer(member, await ctx.channelRefs(ctx.db, member.org_id), message.channelId, { file: true });
  if (!privately) throw new UserError(SAY.exportUnreachable);
  await sendLater(ctx, {
    id: deliveryId('export', [message.channelId, message.messageId]),
    orgId: member.org_id,
    target: privately.target,
    message: { title: name, markdown: name, file: recipe },
  });
  await auditChat(ctx, 'file.export', `branch:${branch.id}`, { file: name, channel: privately.target.channelId });
  ctx.reply({ title: '导出', markdown: SAY.exportSending(name) });
}
