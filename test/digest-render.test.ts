import { describe, expect, it } from 'vitest';
import type { MeetingType } from '../db/schema.ts';
import { markdownHtml } from '../src/admin/console/markdown.ts';
import type { FiveTag } from '../src/domain/vocabulary.ts';
import { CONTINUATION_MARKER, PART_LIMITS, digestMarkdown, renderDigest, splitMarkdown } from '../src/render/digest.ts';
import type { DigestFigures, QuarterType, WeekMeeting } from '../src/domain/digest/types.ts';
import { fromLocal } from '../src/domain/time.ts';

// The 五同 digest's markdown as a pure function of its figures: sections, escaping, splitting.

const TZ = 'Asia/Shanghai';
const NOW = fromLocal({ year: 2026, month: 11, day: 29, hour: 20 }, TZ); // Sunday of 2026-W48
const at = (day: number, hour = 14, minute = 30, month = 11) => fromLocal({ year: 2026, month, day, hour, minute }, TZ);
const bytes = (s: string) => Buffer.byteLength(s, 'utf8');
const strip = (part: string) => part.replace(CONTINUATION_MARKER, '');
const TAGS: FiveTag[] = ['research', 'deploy', 'inspect', 'assess', 'review'];

const quarterRow = (type: MeetingType, over: Partial<QuarterType> = {}): QuarterType => ({
  type,
  held: 1,
  backfilled: 0,
  due: 1,
  range: 'quarter',
  status: 'done',
  next: null,
  ...over,
});

function figures(over: Partial<DigestFigures> = {}): DigestFigures {
  return {
    week: '2026-W48',
    branch: { id: 'b1', name: '第一党支部' },
    quarter: [
      quarterRow('assembly'),
      quarterRow('committee', { held: 2, due: 3, status: 'pending', next: { code: 'K7Q', startsAt: at(5, 14, 30, 12) } }),
      quarterRow('group', { held: 1, due: 3, status: 'overdue' }),
      quarterRow('lecture', { held: 0, due: 1, status: 'pending' }),
      quarterRow('theme_day', { held: 2, due: 3, status: 'pending' }),
    ],
    meetings: [
      {
        code: 'ABC',
        type: 'committee',
        topic: '研究年度考核方案',
        startsAt: at(24),
        present: 5,
        backfilled: false,
        expected: 7,
        absentWithoutLeave: ['李四'],
        pendingMakeup: ['李四', '王五'],
      },
    ],
    notHeld: [],
    reports: {
      total: 3,
      perCategory: { enterprise: 2, project: 0, grassroots: 1, public: 0 },
      excerpts: [
        { member: '张三', category: 'enterprise', text: '走访园区企业三家，协调解决用工问题。' },
        { member: '赵六', category: 'grassroots', text: '到社区开展政策宣讲。' },
      ],
      silentFourWeeks: ['钱七', '孙八'],
    },
    coverage: TAGS.map((tag, i) => ({ tag, thisWeek: [2, 1, 0, 0, 1][i]!, lastWeek: [1, 0, 0, 1, 0][i]!, inferred: i === 0 ? 1 : 0 })),
    gaps: ['inspect', 'assess'],
    change: { attendanceRate: 5 / 7, previousAttendanceRate: 0.65, reports: 3, previousReports: 9 },
    ...over,
  };
}

const pad = (n: number) => String(n).padStart(2, '0');
const member = (n: number) => `成员${pad(n)}`;
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

/** 60 members, 40 reports in the week, six meetings with many absentees. */
function largeBranch(): DigestFigures {
  const meetingTypes: MeetingType[] = ['assembly', 'committee', 'group', 'group', 'lecture', 'theme_day'];
  const meetings: WeekMeeting[] = meetingTypes.map((type, i) => ({
    code: ['AB2', 'CD3', 'EF4', 'GH5', 'JK6', 'MN7'][i]!,
    type,
    topic: `第${i + 1}次会议：学习贯彻全会精神，研究部署年终工作`,
    startsAt: at(23 + i, 9 + i),
    present: 20,
    expected: 60,
    backfilled: false,
    absentWithoutLeave: range(1 + i * 5, 30 + i * 5).map(member),
    pendingMakeup: range(1 + i * 5, 40 + i * 5)
      .filter((n) => n <= 60)
      .map(member),
  }));
  return figures({
    branch: { id: 'big', name: '机关第二党支部' },
    meetings,
    reports: {
      total: 40,
      perCategory: { enterprise: 12, project: 10, grassroots: 9, public: 9 },
      excerpts: [
        { member: member(3), category: 'enterprise', text: '走访企业'.repeat(40) },
        { member: member(4), category: 'project', text: '推进重点项目审批。' },
        { member: member(5), category: 'public', text: '接待群众来访。' },
      ],
      silentFourWeeks: range(31, 60).map(member),
    },
    change: { attendanceRate: 1 / 3, previousAttendanceRate: 0.5, reports: 40, previousReports: 31 },
  });
}

const sectionHeadings = (markdown: string) => markdown.split('\n').filter((l) => l.startsWith('### '));

describe('the digest markdown', () => {
  it('has a title, a heading and the five sections in order', () => {
    const { title, parts } = renderDigest(figures(), { format: 'wecom', audience: 'private', tz: TZ, now: NOW });
    expect(title).toBe('第一党支部五同周报：2026年第48周');
    expect(parts).toHaveLength(1);
    const md = parts[0]!;
    expect(md.startsWith('## 第一党支部五同周报\n\n2026年第48周（11月23日—11月29日）\n')).toBe(true);
    expect(sectionHeadings(md)).toEqual(['### 三会一课（本季度）', '### 本周会议', '### 四服务汇报', '### 五同', '### 与上周相比']);
  });

  it('marks meetings entered with 补录, in the quarter’s counts and in the week’s meetings', () => {
    const base = figures();
    const md = digestMarkdown(
      figures({
        quarter: [quarterRow('committee', { held: 2, backfilled: 1, due: 3, status: 'pending' })],
        meetings: [{ ...base.meetings[0]!, backfilled: true }],
      }),
      { audience: 'private', tz: TZ, now: NOW },
    );
    expect(md).toContain('- 支部委员会会议：已开 2（含补录1） / 应开 3 进行中');
    expect(md).toMatch(/到会 5\/\d+（补录）/);
    expect(digestMarkdown(base, { audience: 'private', tz: TZ, now: NOW })).not.toContain('补录');
  });

  it('renders the quarter per type: done, pending with the next meeting, overdue', () => {
    const md = digestMarkdown(figures(), { audience: 'private', tz: TZ, now: NOW });
    expect(md).toContain('- 支部党员大会：已开 1 / 应开 1 ✓\n');
    expect(md).toContain('- 支部委员会会议：已开 2 / 应开 3 进行中，下次：K7Q 12月5日（周六）14:30\n');
    expect(md).toContain('- 党小组会：已开 1 / 应开 3 **已逾期**\n');
    expect(md).toContain('- 党课：已开 0 / 应开 1 进行中\n');
  });

  it('renders the week’s meetings with attendance, absentees and pending 补学', () => {
    const md = digestMarkdown(figures(), { audience: 'private', tz: TZ, now: NOW });
    expect(md).toContain('- 支部委员会会议「研究年度考核方案」（ABC）11月24日（周二）14:30：到会 5/7');
    expect(md).toContain('  - 未请假缺席：李四\n');
    expect(md).toContain('  - 待补学：李四、王五\n');
  });

  it('says so when no meeting was held, and the change line says 本周无会议', () => {
    const md = digestMarkdown(
      figures({ meetings: [], change: { attendanceRate: null, previousAttendanceRate: null, reports: 0, previousReports: 2 } }),
      { audience: 'private', tz: TZ, now: NOW },
    );
    expect(md).toContain('### 本周会议\n本周没有召开会议。');
    expect(md).toContain('### 与上周相比\n本周无会议（上周无会议）；汇报 0 条（上周 2 条）');
    expect(md).not.toContain('出勤率');
  });

  it('renders the attendance rate against last week’s and the report counts', () => {
    const md = digestMarkdown(figures(), { audience: 'private', tz: TZ, now: NOW });
    expect(md).toContain('### 与上周相比\n出勤率 71%（上周 65%）；汇报 3 条（上周 9 条）');
  });

  it('renders reports: counts per category, excerpts as quotes, the silent members', () => {
    const md = digestMarkdown(figures(), { audience: 'private', tz: TZ, now: NOW });
    expect(md).toContain('- 本周 3 条：服务企业 2、服务项目 0、服务基层 1、服务群众 0');
    expect(md).toContain('\n\n> 张三（服务企业）：走访园区企业三家，协调解决用工问题。\n\n> 赵六（服务基层）：到社区开展政策宣讲。\n\n');
    expect(md).toContain('近四周未汇报：钱七、孙八');
  });

  it('cuts a long excerpt to 80 characters with …, and shows at most three', () => {
    const long = '长'.repeat(200);
    const f = figures();
    f.reports.excerpts = [1, 2, 3, 4].map((n) => ({ member: `甲${n}`, category: 'public', text: long }));
    const md = digestMarkdown(f, { audience: 'private', tz: TZ, now: NOW });
    const quotes = md.split('\n').filter((l) => l.startsWith('> '));
    expect(quotes).toHaveLength(3);
    const text = quotes[0]!.slice('> 甲1（服务群众）：'.length);
    expect(Array.from(text)).toHaveLength(80);
    expect(text).toBe(`${'长'.repeat(79)}…`);
  });

  it('renders 五同 coverage per tag with the inferred count and the gaps', () => {
    const md = digestMarkdown(figures(), { audience: 'private', tz: TZ, now: NOW });
    expect(md).toContain('- 同研究：本周 2（其中 1 项据议题推断） / 上周 1\n');
    expect(md).toContain('- 同部署：本周 1 / 上周 0\n');
    expect(md).toContain('\n\n**本周空白**：同检查、同考核');
    const none = digestMarkdown(figures({ gaps: [] }), { audience: 'private', tz: TZ, now: NOW });
    expect(none).not.toContain('本周空白');
  });

  it('writes bold that a CommonMark renderer (the console’s) shows as bold in Chinese text', () => {
    for (const audience of ['private', 'group'] as const) {
      const html = markdownHtml(digestMarkdown(figures(), { audience, tz: TZ, now: NOW }));
      expect(html).toContain('<strong>本周空白</strong>：同检查、同考核');
      expect(html).not.toContain('**');
    }
  });

  it('puts the footer at the end', () => {
    const footer = ['_2027 年的节假日安排尚未公布，按周末推算。_'];
    const { parts } = renderDigest(figures(), { format: 'wecom', audience: 'private', tz: TZ, now: NOW, footer });
    expect(parts[0]!.endsWith(`\n\n${footer[0]}`)).toBe(true);
  });

  it('has no table rows', () => {
    for (const f of [figures(), largeBranch()]) {
      for (const platform of ['wecom', 'dingtalk'] as const) {
        const { parts } = renderDigest(f, { format: platform, audience: 'private', tz: TZ, now: NOW });
        for (const line of parts.join('\n').split('\n')) {
          expect(line).not.toMatch(/^\s*\|/);
          expect(line).not.toMatch(/(^|[^\\])\|/);
        }
      }
    }
  });
});

describe('a large branch', () => {
  const f = largeBranch();
  const footer = ['注：2027 年节假日数据缺失，工作日按周末推算。'];
  const markdown = digestMarkdown(f, { audience: 'private', tz: TZ, now: NOW, footer });

  it('splits for WeCom into parts of at most 4096 bytes, dropping nothing', () => {
    const { parts } = renderDigest(f, { format: 'wecom', audience: 'private', tz: TZ, now: NOW, footer });
    expect(bytes(markdown)).toBeGreaterThan(4096);
    expect(parts.length).toBeGreaterThan(1);
    for (const part of parts) expect(bytes(part)).toBeLessThanOrEqual(4096);
    expect(parts.map(strip).join('')).toBe(markdown);
    for (const [i, part] of parts.slice(1).entries()) expect(part.startsWith(`（续 ${i + 2}/${parts.length}）\n`)).toBe(true);
    expect(parts[0]!.startsWith('## 机关第二党支部五同周报\n\n2026年第48周（11月23日—11月29日）')).toBe(true);
    // The footer ends the last part; the headings are all there, once each.
    expect(parts.at(-1)!.endsWith(footer[0]!)).toBe(true);
    expect(sectionHeadings(parts.map(strip).join(''))).toHaveLength(5);
  });

  it('keeps lines whole when sections fit, so every expected name appears whole in some part', () => {
    const { parts } = renderDigest(f, { format: 'wecom', audience: 'private', tz: TZ, now: NOW });
    const lines = new Set(parts.flatMap((p) => strip(p).split('\n')));
    for (const line of markdown.split('\n')) if (!footer.includes(line)) expect(lines.has(line)).toBe(true);
    for (const m of f.meetings) {
      expect(lines.has(`  - 未请假缺席：${m.absentWithoutLeave.join('、')}`)).toBe(true);
      expect(lines.has(`  - 待补学：${m.pendingMakeup.join('、')}`)).toBe(true);
    }
    expect(lines.has(`近四周未汇报：${range(31, 60).map(member).join('、')}`)).toBe(true);
    for (const n of range(1, 60)) expect(parts.some((p) => p.includes(member(n)))).toBe(true);
  });

  it('cuts only at line boundaries when no line is longer than a part', () => {
    for (const platform of ['wecom', 'wecom-app'] as const) {
      const { parts } = renderDigest(f, { format: platform, audience: 'private', tz: TZ, now: NOW });
      for (const part of parts) expect(bytes(part)).toBeLessThanOrEqual(PART_LIMITS[platform]);
      for (const part of parts.slice(1)) expect(strip(part).startsWith('\n')).toBe(true);
      // The first part holds the heading and the quarter whole.
      expect(parts[0]).toContain('### 三会一课（本季度）\n');
      expect(parts[0]).toContain('- 主题党日：已开 2 / 应开 3 进行中');
    }
    expect(PART_LIMITS['wecom-app']).toBe(2048);
  });

  it('splits for DingTalk into fewer parts of at most 18,000 bytes (as JSON too)', () => {
    const wecom = renderDigest(f, { format: 'wecom', audience: 'private', tz: TZ, now: NOW, footer }).parts;
    const dingtalk = renderDigest(f, { format: 'dingtalk', audience: 'private', tz: TZ, now: NOW, footer }).parts;
    expect(dingtalk.length).toBeLessThan(wecom.length);
    for (const part of dingtalk) {
      expect(bytes(part)).toBeLessThanOrEqual(18_000);
      expect(bytes(JSON.stringify(part)) - 2).toBeLessThanOrEqual(18_000);
    }
    expect(dingtalk.map(strip).join('')).toBe(markdown);
  });

  it('splits a DingTalk digest too long for one body, counting JSON escapes', () => {
    const huge = largeBranch();
    // 600 silent members whose names are full of quotes: each costs double in JSON.
    huge.reports.silentFourWeeks = range(1, 600).map((n) => `"${String(n).padStart(4, '0')}"名字"`);
    const md = digestMarkdown(huge, { audience: 'private', tz: TZ, now: NOW });
    const { parts } = renderDigest(huge, { format: 'dingtalk', audience: 'private', tz: TZ, now: NOW });
    expect(parts.length).toBeGreaterThan(1);
    for (const part of parts) expect(bytes(JSON.stringify(part)) - 2).toBeLessThanOrEqual(PART_LIMITS.dingtalk);
    expect(parts.map(strip).join('')).toBe(md);
  });
});

describe('splitting', () => {
  it('splits a line longer than the limit between characters, never inside a surrogate pair', () => {
    const line = `近四周未汇报：${range(1, 400)
      .map((n) => `😀＊${n}`)
      .join('')}`;
    const md = `## 标题\n\n### 一\n短\n\n### 二\n${line}\n\n### 三\n尾`;
    const parts = splitMarkdown(md, 'wecom', 500);
    expect(parts.length).toBeGreaterThan(4);
    for (const part of parts) {
      expect(bytes(part)).toBeLessThanOrEqual(500);
      expect(part).not.toMatch(/[\ud800-\udbff]$/); // no lone high surrogate at the end
      expect(part).not.toMatch(/^（续 \d+\/\d+）\n[\udc00-\udfff]/); // nor a lone low one at the start
      expect(Buffer.from(part, 'utf8').toString('utf8')).toBe(part); // well-formed
    }
    expect(parts.map(strip).join('')).toBe(md);
  });

  it('starts a section that fits in a part on a new part, and fills a part with the start of one that does not', () => {
    const section = (name: string, lines: number) => [`### ${name}`, ...range(1, lines).map((n) => `- 第${n}行`)].join('\n');
    const md = [section('甲', 10), section('乙', 10), section('丙', 12), section('丁', 60)].join('\n\n');
    const parts = splitMarkdown(md, 'wecom', 300);
    // 甲 and 乙 fit together, 丙 does not fit after them: it starts the next part, whole.
    expect(parts[0]).toBe([section('甲', 10), section('乙', 10)].join('\n\n'));
    expect(parts[1]!.startsWith(`（续 2/${parts.length}）\n\n\n${section('丙', 12)}\n\n### 丁\n- 第1行\n`)).toBe(true);
    // 丁 is longer than any part: it is split at lines, each part as full as the next line allows.
    expect(bytes(parts[1]!)).toBeGreaterThan(300 - 16);
    for (const part of parts.slice(2)) expect(strip(part)).toMatch(/^\n- 第\d+行/);
    expect(parts.map(strip).join('')).toBe(md);
  });

  it('counts the marker against the limit, however many parts there are', () => {
    const md = range(1, 3000)
      .map((n) => `- 行${n}`)
      .join('\n');
    const parts = splitMarkdown(md, 'wecom', 100);
    expect(parts.length).toBeGreaterThan(99);
    for (const part of parts) expect(bytes(part)).toBeLessThanOrEqual(100);
    expect(parts.at(-1)!.startsWith(`（续 ${parts.length}/${parts.length}）\n`)).toBe(true);
    expect(parts.map(strip).join('')).toBe(md);
  });

  it('leaves a digest within the limit whole', () => {
    expect(splitMarkdown('## 短', 'wecom')).toEqual(['## 短']);
  });
});

describe('hostile user text', () => {
  const hostile = [
    '**粗体**',
    '[x](http://evil)',
    '<@all>',
    '@所有人',
    '<font color="red">红</font>',
    '`code`',
    'a | b | c',
    '行一\n## 假标题\n- 假项目',
  ];
  const evil = hostile.join(' ');
  const f = figures({
    branch: { id: 'b', name: '支部\n## 假标题 @所有人' },
    meetings: [
      {
        code: 'ABC',
        type: 'group',
        topic: evil,
        startsAt: at(24),
        present: 1,
        backfilled: false,
        expected: hostile.length + 1,
        absentWithoutLeave: hostile,
        pendingMakeup: hostile,
      },
    ],
    reports: {
      total: 2,
      perCategory: { enterprise: 1, project: 0, grassroots: 0, public: 1 },
      excerpts: [
        { member: '<@zhangsan>', category: 'enterprise', text: evil },
        { member: '@all', category: 'public', text: '\n## 假标题\n\n### 第六节\n> 引用' },
      ],
      silentFourWeeks: hostile,
    },
  });

  for (const platform of ['wecom', 'dingtalk'] as const) {
    it(`cannot break the ${platform} markdown or mention anyone`, () => {
      const { title, parts } = renderDigest(f, { format: platform, audience: 'private', tz: TZ, now: NOW });
      const md = parts.join('\n');
      expect(md).not.toContain('**粗体**');
      expect(md).not.toMatch(/(?<!\\)\]\(/); // no markdown link
      expect(md).not.toMatch(/(?<!\\)\[x/);
      expect(md).not.toMatch(/(?<!\\)<@/);
      expect(md).not.toMatch(/(?<!\\)<font/);
      expect(md).not.toMatch(/(?<!\\)`/);
      expect(md).not.toMatch(/(?<!\\)\|/); // no table cell
      expect(md).not.toMatch(/[@＠](?!\u200b)/); // every @ is followed by a zero-width space
      expect(md).not.toMatch(/^## 假标题/m);
      expect(md).not.toMatch(/^- 假项目/m);
      expect(md).not.toMatch(/^> 引用/m);
      expect(sectionHeadings(md)).toHaveLength(5);
      expect(md.split('\n').filter((l) => l.startsWith('## '))).toHaveLength(1);
      expect(md).toContain('＊＊粗体＊＊');
      expect(md).toContain('@\u200b所有人');
      expect(title).not.toContain('\n');
      expect(title).not.toMatch(/[@＠](?!\u200b)/);
    });
  }

  it('keeps the list lines one line each', () => {
    const md = digestMarkdown(f, { audience: 'private', tz: TZ, now: NOW });
    const lines = md.split('\n');
    expect(lines.filter((l) => l.startsWith('  - 未请假缺席：'))).toHaveLength(1);
    expect(lines.filter((l) => l.startsWith('近四周未汇报：'))).toHaveLength(1);
    expect(lines.filter((l) => l.startsWith('> '))).toHaveLength(2);
  });
});
