import { type CommandOf, defineCommand } from '../src/chat/command.ts';
import { type ArgsRead, chars, leadingCategory, read, refuse, splitHead, trailingTags } from '../src/chat/parse.ts';
import { quote } from '../src/domain/markdown.ts';
import type { MemberContext } from '../src/chat/context.ts';
import { CATEGORY_LABELS, type FiveTag, TAG_LABELS } from '../src/domain/vocabulary.ts';
import type { ServiceCategory } from '../db/schema.ts';
import { newId } from '../src/core/ids.ts';
import { insertReport } from '../db/reports.ts';
import { SAY } from '../src/chat/replies.ts';

const MIN_CHARS = 5;
const MAX_CHARS = 500;

interface ReportArgs {
  category: ServiceCategory;
  text: string;
  tags: FiveTag[];
}

export const reportCommand = defineCommand({
  kind: 'report',
  words: ['汇报', 'report'],
  usage: '汇报 类别 内容 [#同研究 …]（类别：企业、项目、基层、群众），例如：汇报 企业 走访某公司，协调解决用电难题',
  refusalTitle: '汇报未提交',
  action: 'own.records',
  parse: parseReport,
  // A burst of 汇报 shares one INSERT.
  reads: { heldRows: true },
  handle: report,
});

function parseReport(args: string): ArgsRead<ReportArgs> {
  const word = splitHead(args, 1).words[0];
  if (word === undefined) return refuse('请写明服务类别和内容。');
  const said = leadingCategory(args);
  if (!said) return refuse(`未知的服务类别${quote(word)}，可选：企业、项目、基层、群众。`);
  const tagged = trailingTags(said.rest);
  if ('reason' in tagged) return refuse(tagged.reason);
  const length = chars(tagged.text);
  if (length < MIN_CHARS) return refuse(`汇报内容太短：至少 ${MIN_CHARS} 个字。`);
  if (length > MAX_CHARS) return refuse(`汇报内容太长：最多 ${MAX_CHARS} 个字，现在 ${length} 个字。`);
  return read({ category: said.category, text: tagged.text, tags: tagged.tags });
}

/** 汇报: one 四服务 report, stored in the member's own branch. */
async function report(ctx: MemberContext, command: CommandOf<'report', ReportArgs>): Promise<void> {
  const { member } = ctx;
  const at = ctx.clock.now();
  await insertReport(ctx.db, {
    id: newId(at),
    org_id: member.org_id,
    branch_id: member.branch_id,
    member_id: member.id,
    category: command.category,
    text: command.text,
    tags: command.tags,
    at,
    source: ctx.message.messageId,
  });
  const label = CATEGORY_LABELS[command.category];
  const tags = command.tags.map((t) => TAG_LABELS[t]);
  ctx.reply({ title: `已记录${label}汇报`, markdown: SAY.reported(member.name, label, tags, command.text) });
}
