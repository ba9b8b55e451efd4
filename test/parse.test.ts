import { describe, expect, it } from 'vitest';
import { type Command, type CommandKind, type Parsed, parseCommand } from '../handlers/index.ts';
import { pleasantry } from '../src/chat/parse.ts';
import { cleanInput } from '../src/chat/message.ts';

// Saturday 2026-11-28 10:00 in Asia/Shanghai.
const NOW = Date.UTC(2026, 10, 28, 2, 0, 0);
const TZ = 'Asia/Shanghai';

const parse = (line: string) => parseCommand(cleanInput(line), { now: NOW, tz: TZ });

// Instants the example times resolve to (all Asia/Shanghai, UTC+8).
const TOMORROW_3PM = Date.UTC(2026, 10, 29, 7, 0); // 明天下午3点 = 2026-11-29 15:00
const DEC5_1430 = Date.UTC(2026, 11, 5, 6, 30); // 12月5日 14:30
const NEXT_WED_1500 = Date.UTC(2026, 11, 2, 7, 0); // 下周三 15:00 = 2026-12-02 (Wed)
const FRI_0930 = Date.UTC(2026, 11, 4, 1, 30); // 周五上午9点半 = 2026-12-04 (Fri)
const DEC8_1500 = Date.UTC(2026, 11, 8, 7, 0); // 12月8日 15:00

const ok = (command: Command): Parsed => ({ ok: true, command });

describe('parseCommand', () => {
  const valid: [string, Parsed][] = [
    ['帮助', { ok: true, command: { kind: 'help' } }],
    ['/help', { ok: true, command: { kind: 'help' } }],
    ['？', { ok: true, command: { kind: 'help' } }],
    ['@党建助手 帮助', { ok: true, command: { kind: 'help' } }],
    [
      '@bot 汇报 企业 走访某公司，协调解决用电难题',
      { ok: true, command: { kind: 'report', category: 'enterprise', text: '走访某公司，协调解决用电难题', tags: [] } },
    ],
    [
      '汇报：服务项目，推进园区道路项目征地协调 #同部署',
      { ok: true, command: { kind: 'report', category: 'project', text: '推进园区道路项目征地协调', tags: ['deploy'] } },
    ],
    [
      '　汇报　基层　到联系点村调研集体经济发展　＃同研究　#同检查',
      { ok: true, command: { kind: 'report', category: 'grassroots', text: '到联系点村调研集体经济发展', tags: ['research', 'inspect'] } },
    ],
    [
      'REPORT public 为社区老人代办社保认证',
      { ok: true, command: { kind: 'report', category: 'public', text: '为社区老人代办社保认证', tags: [] } },
    ],
    [
      '汇报 群众 帮助#3号楼居民 解决供暖问题',
      { ok: true, command: { kind: 'report', category: 'public', text: '帮助#3号楼居民 解决供暖问题', tags: [] } },
    ],
  ];
  it.each(valid)('%s', (line, expected) => {
    expect(parse(line)).toEqual(expected);
  });

  const refused: [string, string][] = [
    ['汇报', '请写明服务类别和内容'],
    ['汇报 未知类别 走访某公司', '未知的服务类别「未知类别」'],
    ['汇报 企业 走访', '太短'],
    [`汇报 企业 ${'字'.repeat(501)}`, '太长'],
    ['汇报 企业 走访某公司协调用电 #同学习', '未知的五同标签「#同学习」'],
  ];
  it.each(refused)('%s → refused', (line, reason) => {
    const result = parse(line);
    expect(result).toMatchObject({ ok: false, kind: 'report' });
    expect((result as { reason: string }).reason).toContain(reason);
  });

  it.each(['大家好', '', '   ', '@党建助手'])('%j is not a command', (line) => {
    expect(parse(line)).toBeNull();
  });

  it('counts characters, not bytes or UTF-16 units', () => {
    expect(parse(`汇报 企业 ${'𠮷'.repeat(500)}`)).toMatchObject({ ok: true });
    expect(parse('汇报 企业 𠮷𠮷𠮷𠮷')).toMatchObject({ ok: false });
  });
});

describe('parseCommand: every command, as members type it (now = 2026-11-28 10:00 Asia/Shanghai)', () => {
  const help: [string, Parsed][] = [
    ['帮助', ok({ kind: 'help' })],
    ['/帮助', ok({ kind: 'help' })],
    ['help', ok({ kind: 'help' })],
    ['HELP', ok({ kind: 'help' })],
    ['?', ok({ kind: 'help' })],
    ['＠党建助手　帮助', ok({ kind: 'help' })],
    ['ｈｅｌｐ', ok({ kind: 'help' })],
  ];
  it.each(help)('帮助: %j', (line, expected) => {
    expect(parse(line)).toEqual(expected);
  });

  const members: [string, Parsed][] = [
    // 签到
    ['签到', ok({ kind: 'checkin' })],
    ['/签到', ok({ kind: 'checkin' })],
    ['checkin', ok({ kind: 'checkin' })],
    ['/checkin', ok({ kind: 'checkin' })],
    ['@党建助手 签到', ok({ kind: 'checkin' })],
    ['签到 K7Q', ok({ kind: 'checkin', code: 'K7Q' })],
    ['签到 k7q', ok({ kind: 'checkin', code: 'K7Q' })],
    ['签到 Ｋ７Ｑ', ok({ kind: 'checkin', code: 'K7Q' })],
    ['签到　K7Q', ok({ kind: 'checkin', code: 'K7Q' })],
    ['＠党建助手　签到 k7q', ok({ kind: 'checkin', code: 'K7Q' })],
    ['CHECKIN k7q', ok({ kind: 'checkin', code: 'K7Q' })],
    // 请假
    ['请假 K7Q 外出执行防汛任务', ok({ kind: 'leave', code: 'K7Q', reason: '外出执行防汛任务' })],
    ['请假 外出执行防汛任务', ok({ kind: 'leave', reason: '外出执行防汛任务' })],
    ['请假：K7Q，外出执行防汛任务', ok({ kind: 'leave', code: 'K7Q', reason: '外出执行防汛任务' })],
    ['请假 k7q 到省里参加培训', ok({ kind: 'leave', code: 'K7Q', reason: '到省里参加培训' })],
    ['leave 出差', ok({ kind: 'leave', reason: '出差' })],
    [`请假 ${'事'.repeat(200)}`, ok({ kind: 'leave', reason: '事'.repeat(200) })],
    // 补学
    ['补学 K7Q 学习了会议精神，体会是……', ok({ kind: 'makeup', code: 'K7Q', text: '学习了会议精神，体会是……' })],
    ['补学 K7Q 学习了会议精神，体会是要学以致用', ok({ kind: 'makeup', code: 'K7Q', text: '学习了会议精神，体会是要学以致用' })],
    ['补学 学习了会议精神体会深刻', ok({ kind: 'makeup', text: '学习了会议精神体会深刻' })],
    ['makeup k7q 认真学习了会议精神', ok({ kind: 'makeup', code: 'K7Q', text: '认真学习了会议精神' })],
    // 汇报
    [
      '汇报 企业 走访某公司，协调解决用电难题',
      ok({ kind: 'report', category: 'enterprise', text: '走访某公司，协调解决用电难题', tags: [] }),
    ],
    ['汇报 服务群众 为社区老人代办社保认证', ok({ kind: 'report', category: 'public', text: '为社区老人代办社保认证', tags: [] })],
    ['汇报 enterprise 走访企业了解诉求', ok({ kind: 'report', category: 'enterprise', text: '走访企业了解诉求', tags: [] })],
    [
      'report 服务基层 下沉社区开展政策宣讲 #同部署',
      ok({ kind: 'report', category: 'grassroots', text: '下沉社区开展政策宣讲', tags: ['deploy'] }),
    ],
    ['汇报 项目 推进项目落地 #同研究 #同研究', ok({ kind: 'report', category: 'project', text: '推进项目落地', tags: ['research'] })],
    [
      '汇报 项目 重点项目现场办公 #同考核 #同讲评',
      ok({ kind: 'report', category: 'project', text: '重点项目现场办公', tags: ['assess', 'review'] }),
    ],
    // 我的
    ['我的', ok({ kind: 'mine' })],
    ['me', ok({ kind: 'mine' })],
    ['/我的', ok({ kind: 'mine' })],
  ];
  it.each(members)('member command: %j', (line, expected) => {
    expect(parse(line)).toEqual(expected);
  });

  const secretary: [string, Parsed][] = [
    // 安排: the documented time forms and the USAGE example
    [
      '安排 支委会 明天下午3点 地点 三楼会议室 议题 研究年度工作 #同研究',
      ok({ kind: 'schedule', type: 'committee', at: TOMORROW_3PM, location: '三楼会议室', topic: '研究年度工作', tags: ['research'] }),
    ],
    ['安排 党员大会 12月5日 14:30', ok({ kind: 'schedule', type: 'assembly', at: DEC5_1430, tags: [] })],
    [
      '安排 党课 2026-12-05 14:30 地点 党员活动室',
      ok({ kind: 'schedule', type: 'lecture', at: DEC5_1430, location: '党员活动室', tags: [] }),
    ],
    [
      '安排 主题党日 下周三 15:00 议题 参观红色教育基地 #同部署 #同检查',
      ok({ kind: 'schedule', type: 'theme_day', at: NEXT_WED_1500, topic: '参观红色教育基地', tags: ['deploy', 'inspect'] }),
    ],
    ['安排 党小组会 周五上午9点半 小组 第一党小组', ok({ kind: 'schedule', type: 'group', at: FRI_0930, group: '第一党小组', tags: [] })],
    ['安排 小组会 明天下午3点', ok({ kind: 'schedule', type: 'group', at: TOMORROW_3PM, tags: [] })],
    ['安排 支部大会 12/5 14:30', ok({ kind: 'schedule', type: 'assembly', at: DEC5_1430, tags: [] })],
    [
      '安排：支委会，明天下午3点，地点：三楼会议室',
      ok({ kind: 'schedule', type: 'committee', at: TOMORROW_3PM, location: '三楼会议室', tags: [] }),
    ],
    ['安排 党员大会 １２月５日　１４：３０', ok({ kind: 'schedule', type: 'assembly', at: DEC5_1430, tags: [] })],
    ['schedule 党课 2026-12-05 14:30', ok({ kind: 'schedule', type: 'lecture', at: DEC5_1430, tags: [] })],
    ['@党建助手 /安排 支委会 明天下午三点', ok({ kind: 'schedule', type: 'committee', at: TOMORROW_3PM, tags: [] })],
    // 改期
    ['改期 K7Q 12月8日 15:00', ok({ kind: 'reschedule', code: 'K7Q', at: DEC8_1500 })],
    ['改期 k7q 明天下午3点', ok({ kind: 'reschedule', code: 'K7Q', at: TOMORROW_3PM })],
    ['reschedule K7Q 2026-12-08 15:00', ok({ kind: 'reschedule', code: 'K7Q', at: DEC8_1500 })],
    ['改期：Ｋ７Ｑ，下周三 15:00', ok({ kind: 'reschedule', code: 'K7Q', at: NEXT_WED_1500 })],
    // 取消
    ['取消 K7Q', ok({ kind: 'cancel', code: 'K7Q' })],
    ['取消 k7q', ok({ kind: 'cancel', code: 'K7Q' })],
    ['cancel Ｋ７Ｑ', ok({ kind: 'cancel', code: 'K7Q' })],
    // 出勤
    ['出勤', ok({ kind: 'attendance' })],
    ['出勤 K7Q', ok({ kind: 'attendance', code: 'K7Q' })],
    ['/出勤 k7q', ok({ kind: 'attendance', code: 'K7Q' })],
    ['attendance', ok({ kind: 'attendance' })],
    // 统计
    ['统计', ok({ kind: 'stats', period: 'quarter' })],
    ['统计 本月', ok({ kind: 'stats', period: 'month' })],
    ['统计 本季度', ok({ kind: 'stats', period: 'quarter' })],
    ['统计 上季度', ok({ kind: 'stats', period: 'lastQuarter' })],
    ['统计 上月', ok({ kind: 'stats', period: 'lastMonth' })],
    ['统计 上个月', ok({ kind: 'stats', period: 'lastMonth' })],
    ['统计 去年', ok({ kind: 'stats', period: 'lastYear' })],
    ['统计 本季', ok({ kind: 'stats', period: 'quarter' })],
    ['统计 本年', ok({ kind: 'stats', period: 'year' })],
    ['统计 今年', ok({ kind: 'stats', period: 'year' })],
    ['stats', ok({ kind: 'stats', period: 'quarter' })],
    ['统计　本月', ok({ kind: 'stats', period: 'month' })],
    // 登记
    ['登记 K7Q 张三 李四 到', ok({ kind: 'register', code: 'K7Q', names: ['张三', '李四'], status: 'present' })],
    ['登记 K7Q 张三、李四 请假', ok({ kind: 'register', code: 'K7Q', names: ['张三', '李四'], status: 'leave' })],
    ['登记 k7q 张三，李四，王五 到会', ok({ kind: 'register', code: 'K7Q', names: ['张三', '李四', '王五'], status: 'present' })],
    ['登记 K7Q 张三 张三 到', ok({ kind: 'register', code: 'K7Q', names: ['张三'], status: 'present' })],
    ['register k7q 王五 出席', ok({ kind: 'register', code: 'K7Q', names: ['王五'], status: 'present' })],
    // 纪要
    ['纪要 K7Q 会议决定：……', ok({ kind: 'minutes', code: 'K7Q', text: '会议决定：……' })],
    ['纪要 K7Q 会议决定：推进党建与业务融合', ok({ kind: 'minutes', code: 'K7Q', text: '会议决定：推进党建与业务融合' })],
    ['minutes k7q 通过年度学习计划', ok({ kind: 'minutes', code: 'K7Q', text: '通过年度学习计划' })],
    // 绑定
    ['绑定 第一党支部', ok({ kind: 'bind', branchName: '第一党支部' })],
    ['绑定　机关第二党支部', ok({ kind: 'bind', branchName: '机关第二党支部' })],
    ['bind 机关第二党支部', ok({ kind: 'bind', branchName: '机关第二党支部' })],
  ];
  it.each(secretary)('secretary command: %j', (line, expected) => {
    expect(parse(line)).toEqual(expected);
  });

  const refusals: [string, CommandKind, string][] = [
    // times
    ['安排 支部大会 今天上午9点', 'schedule', '已经过去了'],
    ['改期 K7Q 今天上午9点', 'reschedule', '已经过去了'],
    ['安排 党员大会 2026-11-27 09:00', 'schedule', '已经过去了'],
    ['安排 党员大会 11月27日 9:00', 'schedule', '已经过去了'],
    ['安排 支委会 本周五 15:00', 'schedule', '已经过去了'],
    ['安排 支委会 15:00', 'schedule', '没有写哪一天'],
    ['安排 支委会 下午3点', 'schedule', '没有写哪一天'],
    ['安排 支委会 明天', 'schedule', '没有写几点'],
    ['安排 支委会 随便', 'schedule', '看不懂时间「随便」'],
    ['改期 K7Q 找个时间再说', 'reschedule', '看不懂时间'],
    ['安排 支委会 明天下午3点左右', 'schedule', '看不懂时间'],
    ['安排 支委会', 'schedule', '请写明会议时间'],
    ['改期 K7Q', 'reschedule', '请写明会议时间'],
    ['改期', 'reschedule', '请写明会议编号和新时间'],
    // meeting types and fields
    ['安排 座谈会 明天下午3点', 'schedule', '未知的会议类型「座谈会」'],
    ['安排', 'schedule', '请写明会议类型'],
    ['安排 支委会 明天下午3点 小组 第一党小组', 'schedule', '只有党小组会需要写「小组」'],
    ['安排 支委会 明天下午3点 地点', 'schedule', '「地点」后面请写内容'],
    ['安排 支委会 明天下午3点 地点 A 地点 B', 'schedule', '「地点」写了两次'],
    [`安排 支委会 明天下午3点 议题 ${'议'.repeat(501)}`, 'schedule', '「议题」太长'],
    ['安排 支委会 明天下午3点 #同学习', 'schedule', '未知的五同标签「#同学习」'],
    // categories, lengths
    ['汇报 未知类别 走访某公司', 'report', '未知的服务类别「未知类别」'],
    ['汇报 服务机关 走访某公司了解诉求', 'report', '未知的服务类别「服务机关」'],
    ['汇报 企业', 'report', '太短'],
    ['汇报 企业 走访', 'report', '汇报内容太短：至少 5 个字'],
    [`汇报 企业 ${'字'.repeat(501)}`, 'report', '最多 500 个字，现在 501 个字'],
    ['汇报 企业 走访某公司协调用电 ＃同学习', 'report', '未知的五同标签「#同学习」'],
    ['汇报 企业 走访某公司协调用电 #同学习 #同协调', 'report', '未知的五同标签「#同学习」「#同协调」，可用'],
    ['安排 支委会 明天下午3点 #同学习 #同研究 #同调研', 'schedule', '未知的五同标签「#同学习」「#同调研」，可用'],
    ['补学 K7Q 学习了', 'makeup', '至少 5 个字'],
    ['补学 K7Q', 'makeup', '至少 5 个字'],
    [`补学 K7Q ${'学'.repeat(1001)}`, 'makeup', '学习体会太长'],
    ['补学', 'makeup', '至少 5 个字'],
    ['请假', 'leave', '请写明请假事由'],
    ['请假 K7Q', 'leave', '请写明请假事由'],
    [`请假 ${'事'.repeat(201)}`, 'leave', '请假事由太长'],
    ['我的 出勤', 'mine', '不需要写别的内容'],
    ['绑定', 'bind', '请写明要绑定的支部名称'],
    // codes: three of ABCDEFGHJKMNPQRSTUVWXYZ23456789 (no I/L/O/0/1)
    ['签到 K1O', 'checkin', '「K1O」不是会议编号'],
    ['签到 K7QX', 'checkin', '「K7QX」不是会议编号'],
    ['签到 今天', 'checkin', '不是会议编号'],
    ['取消 KIL', 'cancel', '不是会议编号'],
    ['取消 会议', 'cancel', '「会议」不是会议编号'],
    ['取消', 'cancel', '请写明会议编号'],
    ['出勤 K0Q', 'attendance', '不是会议编号'],
    ['改期 KIO 12月8日 15:00', 'reschedule', '不是会议编号'],
    ['纪要 XYZ1 内容', 'minutes', '不是会议编号'],
    ['纪要', 'minutes', '请写明会议编号'],
    ['纪要 K7Q', 'minutes', '请写明纪要内容'],
    [`纪要 K7Q ${'字'.repeat(2001)}`, 'minutes', '纪要太长'],
    // 登记 without 到/请假
    ['登记', 'register', '请写明会议编号、姓名'],
    ['登记 K7Q 张三', 'register', '请在姓名后写明「到」或「请假」'],
    ['登记 K7Q 张三 李四', 'register', '请在姓名后写明「到」或「请假」'],
    ['登记 K7Q 到', 'register', '请在姓名后写明「到」或「请假」'],
    ['登记 K0Q 张三 到', 'register', '「K0Q」不是会议编号'],
    // 统计
    ['统计 前年', 'stats', '看不懂统计范围「前年」'],
    ['统计 本周', 'stats', '可选：本月、本季度、本年'],
  ];
  it.each(refusals)('refused: %j (%s)', (line, kind, reason) => {
    const result = parse(line);
    expect(result).toMatchObject({ ok: false, kind });
    expect((result as { reason: string }).reason).toContain(reason);
  });

  it.each(['大家好', '', '今天下午开支委会', '@党建助手 大家好', '签字', 'helpme', 'reporting'])('%j is not a command', (line) => {
    expect(parse(line)).toBeNull();
  });
});

describe('pleasantry: greetings and thanks said alone', () => {
  it.each([
    ['你好', 'greeting'],
    ['您好！', 'greeting'],
    ['@党建助手 你好呀', 'greeting'],
    ['谢谢', 'thanks'],
    ['谢谢！', 'thanks'],
    ['谢谢啦～', 'thanks'],
    ['收到', 'ack'],
    ['收到了。', 'ack'],
    ['好的', 'ack'],
    ['嗯嗯', 'ack'],
    ['OK', 'ack'],
    ['ｏｋ！', 'ack'],
  ])('%j → %s', (line, kind) => {
    expect(parse(line)).toBeNull();
    expect(pleasantry(cleanInput(line))).toBe(kind);
  });

  it.each(['你好，我想问一下会议时间', '谢谢大家的支持', '大家好', '好像不对', ''])('%j is not one', (line) => {
    expect(pleasantry(cleanInput(line))).toBeUndefined();
  });
});
