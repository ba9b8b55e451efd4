import type { Command } from '../src/chat/parse.ts';
import { type MemberContext, UserError, requireDirect } from '../src/chat/context.ts';
import { LINK_MINUTES, issueLink } from '../src/chat/links.ts';
import { meetingByCode } from '../src/chat/meeting-lookup.ts';
import { sendLater } from '../src/chat/outbox.ts';
import { SAY } from '../src/chat/replies.ts';
import { ledgerFileName } from '../src/domain/ledger.ts';
import { type FileRecipe, deliveryId } from '../src/domain/outbound.ts';
import { recordFileName } from '../src/domain/record-docx.ts';
import { privateTarget } from '../src/domain/targets.ts';
import { periodRange, quarterKey, quarterOfKey } from '../src/domain/time.ts';
import { MEETING_LABELS } from '../src/domain/vocabulary.ts';
import { getBranch } from '../db/branches.ts';
import { listOrgChannels } from '../db/channels.ts';

/**
 * 导出: a 台账 file to the secretary who asked, privately — the quarter's 三会一课台账 (.xlsx) or a
 * meeting's 会议记录 (.docx). It goes as a file message where a channel can send one; else, with
 * PUBLIC_URL set, as a link in the reply that works once for 10 minutes.
 */
export async function exportFile(ctx: MemberContext, command: Extract<Command, { kind: 'export' }>): Promise<void> {
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

  const privately = privateTarget(member, await listOrgChannels(ctx.db, member.org_id));
  if (privately) {
    await sendLater(ctx, {
      id: deliveryId('export', [message.channelId, message.messageId]),
      orgId: member.org_id,
      target: privately.target,
      message: { title: name, markdown: name, file: recipe },
    });
    ctx.reply({ title: '导出', markdown: SAY.exportSending(name) });
    return;
  }
  const base = ctx.settings.publicUrl;
  if (!base) throw new UserError(SAY.exportUnreachable);
  const url = await issueLink(ctx, base, 'download', JSON.stringify(recipe));
  ctx.reply({ title: '导出', markdown: SAY.exportLink(name, url, LINK_MINUTES) });
}
