import type { Command } from '../src/chat/parse.ts';
import type { MemberContext } from '../src/chat/context.ts';
import { CATEGORY_LABELS, TAG_LABELS } from '../src/domain/vocabulary.ts';
import { newId } from '../src/core/ids.ts';
import { reportRow } from '../db/reports.ts';
import { SAY } from '../src/chat/replies.ts';

/** 汇报: one 四服务 report, stored in the member's own branch. */
export async function report(ctx: MemberContext, command: Extract<Command, { kind: 'report' }>): Promise<void> {
  const { member } = ctx;
  const at = ctx.clock.now();
  // Staged, not inserted: a burst of 汇报 shares one INSERT (nothing here reads the report back).
  ctx.stage(
    reportRow({
      id: newId(at),
      org_id: member.org_id,
      branch_id: member.branch_id,
      member_id: member.id,
      category: command.category,
      text: command.text,
      tags: JSON.stringify(command.tags),
      at,
      source: ctx.message.messageId,
    }),
  );
  const label = CATEGORY_LABELS[command.category];
  const tags = command.tags.map((t) => TAG_LABELS[t]);
  ctx.reply({ title: `已记录${label}汇报`, markdown: SAY.reported(member.name, label, tags, command.text) });
}
