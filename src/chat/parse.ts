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

// One parser from a chat line (mention already stripped) to a typed command or a typed error.
// Command words and separators are normalised (full-width → half-width); free text is kept as sent.

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

export type Command =
  | { kind: 'help' }
  | { kind: 'report'; category: ServiceCategory; text: string; tags: FiveTag[] }
  | { kind: 'bind'; branchName: string }
  | { kind: 'checkin'; code?: string }
  | { kind: 'leave'; code?: string; reason: string }
  | { kind: 'makeup'; code?: string; text: string }
  | { kind: 'mine' }
  | ({ kind: 'schedule' } & MeetingFields)
  /** 补录: a meeting held without the bot, entered afterwards. */
  | ({ kind: 'backfill' } & MeetingFields)
  | { kind: 'reschedule'; code: string; at: number }
  | { kind: 'cancel'; code: string; reason?: string }
  | { kind: 'attendance'; code?: string }
  | { kind: 'remind'; code?: string }
  | { kind: 'stats'; period: Period }
  | { kind: 'weekly' }
  | { kind: 'register'; code: string; names: string[]; status: 'present' | 'leave' }
  /** `sets`: `纪要 code 主持人 姓名` names the record's 主持人 (or 记录人) instead of adding a note. */
  | { kind: 'minutes'; code: string; text: string; sets?: { role: 'host' | 'recorder'; name: string } }
  | { kind: 'meetings' }
  | { kind: 'withdraw'; code?: string }
  | { kind: 'console' }
  /** 导出: the quarter's 台账 (this or the last) or one meeting's 会议记录. */
  | { kind: 'export'; of: { quarter: 'this' | 'last' } | { code: string } };

export type CommandKind = Command['kind'];

export type Parsed =
  | { ok: true; command: Command }
  /** The command word was understood, the rest was not. */
  | { ok: false; kind: CommandKind; reason: string };

/** What reading a time needs: now and the org's zone. */
export interface ParseEnv {
  now: number;
  tz: string;
}

const WORDS: Record<string, CommandKind> = {
  帮助: 'help',
  help: 'help',
  '?': 'help',
  汇报: 'report',
  report: 'report',
  绑定: 'bind',
  bind: 'bind',
  签到: 'checkin',
  checkin: 'checkin',
  请假: 'leave',
  leave: 'leave',
  补学: 'makeup',
  makeup: 'makeup',
  我的: 'mine',
  me: 'mine',
  安排: 'schedule',
  schedule: 'schedule',
  改期: 'reschedule',
  reschedule: 'reschedule',
  补录: 'backfill',
  backfill: 'backfill',
  取消: 'cancel',
  cancel: 'cancel',
  出勤: 'attendance',
  attendance: 'attendance',
  提醒: 'remind',
  remind: 'remind',
  统计: 'stats',
  stats: 'stats',
  周报: 'weekly',
  digest: 'weekly',
  登记: 'register',
  register: 'register',
  纪要: 'minutes',
  minutes: 'minutes',
  会议: 'meetings',
  meetings: 'meetings',
  销假: 'withdraw',
  withdraw: 'withdraw',
  导出: 'export',
  export: 'export',
  控制台: 'console',
  console: 'console',
};

export const USAGE: Record<CommandKind, string> = {
  help: '帮助',
  report: '汇报 类别 内容 [#同研究 …]（类别：企业、项目、基层、群众），例如：汇报 企业 走访某公司，协调解决用电难题',
  bind: '绑定 支部名称（书记在本支部的群里发送，把这个群绑定到支部），例如：绑定 第一党支部',
  checkin: '签到 [会议编号]，例如：签到 或 签到 K7Q',
  leave: '请假 [会议编号] 事由，例如：请假 K7Q 外出执行防汛任务',
  makeup: '补学 [会议编号] 学习体会，例如：补学 K7Q 学习了会议精神，体会是……',
  mine: '我的（本季度自己的出勤和汇报，仅私聊回复）',
  schedule: `安排 会议类型 时间 [地点 X] [议题 Y] [小组 Z] [#同研究 …]（类型：${MEETING_WORD_LIST}），例如：安排 支委会 明天下午3点 地点 三楼会议室 议题 研究年度工作 #同研究`,
  backfill: `补录 会议类型 召开时间 [地点 X] [议题 Y] [小组 Z]（记下没有用机器人召开的会议，限本季度和上季度；再用「登记」记到会），例如：补录 支委会 11月20日 15:00 议题 研究发展党员工作`,
  reschedule: '改期 会议编号 新时间，例如：改期 K7Q 12月8日 15:00',
  cancel: '取消 会议编号 [原因]（会议开始后取消，记为未召开），例如：取消 K7Q',
  attendance: '出勤 [会议编号]（到会、请假、缺席名单，仅私聊回复）',
  remind: '提醒 [会议编号]（现在在群里提醒尚未签到的同志）',
  stats: '统计 [本月|本季度|本年|上月|上季度|去年]（三会一课完成情况，默认本季度）',
  weekly: '周报（本周到目前为止的五同周报，仅私聊回复）',
  register: '登记 会议编号 姓名… 到|请假（为不用群聊的同志登记），例如：登记 K7Q 张三 李四 到',
  minutes:
    '纪要 会议编号 内容（记入会议记录；写「主持人 姓名」或「记录人 姓名」指定会议记录的主持人、记录人），例如：纪要 K7Q 会议决定：……',
  meetings: '会议（本支部近期和即将召开的会议及编号）',
  withdraw: '销假 [会议编号]（会议开始前撤回自己的请假），例如：销假 K7Q',
  console: '控制台（登录网页控制台：查看和整理本支部的会议、党员、汇报和台账，仅私聊发送链接）',
  export: '导出 [本季度|上季度|会议编号]（本支部的三会一课台账 Excel，或一次会议的会议记录 Word，私聊发送给你），例如：导出 上季度',
};

/** The title of a refusal, as a notification shows it: what did not happen. */
export const REFUSAL_TITLES: Record<CommandKind, string> = {
  help: '帮助',
  report: '汇报未提交',
  bind: '群聊未绑定',
  checkin: '签到未成功',
  leave: '请假未成功',
  makeup: '补学未提交',
  mine: '暂不能查看',
  schedule: '会议未安排',
  backfill: '会议未补录',
  reschedule: '会议未改期',
  cancel: '会议未取消',
  attendance: '暂不能查看出勤',
  remind: '未发送提醒',
  stats: '暂不能统计',
  weekly: '暂不能生成周报',
  register: '未登记',
  minutes: '纪要未记录',
  meetings: '暂不能查看会议',
  withdraw: '未销假',
  export: '未导出',
  console: '未能登录控制台',
};

export const REPORT_MIN_CHARS = 5;
export const REPORT_MAX_CHARS = 500;
const MAKEUP_MIN_CHARS = 5;
const MAKEUP_MAX_CHARS = 1000;
const REASON_MAX_CHARS = 200;
const MINUTES_MAX_CHARS = 2000;

// Between words: spaces (incl. U+3000) and ASCII/full-width : , 、 ;
const SEPARATORS = /^[\s\u3000:：,，、;；]+/u;
const TOKEN = /^[^\s\u3000:：,，、;；]+/u;

const normalise = (word: string) => word.normalize('NFKC').toLowerCase();
const chars = (text: string) => [...text].length;

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

/** Longest first, so that a word that begins another (`帮助` never does, but `report`/`remind` might) wins whole. */
const WORD_LIST = Object.keys(WORDS).sort((a, b) => b.length - a.length);

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
// Commands whose arguments are at most a code or a period: sentence punctuation at the end is not part of them.
const TRAILING = /[\s\u3000。！？!?.,，、~～…]+$/u;
const LEADING = /^[\s\u3000。！？!?.,，、~～…:：;；]+/u;
const CODE_ONLY: ReadonlySet<CommandKind> = new Set([
  'help',
  'checkin',
  'mine',
  'attendance',
  'remind',
  'stats',
  'weekly',
  'meetings',
  'withdraw',
  'export',
  'console',
]);

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
 * The command word at the start of a line, as people type it — in full-width forms, with a `/`,
 * followed by a particle, punctuation or directly by its first argument (签到4WE, 汇报企业 …) —
 * and the raw rest of the line. A Latin word (help, report…) must end where a word ends.
 */
function splitCommand(line: string): { kind: CommandKind; rest: string } | undefined {
  let head = line.replace(SEPARATORS, '').replace(/^[/／]/u, '');
  if (ROLL_CALL.test(head)) return { kind: 'checkin', rest: '' };
  for (const [said, word] of SAID_AS) head = head.replace(said, word);
  for (const word of WORD_LIST) {
    const used = spelled(head, word);
    if (used < 0) continue;
    let rest = head.slice(used);
    if (/^[a-z]/.test(word) && /^[\p{L}\p{N}]/u.test(rest)) continue;
    const kind = WORDS[word]!;
    rest = rest.replace(PARTICLE, '').replace(SEPARATORS, '');
    if (CODE_ONLY.has(kind)) rest = rest.replace(TRAILING, '');
    return { kind, rest: rest.trimEnd() };
  }
  return undefined;
}

/** The command word of a line, or undefined when the line is not a command (cheap; no env needed). */
export function commandWord(line: string): CommandKind | undefined {
  return splitCommand(line)?.kind;
}

/** Null when the line is not a command at all. */
export function parseCommand(line: string, env: ParseEnv): Parsed | null {
  const split = splitCommand(line);
  if (!split) return null;
  const { kind, rest } = split;
  const fail = (reason: string): Parsed => ({ ok: false, kind, reason });
  const done = (command: Command): Parsed => ({ ok: true, command });
  switch (kind) {
    case 'help':
      return done({ kind });
    case 'mine':
    case 'weekly':
    case 'meetings':
    case 'console':
      return rest ? fail(`「${BARE_WORDS[kind]}」后面不需要写别的内容。`) : done({ kind });
    case 'report':
      return parseReport(rest);
    case 'bind':
      return rest ? done({ kind, branchName: rest }) : fail('请写明要绑定的支部名称。');
    case 'checkin':
    case 'attendance':
    case 'remind':
    case 'withdraw': {
      if (!rest) return done({ kind });
      const code = asCode(rest);
      return code ? done({ kind, code }) : fail(notACode(rest));
    }
    case 'cancel': {
      const { words, rest: reason } = splitHead(rest, 1);
      const code = words[0] === undefined ? undefined : asCode(words[0]);
      if (!code) return fail(words[0] === undefined ? '请写明会议编号。' : notACode(words[0]));
      const text = reason.replace(TRAILING, '');
      if (chars(text) > REASON_MAX_CHARS) return fail(`原因太长：最多 ${REASON_MAX_CHARS} 个字。`);
      return done(text ? { kind, code, reason: text } : { kind, code });
    }
    case 'leave': {
      const { words, rest: after } = splitHead(rest, 1);
      const code = words[0] === undefined ? undefined : asCode(words[0]);
      // 我要请假。家里有事: the punctuation after the word is not part of the reason, nor is a lone 「？」.
      const reason = (code ? after : rest).replace(LEADING, '');
      if (!reason.replace(TRAILING, '')) return fail('请写明请假事由。');
      if (chars(reason) > REASON_MAX_CHARS) return fail(`请假事由太长：最多 ${REASON_MAX_CHARS} 个字。`);
      return done(code ? { kind, code, reason } : { kind, reason });
    }
    case 'makeup': {
      // The code may be left out, as in 请假: the meeting is then the one awaiting the member's 补学.
      const { words, rest: after } = splitHead(rest, 1);
      const code = words[0] === undefined ? undefined : asCode(words[0]);
      const text = code ? after : rest;
      if (chars(text) < MAKEUP_MIN_CHARS) return fail(`请写下学习体会：至少 ${MAKEUP_MIN_CHARS} 个字。`);
      if (chars(text) > MAKEUP_MAX_CHARS) return fail(`学习体会太长：最多 ${MAKEUP_MAX_CHARS} 个字。`);
      return done(code ? { kind, code, text } : { kind, text });
    }
    case 'minutes': {
      const { words, rest: text } = splitHead(rest, 1);
      const code = words[0] === undefined ? undefined : asCode(words[0]);
      if (!code) return fail(words[0] === undefined ? '请写明会议编号。' : notACode(words[0]));
      if (!text) return fail('请写明纪要内容。');
      if (chars(text) > MINUTES_MAX_CHARS) return fail(`纪要太长：最多 ${MINUTES_MAX_CHARS} 个字，可以分几条发送。`);
      const role = RECORD_ROLE.exec(text);
      if (role) return done({ kind, code, text, sets: { role: role[1] === '主持人' ? 'host' : 'recorder', name: role[2]! } });
      return done({ kind, code, text });
    }
    case 'reschedule': {
      const { words, rest: when } = splitHead(rest, 1);
      const code = words[0] === undefined ? undefined : asCode(words[0]);
      if (!code) return fail(words[0] === undefined ? '请写明会议编号和新时间。' : notACode(words[0]));
      const time = parseMeetingTime(when, env.now, env.tz);
      return time.ok ? done({ kind, code, at: time.at }) : fail(time.reason);
    }
    case 'stats': {
      const period = rest === '' ? 'quarter' : PERIODS[normalise(rest)];
      return period ? done({ kind, period }) : fail(`看不懂统计范围${quote(rest)}，可选：本月、本季度、本年、上月、上季度、去年。`);
    }
    case 'export': {
      const period = rest === '' ? 'quarter' : PERIODS[normalise(rest)];
      if (period === 'quarter' || period === 'lastQuarter') return done({ kind, of: { quarter: period === 'quarter' ? 'this' : 'last' } });
      const code = period ? undefined : asCode(rest);
      return code ? done({ kind, of: { code } }) : fail(`看不懂要导出的${quote(rest)}，可写：本季度、上季度或会议编号（如 K7Q）。`);
    }
    case 'register':
      return parseRegister(rest);
    case 'schedule':
    case 'backfill':
      return parseMeeting(kind, rest, env);
  }
}

const PERIODS: Record<string, Period> = {
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

const BARE_WORDS = { mine: '我的', weekly: '周报', meetings: '会议', console: '控制台' } as const;

const notACode = (word: string) => `${quote(word)}不是会议编号：编号是三位字母或数字，如 K7Q，见会议通知。`;

function parseReport(args: string): Parsed {
  const fail = (reason: string): Parsed => ({ ok: false, kind: 'report', reason });
  const word = splitHead(args, 1).words[0];
  if (word === undefined) return fail('请写明服务类别和内容。');
  const read = leadingCategory(args);
  if (!read) return fail(`未知的服务类别${quote(word)}，可选：企业、项目、基层、群众。`);
  const { category, rest } = read;
  const tagged = trailingTags(rest);
  if ('reason' in tagged) return fail(tagged.reason);
  const length = chars(tagged.text);
  if (length < REPORT_MIN_CHARS) return fail(`汇报内容太短：至少 ${REPORT_MIN_CHARS} 个字。`);
  if (length > REPORT_MAX_CHARS) return fail(`汇报内容太长：最多 ${REPORT_MAX_CHARS} 个字，现在 ${length} 个字。`);
  return { ok: true, command: { kind: 'report', category, text: tagged.text, tags: tagged.tags } };
}

/** The category a report begins with, spaced or glued to its text (汇报企业走访…), and the raw text after it. */
function leadingCategory(args: string): { category: ServiceCategory; rest: string } | undefined {
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

// `纪要 K7Q 主持人 张三`: one name after the word, nothing else.
const RECORD_ROLE = /^(主持人|记录人)[:：\s\u3000]*([^\s\u3000:：,，]{1,50})$/u;

const REGISTER_STATUS: Record<string, 'present' | 'leave'> = { 到: 'present', 出席: 'present', 到会: 'present', 请假: 'leave' };

function parseRegister(args: string): Parsed {
  const fail = (reason: string): Parsed => ({ ok: false, kind: 'register', reason });
  const words = args.split(/[\s\u3000,，、;；]+/u).filter(Boolean);
  const code = words[0] === undefined ? undefined : asCode(words[0]);
  if (!code) return fail(words[0] === undefined ? '请写明会议编号、姓名和「到」或「请假」。' : notACode(words[0]));
  const status = REGISTER_STATUS[normalise(words.at(-1) ?? '')];
  if (!status || words.length < 3) return fail('请在姓名后写明「到」或「请假」。');
  const names = [...new Set(words.slice(1, -1))];
  return { ok: true, command: { kind: 'register', code, names, status } };
}

// 地点 / 议题 (or 主题) / 小组 start a field when they begin a word.
const FIELD = /(^|[\s\u3000,，;；])(地点|议题|主题|小组)[:：]?[\s\u3000]*/gu;
const FIELD_KEYS = { 地点: 'location', 议题: 'topic', 主题: 'topic', 小组: 'group' } as const;
const FIELD_LIMITS = { location: 200, topic: 500, group: 100 } as const;

/** 安排 a meeting to come, or 补录 one already held: type, time, then its fields and tags. */
function parseMeeting(kind: 'schedule' | 'backfill', args: string, env: ParseEnv): Parsed {
  const fail = (reason: string): Parsed => ({ ok: false, kind, reason });
  const { words, rest } = splitHead(args, 1);
  if (words[0] === undefined) return fail(`请写明会议类型（${MEETING_WORD_LIST}）和时间。`);
  const type = meetingTypeOf(words[0]);
  if (!type) return fail(`未知的会议类型${quote(words[0])}，可选：${MEETING_WORD_LIST}。`);
  const tagged = trailingTags(rest);
  if ('reason' in tagged) return fail(tagged.reason);

  const marks = [...tagged.text.matchAll(FIELD)];
  const timeText = tagged.text.slice(0, marks[0]?.index ?? tagged.text.length);
  const fields: Partial<Record<'location' | 'topic' | 'group', string>> = {};
  for (const [i, mark] of marks.entries()) {
    const key = FIELD_KEYS[mark[2] as keyof typeof FIELD_KEYS];
    const value = tagged.text.slice(mark.index + mark[0].length, marks[i + 1]?.index ?? tagged.text.length).trim();
    if (!value) return fail(`「${mark[2]}」后面请写内容。`);
    if (fields[key] !== undefined) return fail(`「${mark[2]}」写了两次。`);
    if (chars(value) > FIELD_LIMITS[key]) return fail(`「${mark[2]}」太长：最多 ${FIELD_LIMITS[key]} 个字。`);
    fields[key] = value;
  }
  if (fields.group !== undefined && type !== 'group') return fail('只有党小组会需要写「小组」。');
  const time = parseMeetingTime(timeText, env.now, env.tz, kind === 'schedule' ? 'ahead' : 'past');
  if (!time.ok) return fail(time.reason);
  return { ok: true, command: { kind, type, at: time.at, ...fields, tags: tagged.tags } };
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

const CHINESE_WORDS = Object.keys(WORDS).filter((w) => /^\p{Script=Han}/u.test(w));

/**
 * The command word a line that is not a command most likely meant (`签道` → `签到`): one character
 * off, the first one right — a pinyin keyboard's wrong pick of a homophone, not another word (收到).
 */
export function suggestCommand(line: string): string | undefined {
  const chars = [...line.replace(SEPARATORS, '').normalize('NFKC')];
  const head = chars.slice(0, 2).join('');
  if (!/^\p{Script=Han}{2}$/u.test(head)) return undefined;
  // A mistyped word still ends where a command word would (我们开会吗 is not a mistyped 我的).
  const after = chars.slice(2).join('');
  if (after && !WORD_END.test(after)) return undefined;
  return CHINESE_WORDS.find((word) => word[0] === head[0] && distance(head, word) === 1);
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
