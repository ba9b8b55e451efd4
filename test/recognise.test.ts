import { describe, expect, it } from 'vitest';
import { cleanInput } from '../src/chat/message.ts';
import { parseCommand, suggestCommand } from '../handlers/index.ts';

// What people type, as the platforms deliver it: mentions of either platform, particles,
// punctuation, no space before the first argument, full-width forms, typos. Each line becomes a
// command (its kind and arguments), a refusal of that command, or — not a command — a suggestion.

const NOW = Date.UTC(2026, 10, 28, 2, 0, 0); // Saturday 2026-11-28 10:00 in Shanghai
const read = (line: string) => parseCommand(cleanInput(line), { now: NOW, tz: 'Asia/Shanghai' });

type Expected = { kind: string; [field: string]: unknown } | { refused: string } | { suggest: string | undefined };

const CASES: [string, Expected][] = [
  // 签到 as people type it
  ['签到', { kind: 'checkin' }],
  ['签到。', { kind: 'checkin' }],
  ['签到！', { kind: 'checkin' }],
  ['签到!', { kind: 'checkin' }],
  ['签到了', { kind: 'checkin' }],
  ['签到啦', { kind: 'checkin' }],
  ['签到啦！', { kind: 'checkin' }],
  ['签到吧', { kind: 'checkin' }],
  ['签到一下', { kind: 'checkin' }],
  ['签到～', { kind: 'checkin' }],
  ['签到…', { kind: 'checkin' }],
  ['签到4WE', { kind: 'checkin', code: '4WE' }],
  ['签到 4we', { kind: 'checkin', code: '4WE' }],
  ['签到：K7Q', { kind: 'checkin', code: 'K7Q' }],
  ['签到，K7Q。', { kind: 'checkin', code: 'K7Q' }],
  ['签到 Ｋ７Ｑ', { kind: 'checkin', code: 'K7Q' }],
  ['签到了 K7Q', { kind: 'checkin', code: 'K7Q' }],
  ['  签到  ', { kind: 'checkin' }],
  ['签到　', { kind: 'checkin' }],
  ['/签到', { kind: 'checkin' }],
  ['／签到', { kind: 'checkin' }],
  ['checkin', { kind: 'checkin' }],
  ['CHECKIN K7Q', { kind: 'checkin', code: 'K7Q' }],
  ['ｃｈｅｃｋｉｎ', { kind: 'checkin' }],
  // Both platforms' mention forms (WeCom's AI bot keeps it; DingTalk strips it but may leave a space)
  ['@同心 签到', { kind: 'checkin' }],
  ['＠同心　签到。', { kind: 'checkin' }],
  ['@党建助手 签到了', { kind: 'checkin' }],
  [' 签到', { kind: 'checkin' }],
  ['\u202e签到', { kind: 'checkin' }],
  ['签\u200f到', { kind: 'checkin' }],
  ['\t签到', { kind: 'checkin' }],
  // 「到」 answering a roll call, 签 到 with a space
  ['到', { kind: 'checkin' }],
  ['到！', { kind: 'checkin' }],
  ['@同心 到。', { kind: 'checkin' }],
  ['签 到', { kind: 'checkin' }],
  ['签　到', { kind: 'checkin' }],
  ['签 到 K7Q', { kind: 'checkin', code: 'K7Q' }],
  ['到联系点村调研', { suggest: undefined }],
  ['我要到了', { suggest: undefined }],
  // 请假 said in a sentence
  ['我要请假，家里有事', { kind: 'leave', reason: '家里有事' }],
  ['我想请假：孩子发烧', { kind: 'leave', reason: '孩子发烧' }],
  ['我要请假。下午出差', { kind: 'leave', reason: '下午出差' }],
  ['请个假 家里有事', { kind: 'leave', reason: '家里有事' }],
  ['我要请个假，K7Q，出差', { kind: 'leave', code: 'K7Q', reason: '出差' }],
  ['请假一下？', { refused: '请写明请假事由' }],
  ['我要请假', { refused: '请写明请假事由' }],
  ['我来签到', { kind: 'checkin' }],
  ['我来会议室了', { suggest: undefined }],
  // 汇报 without a space, with the category glued on
  ['汇报企业走访三家民营企业，了解用工需求', { kind: 'report', category: 'enterprise', text: '走访三家民营企业，了解用工需求' }],
  ['汇报服务群众为社区老人代办社保认证', { kind: 'report', category: 'public', text: '为社区老人代办社保认证' }],
  ['汇报 基层下沉社区开展宣讲', { kind: 'report', category: 'grassroots', text: '下沉社区开展宣讲' }],
  ['汇报项目推进园区道路征地 #同部署', { kind: 'report', category: 'project', text: '推进园区道路征地', tags: ['deploy'] }],
  ['汇报其他走访某公司', { refused: '未知的服务类别「其他走访某公司」' }],
  ['汇报企业 走访某公司，协调解决用电难题', { kind: 'report', category: 'enterprise', text: '走访某公司，协调解决用电难题' }],
  ['汇报 服务企业 走访某公司，协调解决用电难题', { kind: 'report', category: 'enterprise' }],
  ['汇报：群众 帮助社区老人办理社保', { kind: 'report', category: 'public' }],
  ['汇报，项目：推进重点项目开工建设', { kind: 'report', category: 'project' }],
  ['汇报 基层 下沉社区开展宣讲。', { kind: 'report', category: 'grassroots', text: '下沉社区开展宣讲。' }],
  ['report enterprise 走访某公司，协调解决用电难题', { kind: 'report', category: 'enterprise' }],
  ['汇报了吗', { refused: '未知的服务类别' }],
  ['汇报', { refused: '请写明服务类别和内容' }],
  // 请假 and 补学
  ['请假 K7Q 外出执行防汛任务', { kind: 'leave', code: 'K7Q', reason: '外出执行防汛任务' }],
  ['请假K7Q 出差', { kind: 'leave', code: 'K7Q', reason: '出差' }],
  ['请假 出差在外。', { kind: 'leave', reason: '出差在外。' }],
  ['请假', { refused: '请写明请假事由' }],
  ['补学 K7Q 学习了会议精神，很受教育', { kind: 'makeup', code: 'K7Q' }],
  // the rest of the members' commands
  ['我的', { kind: 'mine' }],
  ['我的。', { kind: 'mine' }],
  ['帮助', { kind: 'help' }],
  ['帮助！', { kind: 'help' }],
  ['帮助我', { kind: 'help' }],
  ['？', { kind: 'help' }],
  ['?', { kind: 'help' }],
  ['help', { kind: 'help' }],
  // secretaries'
  ['出勤 K7Q', { kind: 'attendance', code: 'K7Q' }],
  ['出勤。', { kind: 'attendance' }],
  ['提醒一下', { kind: 'remind' }],
  ['提醒 K7Q！', { kind: 'remind', code: 'K7Q' }],
  ['取消K7Q', { kind: 'cancel', code: 'K7Q' }],
  ['统计 本季度。', { kind: 'stats', period: 'quarter' }],
  ['统计', { kind: 'stats', period: 'quarter' }],
  ['统计 上季度', { kind: 'stats', period: 'lastQuarter' }],
  ['统计去年。', { kind: 'stats', period: 'lastYear' }],
  ['取消 K7Q 突发防汛任务。', { kind: 'cancel', code: 'K7Q', reason: '突发防汛任务' }],
  ['会议', { kind: 'meetings' }],
  ['纪要 K7Q 主持人 张三', { kind: 'minutes', code: 'K7Q', sets: { role: 'host', name: '张三' } }],
  ['纪要K7Q 记录人：李四', { kind: 'minutes', code: 'K7Q', sets: { role: 'recorder', name: '李四' } }],
  ['会议？', { kind: 'meetings' }],
  ['销假', { kind: 'withdraw' }],
  ['销假了', { kind: 'withdraw' }],
  ['销假K7Q', { kind: 'withdraw', code: 'K7Q' }],
  ['销加', { suggest: '销假' }],
  ['会义', { suggest: '会议' }],
  ['导出', { kind: 'export', of: { quarter: 'this' } }],
  ['导出 上季度。', { kind: 'export', of: { quarter: 'last' } }],
  ['导出本季', { kind: 'export', of: { quarter: 'this' } }],
  ['导出K7Q', { kind: 'export', of: { code: 'K7Q' } }],
  ['导出 k7q', { kind: 'export', of: { code: 'K7Q' } }],
  ['导出 本年', { refused: '看不懂要导出的「本年」' }],
  ['导处', { suggest: '导出' }],
  ['控制台', { kind: 'console' }],
  ['控制台。', { kind: 'console' }],
  ['控制台 第一支部', { refused: '「控制台」后面不需要写别的内容' }],
  ['安排 组织生活会 12月20日 9:00', { kind: 'schedule', type: 'life' }],
  ['安排 党日活动 12月20日 9:00', { kind: 'schedule', type: 'theme_day' }],
  ['安排主题党日活动 12月20日 9:00', { kind: 'schedule', type: 'theme_day' }],
  ['周报', { kind: 'weekly' }],
  ['周报。', { kind: 'weekly' }],
  ['纪要 K7Q 会议决定：成立攻坚小组。', { kind: 'minutes', code: 'K7Q', text: '会议决定：成立攻坚小组。' }],
  ['登记 K7Q 张三 李四 到', { kind: 'register', code: 'K7Q', names: ['张三', '李四'], status: 'present' }],
  ['绑定 第一党支部', { kind: 'bind', branchName: '第一党支部' }],
  // typos and chatter: a suggestion when a command word is one character off
  ['签道', { suggest: '签到' }],
  ['签倒', { suggest: '签到' }],
  ['请加 K7Q 出差', { suggest: '请假' }],
  ['汇抱 企业 走访', { suggest: '汇报' }],
  ['帮住', { suggest: '帮助' }],
  ['周宝', { suggest: '周报' }],
  ['大家好', { suggest: undefined }],
  ['我要请假家里有事', { kind: 'leave', reason: '家里有事' }],
  ['我们下午开会吗', { suggest: undefined }],
  ['我得去开会', { suggest: undefined }],
  ['签道了', { suggest: '签到' }],
  ['收到', { suggest: undefined }],
  ['reporting', { suggest: undefined }],
  ['helpme', { suggest: undefined }],
  ['', { suggest: undefined }],
];

describe('what people type', () => {
  it('covers at least 60 inputs', () => {
    expect(CASES.length).toBeGreaterThanOrEqual(60);
  });

  it.each(CASES)('%j', (line, expected) => {
    const parsed = read(line);
    if ('suggest' in expected) {
      expect(parsed).toBeNull();
      expect(suggestCommand(cleanInput(line))).toBe(expected.suggest);
    } else if ('refused' in expected) {
      expect(parsed).toMatchObject({ ok: false });
      expect((parsed as { reason: string }).reason).toContain(expected.refused);
    } else {
      expect(parsed).toMatchObject({ ok: true, command: expected });
    }
  });
});
