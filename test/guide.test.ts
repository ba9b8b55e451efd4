import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { putAttendance, putMakeup } from '../db/attendance.ts';
import { putBranch } from '../db/branches.ts';
import { putChannel } from '../db/channels.ts';
import { putMember } from '../db/members.ts';
import { insertMeeting } from '../db/meetings.ts';
import { putOrg } from '../db/orgs.ts';
import { insertReport } from '../db/reports.ts';
import type { AttendanceTable, Meeting, Role, ServiceCategory } from '../db/schema.ts';
import { newId } from '../src/core/ids.ts';
import { reminderNotice } from '../src/domain/reminders.ts';
import { fromLocal } from '../src/domain/time.ts';
import { type TestApp, startTestApp } from './helpers/app.ts';
import { viaDingtalk } from './helpers/chat.ts';
import { DIALECTS, meetingRow, memberRow } from './helpers/db.ts';
import { DT_SECRET } from './helpers/dingtalk.ts';
import { type FakePlatform, startFakePlatform } from './helpers/fake-platform.ts';

// The guide's example replies are the bot's: every reply docs/guide.md quotes word for word is
// asked of the running bot, in a state made for it, and compared whole. A quoted reply with no
// state here fails, so that the guide cannot gain an unchecked example.

const GUIDE = readFileSync(new URL('../docs/guide.md', import.meta.url), 'utf8');
const TZ = 'Asia/Shanghai';
const at = (month: number, day: number, hour: number, minute = 0) => fromLocal({ year: 2026, month, day, hour, minute }, TZ);

/** A reply the guide quotes, and the message it answers when the guide gives one. */
interface Example {
  line: number;
  reply: string;
  sent?: string;
  direct: boolean;
}

/** The text of the 「…」 opening at `open`, inner 「」 included; undefined if it does not close on the line. */
function quoteAt(line: string, open: number): string | undefined {
  let depth = 0;
  for (let i = open; i < line.length; i++) {
    if (line[i] === '「') depth++;
    else if (line[i] === '」' && --depth === 0) return line.slice(open + 1, i);
  }
  return undefined;
}

/**
 * The replies the guide quotes: a 「…」 after 回复 or 说 (not 说明, 说话), up to 12 characters
 * between, as in 回复会写明，例如「…」. Its message is the 「…」 just before (「你好」回复「…」,
 * 发送「签道」，会回复「…」), or, for a line that starts with 回复, the 「…」 ending the line above;
 * a 私聊 there means one-to-one.
 */
function guideExamples(markdown: string): Example[] {
  const lines = markdown.split('\n');
  const examples: Example[] = [];
  lines.forEach((line, index) => {
    for (const match of line.matchAll(/(?:回复|说(?![明话]))[^「」\n]{0,12}「/g)) {
      const open = match.index + match[0].length - 1;
      const reply = quoteAt(line, open);
      if (reply === undefined) throw new Error(`guide line ${index + 1}: unclosed 「`);
      const before = /「([^「」]+)」[，会]{0,2}$/.exec(line.slice(0, match.index));
      const previous = lines[index - 1] ?? '';
      const above = /「([^「」]+)」$/.exec(previous);
      if (before) examples.push({ line: index + 1, reply, sent: before[1], direct: false });
      else if (/^\s*回复/.test(line) && above) examples.push({ line: index + 1, reply, sent: above[1], direct: previous.includes('私聊') });
      else examples.push({ line: index + 1, reply, direct: false });
    }
  });
  return examples;
}

/**
 * The bot's markdown as the guide writes it: ** emphasis dropped, its 「」 written 『』, and its
 * lines (list and quote marks, blank lines dropped) joined by a line break.
 */
function asGuideWrites(markdown: string): string {
  return markdown
    .replaceAll('**', '')
    .replaceAll('「', '『')
    .replaceAll('」', '』')
    .split('\n')
    .map((l) => l.replace(/^\s*(?:[-*>]\s+)+/, '').trim())
    .filter((l) => l !== '')
    .join('\n');
}

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

/**
 * Whether the guide's one-line `reply` is the bot's reply (normalised by asGuideWrites): the same
 * text, except that a line break of the bot's may be written as nothing, a space or 。, the guide
 * may end a line with 。 where the bot does not, and 「……」 stands for any text.
 */
function sameReply(guide: string, bot: string): boolean {
  const pattern = guide
    .split('……')
    .map((part) => [...part].map((c) => (c === '。' ? '(?:。|(?=\\n|$))' : /\s/.test(c) ? '\\s+' : escapeRegExp(c))).join('\\n?'))
    .join('[\\s\\S]*?');
  return new RegExp(`^\\n?${pattern}\\n?$`).test(bot);
}

const ROSTER: [string, string, Role][] = [
  ['sec', '陈书记', 'secretary'],
  ['zs', '张三', 'committee'],
  ['ls', '李四', 'committee'],
  ['ww', '王五', 'committee'],
  ['zl', '赵六', 'committee'],
  ['sq', '孙七', 'committee'],
  ['zb', '周八', 'committee'],
  ['wj', '吴九', 'member'],
];
type Who = (typeof ROSTER)[number][0];

describe('the comparison of a guide reply with the bot’s', () => {
  it('joins the bot’s lines, drops its emphasis, reads its 「」 as 『』 and nothing else', () => {
    const bot = asGuideWrites('**张三 已签到**：会议「研究」（K7Q）\n\n- 到会 5/7 人');
    expect(bot).toBe('张三 已签到：会议『研究』（K7Q）\n到会 5/7 人');
    expect(sameReply('张三 已签到：会议『研究』（K7Q）。到会 5/7 人。', bot)).toBe(true);
    expect(sameReply('张三 已签到：会议……（K7Q）……', bot)).toBe(true);
    expect(sameReply('张三 已签到：会议『研究』（K7Q）到会 6/7 人', bot)).toBe(false);
    expect(sameReply('张三 已签到。会议『研究』（K7Q）到会 5/7 人', bot)).toBe(false);
    expect(sameReply('张三 已签到：会议『研究』（K7Q）', bot)).toBe(false);
  });
});

describe('the guide’s reminders', () => {
  it('quote the reminders the group receives, as sent', () => {
    const meeting = {
      id: 'm1',
      type: 'committee',
      topic: '研究年度工作',
      code: 'K7Q',
      starts_at: at(12, 3, 15),
      location: '三楼会议室',
    } as const;
    for (const [kind, lead, now] of [
      ['remind', '会议提醒：', at(12, 2, 15)],
      ['start', '会议开始：', at(12, 3, 15)],
    ] as const) {
      const open = GUIDE.indexOf(`「${lead}`);
      expect(open, lead).toBeGreaterThan(-1);
      const guide = quoteAt(GUIDE, open)!;
      const sent = asGuideWrites(reminderNotice(kind, meeting, TZ, now, 30 * 60_000)!.markdown);
      expect(sameReply(guide, sent), `guide: ${guide}\nsent:  ${sent}`).toBe(true);
    }
  });
});

describe.each(DIALECTS)('the guide’s example replies on %s', (dialect) => {
  let t: TestApp;
  let fake: FakePlatform;
  let worlds = 0;

  beforeAll(async () => {
    fake = await startFakePlatform();
    t = await startTestApp(dialect, {
      env: {
        DINGTALK_OAPI_BASE: fake.url,
        DINGTALK_API_BASE: fake.url,
        WECOM_API_BASE: fake.url,
        PUBLIC_URL: 'https://tongxin.example.gov.cn',
      },
    });
  });
  afterAll(async () => {
    await t?.close();
    await fake?.close();
  });

  /** A fresh org with one branch 第一党支部 bound to a DingTalk group, its roster, at `now`. */
  async function world(now: number) {
    t.clock.set(now);
    const n = ++worlds;
    const org = `g${n}`;
    const channel = `dt${n}`;
    const group = `cidGuide${n}==`;
    await putOrg(t.db, { id: org, name: '机关工委', timezone: TZ, digest_cron: null }, now);
    await putChannel(t.db, org, channel, { platform: 'dingtalk', appKey: 'k', appSecret: DT_SECRET, robotCode: 'r' }, now);
    await putBranch(t.db, org, 'b1', '第一党支部', [{ channel_id: channel, chat_id: group, webhook: null, secret: null }], now);
    for (const [id, name, role] of ROSTER)
      await putMember(t.db, memberRow({ org_id: org, id: `${org}-${id}`, name, role, accounts: { dingtalk: id } }), now);
    const ids: Record<string, string> = {};
    return {
      /** What `who` gets back for `text`, the guide's @同心 taken off as DingTalk does. */
      say: (who: string, text: string, opts: { direct?: boolean; chat?: string } = {}) =>
        viaDingtalk(t, channel, who, text.replace(/^@同心\s*/, ''), { chat: opts.chat ?? group, direct: opts.direct }),
      async meeting(code: string, fields: Partial<Meeting> & Pick<Meeting, 'starts_at'>) {
        const row = meetingRow({ org_id: org, code, type: 'committee', ...fields });
        ids[code] = row.id;
        await insertMeeting(t.db, row);
      },
      async mark(code: string, who: Who[], status: AttendanceTable['status'], note: string | null = null) {
        for (const w of who)
          await putAttendance(
            t.db,
            { meeting_id: ids[code]!, member_id: `${org}-${w}`, org_id: org, status, note, at: t.clock.now(), source: null },
            t.clock.now(),
          );
      },
      makeup: (code: string, who: Who, note: string) => putMakeup(t.db, ids[code]!, `${org}-${who}`, note, t.clock.now()),
      report: (who: Who, category: ServiceCategory, text: string, when: number) =>
        insertReport(t.db, {
          id: newId(when),
          org_id: org,
          branch_id: 'b1',
          member_id: `${org}-${who}`,
          category,
          text,
          tags: [],
          at: when,
          source: null,
        }),
    };
  }

  const K7Q = { type: 'committee', topic: '研究年度工作', starts_at: at(12, 3, 15) } as const;
  const others: Who[] = ['ls', 'ww', 'zl', 'sq'];
  const codeOf = (reply: string) => /（([A-Z0-9]{3})）/.exec(reply)![1]!;

  /**
   * The state and the asking for each reply the guide quotes, by the message the guide sends
   * (or by the reply itself where the guide gives none): what the bot answers there.
   */
  const CASES: Record<string, (sent: string, direct: boolean) => Promise<string | string[]>> = {
    '@同心 签到': async (sent) => {
      const w = await world(at(12, 3, 15, 5));
      await w.meeting('K7Q', K7Q);
      await w.mark('K7Q', others, 'present');
      return w.say('zs', sent);
    },
    '@同心 请假 K7Q 外出执行防汛任务': async (sent) => {
      const w = await world(at(12, 2, 10));
      await w.meeting('K7Q', K7Q);
      return w.say('zs', sent);
    },
    '@同心 销假 K7Q': async (sent) => {
      const w = await world(at(12, 2, 10));
      await w.meeting('K7Q', K7Q);
      await w.mark('K7Q', ['zs'], 'leave', '外出执行防汛任务');
      return w.say('zs', sent);
    },
    '@同心 补学 K7Q 学习了会议传达的文件精神，体会是要把党建和业务一起谋划。': async (sent) => {
      const w = await world(at(12, 3, 18));
      await w.meeting('K7Q', K7Q);
      await w.mark('K7Q', ['zs'], 'leave', '外出执行防汛任务');
      return w.say('zs', sent);
    },
    '@同心 汇报 企业 走访某公司，协调解决用电难题 #同部署': async (sent) => (await world(at(12, 2, 10))).say('zs', sent),
    '@同心 汇报 群众 到社区接待来访群众 12 人次，当场解答政策问题': async (sent) => (await world(at(12, 2, 10))).say('zs', sent),
    我的: async (sent, direct) => {
      const w = await world(at(12, 7, 10));
      const days: [number, number][] = [
        [10, 9],
        [10, 16],
        [10, 23],
        [11, 6],
        [11, 13],
        [11, 20],
      ];
      for (const [i, [month, day]] of days.entries()) {
        const code = `M${i + 2}A`;
        await w.meeting(code, { type: 'lecture', starts_at: at(month, day, 15) });
        await w.mark(code, ['sec'], 'present');
        await w.mark(code, ['zs'], i === 5 ? 'leave' : 'present', i === 5 ? '出差' : null);
      }
      await w.makeup('M7A', 'zs', '学习了会议精神');
      await w.report('zs', 'enterprise', '走访企业了解用工需求', at(10, 12, 10));
      await w.report('zs', 'enterprise', '走访企业协调用电问题', at(11, 12, 10));
      await w.report('zs', 'grassroots', '到社区开展结对共建', at(11, 2, 10));
      await w.report('zs', 'grassroots', '到基层站所调研党建工作', at(11, 25, 10));
      return w.say('zs', sent, { direct });
    },
    '@同心 安排 支委会 明天下午3点 地点 三楼会议室 议题 研究年度工作 #同研究': async (sent) => {
      const w = await world(at(12, 2, 10));
      const reply = await w.say('sec', sent);
      return reply.replaceAll(codeOf(reply), 'K7Q');
    },
    '@同心 改期 K7Q 12月8日 15:00': async (sent) => {
      const w = await world(at(12, 2, 10));
      await w.meeting('K7Q', K7Q);
      return w.say('sec', sent);
    },
    '……原时间的 3 人签到已作废，请到会同志在新的时间重新签到。': async () => {
      const w = await world(at(12, 3, 14, 50));
      await w.meeting('K7Q', K7Q);
      await w.mark('K7Q', ['zs', 'ls', 'ww'], 'present');
      return w.say('sec', '改期 K7Q 12月8日 15:00');
    },
    '@同心 补录 支委会 11月20日 15:00 议题 研究发展党员工作 地点 三楼会议室': async (sent) => {
      const w = await world(at(12, 2, 10));
      const reply = await w.say('sec', sent);
      return reply.replaceAll(codeOf(reply), 'R4N');
    },
    '@同心 取消 K7Q': async (sent) => {
      const w = await world(at(12, 2, 10));
      await w.meeting('K7Q', K7Q);
      return w.say('sec', sent);
    },
    '出勤 K7Q': async (sent, direct) => {
      const w = await world(at(12, 3, 18));
      await w.meeting('K7Q', K7Q);
      await w.mark('K7Q', ['sec', 'zs', 'ww', 'zl', 'sq'], 'present');
      await w.mark('K7Q', ['ls'], 'leave', '外出执行防汛任务');
      await w.makeup('K7Q', 'ls', '学习了会议传达的文件精神');
      return w.say('sec', sent, { direct });
    },
    '@同心 提醒 K7Q': async (sent) => {
      const w = await world(at(12, 3, 15, 20));
      await w.meeting('K7Q', K7Q);
      await w.mark('K7Q', ['sec', 'zs', 'ww', 'zl'], 'present');
      return w.say('sec', sent);
    },
    '应到的同志都已签到或请假，无需提醒：……': async () => {
      const w = await world(at(12, 3, 15, 20));
      await w.meeting('K7Q', K7Q);
      await w.mark('K7Q', ['sec', 'zs', 'ls', 'ww', 'zl', 'sq', 'zb'], 'present');
      return w.say('sec', '提醒');
    },
    '@同心 登记 K7Q 张三 李四 到': async (sent) => {
      const w = await world(at(12, 3, 15, 10));
      await w.meeting('K7Q', K7Q);
      return w.say('sec', sent);
    },
    '……李四此前的请假已撤销，记为到会。': async () => {
      const w = await world(at(12, 3, 15, 10));
      await w.meeting('K7Q', K7Q);
      await w.mark('K7Q', ['ls'], 'leave', '外出执行防汛任务');
      return w.say('sec', '登记 K7Q 张三 李四 到');
    },
    '……你此前的请假已撤销，记为到会。': async () => {
      const w = await world(at(12, 3, 15, 10));
      await w.meeting('K7Q', K7Q);
      await w.mark('K7Q', ['zs'], 'leave', '外出执行防汛任务');
      return w.say('zs', '签到');
    },
    '@同心 纪要 K7Q 会议决定：成立防汛突击队，由张三同志牵头，下周五前报送方案。': async (sent) => {
      const w = await world(at(12, 3, 16));
      await w.meeting('K7Q', K7Q);
      await w.mark('K7Q', ['zs'], 'present');
      return w.say('sec', sent);
    },
    '@同心 统计': async (sent) => {
      const w = await world(at(12, 2, 10));
      await w.meeting('A2B', { type: 'committee', starts_at: at(10, 15, 15) });
      await w.mark('A2B', ['sec'], 'present');
      await w.meeting('A3B', { type: 'assembly', starts_at: at(11, 12, 15) });
      await w.mark('A3B', ['sec', 'zs', 'ls', 'ww', 'zl'], 'present');
      return w.say('sec', sent);
    },
    导出: async (sent, direct) => (await world(at(12, 2, 10))).say('sec', sent, { direct }),
    控制台: async (sent, direct) => (await world(at(12, 2, 10))).say('sec', sent, { direct }),
    '@同心 绑定 第一党支部': async (sent) => (await world(at(12, 2, 10))).say('sec', sent, { chat: 'cidNewGroup==' }),
    好的: async () => {
      const w = await world(at(12, 2, 10));
      return [await w.say('zs', '收到'), await w.say('zs', '好的')];
    },
    你好: async (sent) => (await world(at(12, 2, 10))).say('zs', sent),
    谢谢: async (sent) => (await world(at(12, 2, 10))).say('zs', sent),
    签道: async (sent) => (await world(at(12, 2, 10))).say('zs', sent),
    '@同心 安排 支委会 昨天下午3点': async (sent) => (await world(at(12, 2, 10))).say('sec', sent),
    '只有支部书记可以使用这条命令。': async () => (await world(at(12, 2, 10))).say('zs', '安排 支委会 明天下午3点'),
    '这个会议已经安排过了：……（K7Q）……，没有重复安排。': async () => {
      const w = await world(at(12, 2, 10));
      await w.meeting('K7Q', K7Q);
      return w.say('sec', '安排 支委会 明天下午3点 议题 研究年度工作');
    },
    '@同心 会议': async (sent) => {
      const w = await world(at(12, 2, 10));
      await w.meeting('K7Q', K7Q);
      await w.meeting('M4T', { type: 'theme_day', starts_at: at(11, 27, 15) });
      await w.mark('M4T', ['zs'], 'present');
      await w.meeting('P2R', { type: 'lecture', starts_at: at(11, 20, 15) });
      return w.say('zs', sent);
    },
    '……另有 3 个会议未列出，可私聊我发送『控制台』，在管理后台查看全部会议。签到、请假时可写会议编号，如『签到 K7Q』。': async () => {
      const w = await world(at(12, 2, 10));
      for (const [i, code] of ['A2A', 'A3A', 'A4A', 'A5A', 'A6A', 'A7A', 'A8A', 'A9A', 'B2A', 'B3A', 'B4A', 'B5A', 'B6A'].entries())
        await w.meeting(code, { starts_at: at(12, 4 + i, 15) });
      return w.say('sec', '会议');
    },
    '会议还没有结束：……，签到结束后（22:00 后）可以补学。': async () => {
      const w = await world(at(12, 3, 20, 30));
      await w.meeting('K7Q', { ...K7Q, starts_at: at(12, 3, 20) });
      return w.say('zs', '补学 K7Q 学习了会议传达的文件精神');
    },
    '还没有找到你的党员信息：请联系支部书记把你的账号登记到同心，之后再试。': async () =>
      (await world(at(12, 2, 10))).say('nobody', '签到'),
    '签到还没开始：……，14:30起可以签到。': async () => {
      const w = await world(at(12, 3, 14));
      await w.meeting('K7Q', K7Q);
      return w.say('zs', '签到');
    },
  };

  const examples = guideExamples(GUIDE);

  it('finds the guide’s quoted replies', () => {
    expect(examples.length).toBeGreaterThan(20);
  });

  it.each(examples)('line $line: 「$reply」', async (example) => {
    const run = CASES[example.sent ?? example.reply];
    if (!run) throw new Error(`no state for the guide's example on line ${example.line}: ${example.sent ?? example.reply}`);
    const got = await run(example.sent ?? '', example.direct);
    for (const reply of Array.isArray(got) ? got : [got]) {
      const bot = asGuideWrites(reply);
      expect(sameReply(example.reply, bot), `guide: ${example.reply}\nbot:   ${bot}`).toBe(true);
    }
  });

  it('the table of contents links every section, and each link lands on a heading of the served /guide', async () => {
    const page = await (await t.app.request('/guide')).text();
    const ids = new Set([...page.matchAll(/<h[1-6] id="([^"]+)"/g)].map((m) => m[1]));
    const toc = GUIDE.slice(GUIDE.indexOf('## 目录'), GUIDE.indexOf('## 一、'));
    const links = [...toc.matchAll(/\]\(#([^)]+)\)/g)].map((m) => m[1]!);
    const hrefs = [...page.matchAll(/<a href="#([^"]+)"/g)].map((m) => decodeURIComponent(m[1]!));
    expect(hrefs).toEqual(links);
    expect(links.filter((id) => !ids.has(id))).toEqual([]);
    const headings = GUIDE.split('\n').filter((l) => /^##+ /.test(l) && !l.includes('目录')).length;
    expect(links).toHaveLength(headings);
  });

  it('every state here belongs to an example the guide still has', () => {
    const keys = new Set(examples.map((e) => e.sent ?? e.reply));
    expect(Object.keys(CASES).filter((k) => !keys.has(k))).toEqual([]);
  });
});
