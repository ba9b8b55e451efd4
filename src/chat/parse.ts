import type { MeetingType, ServiceCategory } from '../../db/schema.ts';
import { quote } from '../domain/markdown.ts';
import { parseMeetingTime } from '../domain/meeting-time.ts';
import {
  CATEGORY_SPELLINGS,
  type FiveTag,
  MEETING_WORD_LIST,
  TAG_LABELS,
  asCode,
  categoryOf,
  meetingTypeOf,
  tagOf,
} from '../domain/vocabulary.ts';

// Reading a chat line (mention already stripped): the command word at its start, and the pieces
// commands' arguments are made of (codes, periods, times, fields, tags). Each command reads its own
// arguments (its definition under handlers/). Command words and separators are normalised
// (full-width → half-width); free text is kept as sent.

/** This month, quarter or year; or the last quarter or year, whole. */
export type Period = 'month' | 'quarter' | 'year' | 'lastMonth' | 'lastQuarter' | 'lastYear';

/** What 安排 and 补录 say of a meeting. */
export interface MeetingFields {
  type: MeetingType;
  at: number;
  location?: string;
  topic?: string;
  group?: string;
  tags: FiveTag[];
}

/** What reading a time needs: now and the org's zone. */
export interface ParseEnv {
  now: number;
  tz: string;
}

/** A command's arguments as read: typed, or why they could not be read. */
export type ArgsRead<A> = { ok: true; args: A } | { ok: false; reason: string };

export const read = <A>(args: A): ArgsRead<A> => ({ ok: true, args });
export const refuse = (reason: string): ArgsRead<never> => ({ ok: false, reason });

// Between words: spaces (incl. U+3000) and ASCII/full-width : , 、 ;
const SEPARATORS = /^[\s\u3000:：,，、;；]+/u;
const TOKEN = /^[^\s\u3000:：,，、;；]+/u;

export const normalise = (word: string) => word.normalize('NFKC').toLowerCase();
export const chars = (text: string) => [...text].length;

/** The first `count` words (normalised) and the raw rest of the line. */
export function splitHead(line: string, count: number): { words: string[]; rest: string } {
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

/** How many characters of `text` spell `word` once normalised (full-width forms, case); -1 when they do not. */
function spelled(text: string, word: string): number {
  let read = '';
  let used = 0;
  for (const char of text) {
    if (read === word) break;
    read += normalise(char);
    used += char.length;
    if (!word.startsWith(read)) return -1;
  }
  return read === word ? used : -1;
}

// A particle after the command word (签到了, 签到啦) is how people type, not an argument.
const PARTICLE = /^(了|啦|吧|呀|哈|一下)(?=$|[\s\u3000，。！？!?,.、~～])/u;
// Sentence punctuation at the end of a line, and before free text.
const TRAILING = /[\s\u3000。！？!?.,，、~～…]+$/u;
export const LEADING = /^[\s\u3000。！？!?.,，、~～…:：;；]+/u;

/**
 * Text without the sentence punctuation at its end: what a command that takes at most a code or a
 * period reads (签到！), and how free text is checked for being empty.
 */
export const dropEndPunctuation = (text: string) => text.replace(TRAILING, '');

// A member's command said in a sentence: 我要请假，…, 我来签到 (the lead-in is dropped), 请个假 …, and
// 签 到 typed with a space. Only before what a member does for herself: 我来会议室了 is not 会议.
const SAID_AS: [RegExp, string][] = [
  [/^我(?:要|想|来|需要)(?=请假|请个假|签到|销假|补学|汇报)/u, ''],
  [/^请个假/u, '请假'],
  [/^签[\s\u3000]+到/u, '签到'],
];
// 「到」 alone answers a roll call: a check-in. Only the whole line: 到 begins many sentences.
const ROLL_CALL = /^到(?:了|啦)?[\s\u3000。！？!?.,，、~～…]*$/u;

/**
 * Reads the command word at the start of a line among `words`, as people type it — in full-width
 * forms, with a `/`, followed by a particle, punctuation or directly by its first argument (签到4WE,
 * 汇报企业 …) — and the raw rest of the line. A Latin word (help, report…) must end where a word ends.
 */
export function commandReader(words: readonly string[]): (line: string) => { word: string; rest: string } | undefined {
  // Longest first, so that a word that begins another wins whole.
  const list = [...words].sort((a, b) => b.length - a.length);
  return (line) => {
    let head = line.replace(SEPARATORS, '').replace(/^[/／]/u, '');
    if (ROLL_CALL.test(head)) return { word: '签到', rest: '' };
    for (const [said, word] of SAID_AS) head = head.replace(said, word);
    for (const word of list) {
      const used = spelled(head, word);
      if (used < 0) continue;
      const rest = head.slice(used);
      if (/^[a-z]/.test(word) && /^[\p{L}\p{N}]/u.test(rest)) continue;
      return { word, rest: rest.replace(PARTICLE, '').replace(SEPARATORS, '').trimEnd() };
    }
    return undefined;
  };
}

export const PERIODS: Record<string, Period> = {
  本月: 'month',
  本季度: 'quarter',
  本季: 'quarter',
  本年: 'year',
  今年: 'year',
  上月: 'lastMonth',
  上个月: 'lastMonth',
  上季度: 'lastQuarter',
  上季: 'lastQuarter',
  上个季度: 'lastQuarter',
  去年: 'lastYear',
  上年: 'lastYear',
};

/** The period a word names; this quarter when none is written; undefined when the word names none. */
export const periodOf = (rest: string): Period | undefined => (rest === '' ? 'quarter' : PERIODS[normalise(rest)]);

export const notACode = (word: string) => `${quote(word)}不是会议编号：编号是三位字母或数字，如 K7Q，见会议通知。`;

/** A command that takes nothing after its word (`word`, as a refusal names it). */
export const noArguments =
  (word: string) =>
  (rest: string): ArgsRead<object> =>
    dropEndPunctuation(rest) ? refuse(`「${word}」后面不需要写别的内容。`) : read({});

/** A command that takes an optional meeting code and nothing else. */
export function optionalCode(rest: string): ArgsRead<{ code?: string }> {
  const text = dropEndPunctuation(rest);
  if (!text) return read({});
  const code = asCode(text);
  return code ? read({ code }) : refuse(notACode(text));
}

/** The meeting code a command begins with and the raw rest; `missing` when no word is written. */
export function leadingCode(rest: string, missing: string): { code: string; rest: string } | { reason: string } {
  const { words, rest: after } = splitHead(rest, 1);
  const code = words[0] === undefined ? undefined : asCode(words[0]);
  if (!code) return { reason: words[0] === undefined ? missing : notACode(words[0]) };
  return { code, rest: after };
}

/** The meeting code a command may begin with (请假 K7Q …, or 请假 …): the code, if any, and the rest after it. */
export function maybeCode(rest: string): { code?: string; rest: string } {
  const { words, rest: after } = splitHead(rest, 1);
  const code = words[0] === undefined ? undefined : asCode(words[0]);
  return code ? { code, rest: after } : { rest };
}

/** The category a report begins with, spaced or glued to its text (汇报企业走访…), and the raw text after it. */
export function leadingCategory(args: string): { category: ServiceCategory; rest: string } | undefined {
  const text = args.replace(SEPARATORS, '');
  for (const word of CATEGORY_SPELLINGS) {
    const used = spelled(text, word);
    if (used < 0) continue;
    const rest = text.slice(used);
    if (/^[a-z]/.test(word) && /^[\p{L}\p{N}]/u.test(rest)) continue;
    return { category: categoryOf(word)!, rest: rest.replace(SEPARATORS, '').trimEnd() };
  }
  return undefined;
}

// 地点 / 议题 (or 主题) / 小组 start a field when they begin a word.
const FIELD = /(^|[\s\u3000,，;；])(地点|议题|主题|小组)[:：]?[\s\u3000]*/gu;
const FIELD_KEYS = { 地点: 'location', 议题: 'topic', 主题: 'topic', 小组: 'group' } as const;
const FIELD_LIMITS = { location: 200, topic: 500, group: 100 } as const;

/** A meeting as 安排 (one to come: `ahead`) and 补录 (one held: `past`) write it: type, time, then its fields and tags. */
export function meetingFields(args: string, env: ParseEnv, when: 'ahead' | 'past'): ArgsRead<MeetingFields> {
  const { words, rest } = splitHead(args, 1);
  if (words[0] === undefined) return refuse(`请写明会议类型（${MEETING_WORD_LIST}）和时间。`);
  const type = meetingTypeOf(words[0]);
  if (!type) return refuse(`未知的会议类型${quote(words[0])}，可选：${MEETING_WORD_LIST}。`);
  const tagged = trailingTags(rest);
  if ('reason' in tagged) return refuse(tagged.reason);

  const marks = [...tagged.text.matchAll(FIELD)];
  const timeText = tagged.text.slice(0, marks[0]?.index ?? tagged.text.length);
  const fields: Partial<Record<'location' | 'topic' | 'group', string>> = {};
  for (const [i, mark] of marks.entries()) {
    const key = FIELD_KEYS[mark[2] as keyof typeof FIELD_KEYS];
    const value = tagged.text.slice(mark.index + mark[0].length, marks[i + 1]?.index ?? tagged.text.length).trim();
    if (!value) return refuse(`「${mark[2]}」后面请写内容。`);
    if (fields[key] !== undefined) return refuse(`「${mark[2]}」写了两次。`);
    if (chars(value) > FIELD_LIMITS[key]) return refuse(`「${mark[2]}」太长：最多 ${FIELD_LIMITS[key]} 个字。`);
    fields[key] = value;
  }
  if (fields.group !== undefined && type !== 'group') return refuse('只有党小组会需要写「小组」。');
  const time = parseMeetingTime(timeText, env.now, env.tz, when);
  if (!time.ok) return refuse(time.reason);
  return read({ type, at: time.at, ...fields, tags: tagged.tags });
}

/** Splits `#同研究`-style tags off the end of a text; a `#同…` word that is not a tag is an error. */
export function trailingTags(text: string): { text: string; tags: FiveTag[] } | { reason: string } {
  const tags: FiveTag[] = [];
  const unknown: string[] = [];
  let body = text;
  for (;;) {
    const match = /[\s\u3000]*[#＃](\S+)$/u.exec(body);
    if (!match) break;
    const word = normalise(match[1]!);
    if (!word.startsWith('同')) break;
    const tag = tagOf(word);
    if (!tag) unknown.unshift(`#${word}`);
    else if (!tags.includes(tag)) tags.unshift(tag);
    body = body.slice(0, match.index);
  }
  if (unknown.length)
    return {
      reason: `未知的五同标签${[...new Set(unknown)].map((w) => quote(w)).join('')}，可用：${Object.values(TAG_LABELS)
        .map((l) => `#${l}`)
        .join(' ')}。`,
    };
  return { text: body.trim(), tags };
}

/** Edit distance of two short words (insertions, deletions, substitutions), by characters. */
function distance(a: string, b: string): number {
  const x = [...a];
  const y = [...b];
  let row = Array.from({ length: y.length + 1 }, (_, j) => j);
  for (let i = 1; i <= x.length; i++) {
    const next = [i];
    for (let j = 1; j <= y.length; j++) next[j] = Math.min(row[j]! + 1, next[j - 1]! + 1, row[j - 1]! + (x[i - 1] === y[j - 1] ? 0 : 1));
    row = next;
  }
  return row[y.length]!;
}

/**
 * Which of `words` a line that is not a command most likely meant (`签道` → `签到`): a Chinese word
 * one character off, the first one right — a pinyin keyboard's wrong pick of a homophone, not
 * another word (收到). The first in `words` wins.
 */
export function suggester(words: readonly string[]): (line: string) => string | undefined {
  const chinese = words.filter((w) => /^\p{Script=Han}/u.test(w));
  return (line) => {
    const chars = [...line.replace(SEPARATORS, '').normalize('NFKC')];
    const head = chars.slice(0, 2).join('');
    if (!/^\p{Script=Han}{2}$/u.test(head)) return undefined;
    // A mistyped word still ends where a command word would (我们开会吗 is not a mistyped 我的).
    const after = chars.slice(2).join('');
    if (after && !WORD_END.test(after)) return undefined;
    return chinese.find((word) => word[0] === head[0] && distance(head, word) === 1);
  };
}

const WORD_END = /^(?:[\s\u3000:：,，、;；。！？!?.~～…]|[a-z0-9]|了|啦|吧|呀|哈|一下)/iu;

export type Pleasantry = 'greeting' | 'thanks' | 'ack';

// What people say to a bot that is not a command; each gets one friendly line, not 「没有看懂」.
const PLEASANTRIES: Record<string, Pleasantry> = {
  你好: 'greeting',
  您好: 'greeting',
  早上好: 'greeting',
  上午好: 'greeting',
  下午好: 'greeting',
  晚上好: 'greeting',
  谢谢: 'thanks',
  谢谢你: 'thanks',
  谢谢您: 'thanks',
  多谢: 'thanks',
  感谢: 'thanks',
  辛苦了: 'thanks',
  收到: 'ack',
  好的: 'ack',
  好: 'ack',
  好嘞: 'ack',
  嗯: 'ack',
  嗯嗯: 'ack',
  知道了: 'ack',
  明白: 'ack',
  明白了: 'ack',
  ok: 'ack',
};

/** A greeting, thanks or acknowledgement said alone (谢谢！, 收到了, 你好呀), else undefined. */
export function pleasantry(line: string): Pleasantry | undefined {
  const said = normalise(line.replace(SEPARATORS, '')).replace(TRAILING, '');
  return PLEASANTRIES[said] ?? PLEASANTRIES[said.replace(/(?:了|啦|呀|啊|哈|呢|哦)$/u, '')];
}
