import type { ServiceCategory } from '../../db/schema.ts';
import { type FiveTag, TAG_LABELS, categoryOf, tagOf } from './vocabulary.ts';

// One parser from a chat line (mention already stripped) to a typed command or a typed error.
// Command words and separators are normalised (full-width → half-width); free text is kept as sent.

export type Command =
  | { kind: 'help' }
  | { kind: 'report'; category: ServiceCategory; text: string; tags: FiveTag[] }
  | { kind: 'bind'; branchName: string };

export type CommandKind = Command['kind'];

export type Parsed =
  | { ok: true; command: Command }
  /** The command word was understood, the rest was not. */
  | { ok: false; kind: CommandKind; reason: string };

const WORDS: Record<string, CommandKind> = {
  帮助: 'help',
  help: 'help',
  '?': 'help',
  汇报: 'report',
  report: 'report',
  绑定: 'bind',
  bind: 'bind',
};

export const USAGE: Record<CommandKind, string> = {
  help: '帮助',
  report: '汇报 类别 内容 [#同研究 …]（类别：企业、项目、基层、群众），例如：汇报 企业 走访某公司，协调解决用电难题',
  bind: '绑定 支部名称（书记在本支部的群里发送，把这个群绑定到支部），例如：绑定 第一党支部',
};

export const REPORT_MIN_CHARS = 5;
export const REPORT_MAX_CHARS = 500;

// Between the command word and its arguments: spaces (incl. U+3000) and ASCII/full-width : , 、 ;
const SEPARATORS = /^[\s\u3000:：,，、;；]+/u;
const TOKEN = /^[^\s\u3000:：,，、;；]+/u;

const normalise = (word: string) => word.normalize('NFKC').toLowerCase();

/** The first `count` words (normalised) and the raw rest of the line. */
function splitHead(line: string, count: number): { words: string[]; rest: string } {
  const words: string[] = [];
  let rest = line;
  while (words.length < count) {
    rest = rest.replace(SEPARATORS, '');
    const token = TOKEN.exec(rest)?.[0];
    if (!token) break;
    words.push(normalise(token));
    rest = rest.slice(token.length);
  }
  return { words, rest: rest.replace(SEPARATORS, '').trimEnd() };
}

/** Null when the line is not a command at all. */
export function parseCommand(line: string): Parsed | null {
  const { words, rest } = splitHead(line, 1);
  const kind = words[0] === undefined ? undefined : WORDS[words[0].replace(/^\//, '')];
  if (!kind) return null;
  switch (kind) {
    case 'help':
      return { ok: true, command: { kind } };
    case 'report':
      return parseReport(rest);
    case 'bind':
      return rest ? { ok: true, command: { kind, branchName: rest } } : { ok: false, kind, reason: '请写明要绑定的支部名称。' };
  }
}

function parseReport(args: string): Parsed {
  const fail = (reason: string): Parsed => ({ ok: false, kind: 'report', reason });
  const { words, rest } = splitHead(args, 1);
  const word = words[0];
  if (word === undefined) return fail('请写明服务类别和内容。');
  const category = categoryOf(word);
  if (!category) return fail(`未知的服务类别「${word}」，可选：企业、项目、基层、群众。`);
  const tagged = trailingTags(rest);
  if ('reason' in tagged) return fail(tagged.reason);
  const length = [...tagged.text].length;
  if (length < REPORT_MIN_CHARS) return fail(`汇报内容太短：至少 ${REPORT_MIN_CHARS} 个字。`);
  if (length > REPORT_MAX_CHARS) return fail(`汇报内容太长：最多 ${REPORT_MAX_CHARS} 个字，现在 ${length} 个字。`);
  return { ok: true, command: { kind: 'report', category, text: tagged.text, tags: tagged.tags } };
}

/** Splits `#同研究`-style tags off the end of a text; a `#同…` word that is not a tag is an error. */
export function trailingTags(text: string): { text: string; tags: FiveTag[] } | { reason: string } {
  const tags: FiveTag[] = [];
  let body = text;
  for (;;) {
    const match = /[\s\u3000]*[#＃](\S+)$/u.exec(body);
    if (!match) break;
    const word = normalise(match[1]!);
    if (!word.startsWith('同')) break;
    const tag = tagOf(word);
    if (!tag) return { reason: `未知的五同标签「#${word}」，可用：${Object.values(TAG_LABELS).map((l) => `#${l}`).join(' ')}。` };
    if (!tags.includes(tag)) tags.unshift(tag);
    body = body.slice(0, match.index);
  }
  return { text: body.trim(), tags };
}
