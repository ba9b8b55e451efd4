import type { ServiceCategory } from '../domain/records.ts';
import { CATEGORY_LABELS, MEETING_LABELS, TAG_LABELS } from '../domain/vocabulary.ts';
import { escapeMarkdown } from '../domain/markdown.ts';
import { meetingTitle } from '../domain/meeting-text.ts';
import { isoWeekRange } from '../domain/iso-week.ts';
import { formatLocal } from '../domain/time.ts';
import { TYPE_STATUS_LABELS, backfilledNote } from '../domain/meetings.ts';
import type { DigestFigures, QuarterType, TypeStatus, WeekMeeting } from '../domain/digest/types.ts';
import type { Audience, MessageFormat } from '../domain/message-format.ts';

// The 五同 weekly digest as Chinese markdown: a pure function of its figures. Five
// sections in a fixed order, lists only (DingTalk markdown has no tables), every piece of user
// text escaped (it can neither break the markdown nor mention anyone), names only in a digest read
// privately and there only in the absent / pending / silent lists and excerpts, in the given order
// (nothing ranks members); a group reads counts. A digest longer than the platform allows is split
// into parts — never truncated.

export interface RenderOptions {
  format: MessageFormat;
  audience: Audience;
  tz: string;
  now: number;
  /** Lines of our own markdown (not escaped) placed at the end of the last part, e.g. calendar gap notes. */
  footer?: string[];
}

/**
 * The size budget of one part. WeCom: the markdown content's UTF-8 bytes (group robot 4096, app
 * message 2048 — APP_MESSAGE_LIMIT in src/platforms/wecom/app-api.ts). DingTalk: the
 * whole JSON body may have 20,000 bytes; the markdown, measured as it is once JSON-escaped, keeps
 * to 18,000 so that the title and the envelope fit in the rest.
 */
export const PART_LIMITS: Record<MessageFormat, number> = { wecom: 4096, 'wecom-app': 2048, dingtalk: 18_000 };

/** The marker a continued part starts with: `（续 2/3）` and a newline. */
export const continuationMarker = (index: number, count: number) => `（续 ${index}/${count}）\n`;

/** Matches the marker at the start of a continued part (to strip it). */
export const CONTINUATION_MARKER = /^（续 \d+\/\d+）\n/;

const SECTION_SEPARATOR = '\n\n';
const EXCERPT_CHARS = 80;

export function renderDigest(figures: DigestFigures, opts: RenderOptions): { title: string; parts: string[] } {
  return {
    title: `${plainText(figures.branch.name)}五同周报：${weekNumber(figures.week)}`,
    parts: splitMarkdown(digestMarkdown(figures, opts), opts.format),
  };
}

/** `2026年第49周`. */
function weekNumber(week: string): string {
  const [year, n] = week.split('-W');
  return `${year}年第${Number(n)}周`;
}

/** `2026年第49周（11月30日—12月6日）`. */
export function weekLabel(week: string): string {
  const range = isoWeekRange(week);
  if (!range) return week;
  const day = (date: string) => {
    const [, month, dayOfMonth] = date.split('-').map(Number);
    return `${month}月${dayOfMonth}日`;
  };
  return `${weekNumber(week)}（${day(range.monday)}—${day(range.sunday)}）`;
}

/** The whole digest as one markdown text, before splitting. */
export function digestMarkdown(figures: DigestFigures, opts: Omit<RenderOptions, 'format'>): string {
  const heading = `## ${escapeMarkdown(figures.branch.name)}五同周报\n\n${weekLabel(figures.week)}`;
  const sections = [
    quarterSection(figures.quarter, opts),
    meetingsSection(figures, opts),
    reportsSection(figures.reports, opts.audience),
    coverageSection(figures),
    changeSection(figures.change),
  ];
  const footer = (opts.footer ?? []).filter((line) => line.trim() !== '');
  const blocks = [`${heading}\n\n${sections[0]}`, ...sections.slice(1)];
  if (footer.length) blocks.push(footer.join('\n\n'));
  return blocks.join(SECTION_SEPARATOR);
}

// --- sections ---------------------------------------------------------------------------------

const STATUS_MARKS: Record<TypeStatus, string> = {
  done: '✓',
  pending: TYPE_STATUS_LABELS.pending,
  overdue: `**${TYPE_STATUS_LABELS.overdue}**`,
};

function quarterSection(quarter: QuarterType[], opts: Pick<RenderOptions, 'tz' | 'now'>): string {
  const lines = quarter.map((q) => {
    const next = q.next ? `，下次：${escapeMarkdown(q.next.code)} ${formatLocal(q.next.startsAt, opts.tz, opts.now)}` : '';
    const scope = q.range === 'year' ? '（本年）' : '';
    const backfilled = backfilledNote(q.backfilled);
    return `- ${MEETING_LABELS[q.type]}${scope}：已开 ${q.held}${backfilled} / 应开 ${q.due} ${STATUS_MARKS[q.status]}${next}`;
  });
  return ['### 三会一课（本季度）', ...(lines.length ? lines : ['本季度没有应开的会议。'])].join('\n');
}

function meetingsSection(figures: DigestFigures, opts: Pick<RenderOptions, 'tz' | 'now' | 'audience'>): string {
  const title = (m: Pick<WeekMeeting, 'type' | 'topic' | 'code' | 'startsAt'>) =>
    meetingTitle({ type: m.type, topic: m.topic, code: m.code, starts_at: m.startsAt }, opts.tz, opts.now);
  const people = (label: string, list: string[]) =>
    list.length === 0 ? [] : [`  - ${label}：${opts.audience === 'private' ? names(list) : `${list.length} 人`}`];
  const lines = figures.meetings.flatMap((m) => [
    `- ${title(m)}：到会 ${m.present}/${m.expected}${m.backfilled ? '（补录）' : ''}`,
    ...people('未请假缺席', m.absentWithoutLeave),
    ...people('待补学', m.pendingMakeup),
  ]);
  lines.push(...figures.notHeld.map((m) => `- ${title(m)}：未召开`));
  return ['### 本周会议', ...(lines.length ? lines : ['本周没有召开会议。'])].join('\n');
}

function reportsSection(reports: DigestFigures['reports'], audience: Audience): string {
  const counts = (Object.keys(CATEGORY_LABELS) as ServiceCategory[])
    .map((c) => `${CATEGORY_LABELS[c]} ${reports.perCategory[c] ?? 0}`)
    .join('、');
  // Blank lines around the quotes: a line right after a quote would be read as part of it.
  const blocks = [`### 四服务汇报\n- 本周 ${reports.total} 条：${counts}`];
  for (const e of reports.excerpts.slice(0, 3)) {
    const from = audience === 'private' ? `${escapeMarkdown(e.member)}（${CATEGORY_LABELS[e.category]}）` : CATEGORY_LABELS[e.category];
    blocks.push(`> ${from}：${escapeMarkdown(excerpt(e.text))}`);
  }
  const silent = reports.silentFourWeeks;
  if (silent.length) blocks.push(`近四周未汇报：${audience === 'private' ? names(silent) : `${silent.length} 人`}`);
  return blocks.join('\n\n');
}

function coverageSection(figures: DigestFigures): string {
  const lines = figures.coverage.map((c) => {
    const inferred = c.inferred > 0 ? `（其中 ${c.inferred} 项据议题推断）` : '';
    return `- ${TAG_LABELS[c.tag]}：本周 ${c.thisWeek}${inferred} / 上周 ${c.lastWeek}`;
  });
  const section = ['### 五同', ...lines].join('\n');
  if (figures.gaps.length === 0) return section;
  // The colon outside the bold: CommonMark does not close `**` after punctuation when a letter
  // follows, so `**本周空白：**同检查` would show its asterisks.
  return `${section}\n\n**本周空白**：${figures.gaps.map((t) => TAG_LABELS[t]).join('、')}`;
}

function changeSection(change: DigestFigures['change']): string {
  const pct = (rate: number) => `${Math.round(rate * 100)}%`;
  const previous = change.previousAttendanceRate === null ? '上周无会议' : `上周 ${pct(change.previousAttendanceRate)}`;
  const attendance = change.attendanceRate === null ? `本周无会议（${previous}）` : `出勤率 ${pct(change.attendanceRate)}（${previous}）`;
  return `### 与上周相比\n${attendance}；汇报 ${change.reports} 条（上周 ${change.previousReports} 条）`;
}

const names = (list: string[]) => list.map(escapeMarkdown).join('、');

/** At most 80 characters (code points), the cut marked with `…`; escaped afterwards, so no escape is cut in half. */
function excerpt(text: string): string {
  const chars = Array.from(text.replace(/\s+/g, ' ').trim());
  return chars.length <= EXCERPT_CHARS ? chars.join('') : `${chars.slice(0, EXCERPT_CHARS - 1).join('')}…`;
}

/** The title is shown as plain text (notification, conversation list): one line, mentioning no one. */
const plainText = (text: string) => text.replace(/[\r\n]+/g, ' ').replace(/[@＠]/g, '$&\u200b');

// --- splitting ---------------------------------------------------------------------------------

/** What one character costs against the platform's limit: UTF-8 bytes, or bytes once JSON-escaped. */
function costOf(char: string, format: MessageFormat): number {
  const cp = char.codePointAt(0)!;
  if (format === 'dingtalk') {
    if (char === '"' || char === '\\' || char === '\n' || char === '\r' || char === '\t' || char === '\b' || char === '\f') return 2;
    if (cp < 0x20) return 6;
    if (cp >= 0xd800 && cp <= 0xdfff) return 6; // a lone surrogate: JSON.stringify writes \udxxx
  }
  if (cp < 0x80) return 1;
  if (cp < 0x800) return 2;
  if (cp >= 0xd800 && cp <= 0xdfff) return 3; // a lone surrogate: U+FFFD in UTF-8
  return cp < 0x10000 ? 3 : 4;
}

/** The cost of a text against the platform's limit. */
export function partCost(text: string, format: MessageFormat): number {
  let cost = 0;
  for (const char of text) cost += costOf(char, format);
  return cost;
}

/** How good a place to cut is: the chunk after it starts with a section, a line, after a separator, anywhere. */
const Rank = { Never: -1, Char: 0, Soft: 1, Line: 2, Section: 3 } as const;
type Rank = (typeof Rank)[keyof typeof Rank];

/**
 * Splits markdown into parts within the platform's limit, continued parts starting with
 * `（续 k/n）`. Cuts at section boundaries where it can, else at line boundaries, else between
 * characters (never inside a surrogate pair or right after an `@`). Parts without their
 * markers concatenate to the markdown exactly.
 */
export function splitMarkdown(markdown: string, format: MessageFormat, limit = PART_LIMITS[format]): string[] {
  const chars = Array.from(markdown);
  const pos = [0]; // code-unit offset of each character boundary
  const cum = [0]; // cost up to each boundary
  for (const char of chars) {
    pos.push(pos[pos.length - 1]! + char.length);
    cum.push(cum[cum.length - 1]! + costOf(char, format));
  }
  if (cum[chars.length]! <= limit) return [markdown];

  const ranks = chars.map((_, i) => rankAt(markdown, chars, pos, i));
  for (let digits = 1; ; digits++) {
    const widest = continuationMarker(10 ** digits - 1, 10 ** digits - 1);
    const budget = limit - partCost(widest, format);
    if (budget < 8) throw new RangeError(`a part limit of ${limit} leaves no room for text`);
    const cuts = cutPoints(cum, ranks, limit, budget);
    const count = cuts.length - 1;
    if (String(count).length > digits) continue;
    return cuts.slice(1).map((end, k) => {
      const text = markdown.slice(pos[cuts[k]!], pos[end]);
      return k === 0 ? text : continuationMarker(k + 1, count) + text;
    });
  }
}

/** The rank of cutting before character i. */
function rankAt(markdown: string, chars: string[], pos: number[], i: number): Rank {
  if (i === 0) return Rank.Never;
  const before = chars[i - 1]!;
  if (before === '@' || before === '＠') return Rank.Never;
  const here = chars[i]!;
  if (here === '\n' && before !== '\n') {
    return markdown.startsWith('\n\n### ', pos[i]) ? Rank.Section : Rank.Line;
  }
  if (before === '、' || before === ' ' || before === '，' || before === '；') return Rank.Soft;
  return Rank.Char;
}

/**
 * Boundary indices [0, …, end], greedily: each part reaches as far as fits and ends at the last
 * section boundary in reach — unless the section starting there would not fit in a part of its own
 * either (it is split anyway), then at the last line boundary on the same terms, then after a
 * separator, then between any two characters.
 */
function cutPoints(cum: number[], ranks: Rank[], firstBudget: number, budget: number): number[] {
  const end = cum.length - 1;
  const cuts = [0];
  let start = 0;
  while (true) {
    const allowed = start === 0 ? firstBudget : budget;
    let far = start;
    while (far < end && cum[far + 1]! - cum[start]! <= allowed) far++;
    if (far === end) break;
    const cut = chooseCut(cum, ranks, start, far, budget);
    cuts.push(cut);
    start = cut;
  }
  cuts.push(end);
  return cuts;
}

function chooseCut(cum: number[], ranks: Rank[], start: number, far: number, budget: number): number {
  const end = cum.length - 1;
  for (const level of [Rank.Section, Rank.Line, Rank.Soft]) {
    let at = far;
    while (at > start && ranks[at]! < level) at--;
    if (at === start) continue;
    // Does the unit starting at `at` (up to the next boundary of this level) fit in a part?
    let next = at + 1;
    while (next < end && ranks[next]! < level && cum[next]! - cum[at]! <= budget) next++;
    if (cum[next]! - cum[at]! <= budget) return at;
  }
  let at = far;
  while (at > start && ranks[at] === Rank.Never) at--;
  // Nowhere allowed (a run of `@` as long as a part): cut where it fits all the same.
  return at > start ? at : far > start ? far : start + 1;
}
