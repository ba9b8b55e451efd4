import { readFileSync } from 'node:fs';
import type { MemberContext } from '../src/chat/context.ts';
import { defineCommand } from '../src/chat/command.ts';
import { noArguments } from '../src/chat/parse.ts';
import { SAY } from '../src/chat/replies.ts';

// The version package.json names, read once as the module loads: a release is a new process.
const VERSION = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;

/** 版本: which version of the service answers, for a member telling IT about a problem; reads and writes nothing. */
export const versionCommand = defineCommand({
  kind: 'version',
  words: ['版本', 'version'],
  usage: '版本（同心的版本号，报告问题时可附上）',
  refusalTitle: '暂不能查看版本',
  action: 'service.about',
  parse: noArguments('版本'),
  handle: async (ctx: MemberContext) => ctx.reply({ title: SAY.versionTitle, markdown: SAY.version(VERSION) }),
});
