import { describe, expect, it } from 'vitest';
import { commandRig } from '../helpers/command-rig.ts';
import { DIALECTS } from '../helpers/db.ts';

// 帮助: the usage of every command the sender may use; to someone not in the roster too, with how
// to be registered. It refuses nobody: the branch's commands are listed only to those who may run them.

const MEMBER_LINES = [
  '- 汇报 类别 内容 [#同研究 …]（类别：企业、项目、基层、群众），例如：汇报 企业 走访某公司，协调解决用电难题',
  '- 签到 [会议编号]，例如：签到 或 签到 K7Q',
  '- 请假 [会议编号] 事由，例如：请假 K7Q 外出执行防汛任务',
  '- 补学 [会议编号] 学习体会，例如：补学 K7Q 学习了会议精神，体会是……',
  '- 我的（本季度自己的出勤和汇报，仅私聊回复）',
  '- 会议（本支部近期和即将召开的会议及编号）',
  '- 销假 [会议编号]（会议开始前撤回自己的请假），例如：销假 K7Q',
  '- 版本（同心的版本号，报告问题时可附上）',
];
const HEAD = ['**同心 · 使用说明**', '', '在群里 @我 或私聊我发送：', ''];
const FOOT = ['', '签到自愿、一句话即可，不需要截图或定位；不能参加的可以请假，会后补学。'];

describe.each(DIALECTS)('帮助 on %s', (dialect) => {
  const rig = commandRig(dialect);

  it('gives a member her own commands and not the secretary’s', async () => {
    expect(await rig.reply('m1', '帮助')).toEqual({ title: '同心 · 使用说明', text: [...HEAD, ...MEMBER_LINES, ...FOOT].join('\n') });
  });

  it('gives the secretary the branch’s commands too', async () => {
    const text = await rig.say('sec', '帮助');
    expect(text.startsWith([...HEAD, ...MEMBER_LINES, '', '**书记可用：**', ''].join('\n'))).toBe(true);
    for (const word of ['绑定', '安排', '补录', '改期', '取消', '出勤', '提醒', '统计', '周报', '登记', '纪要', '控制台', '导出'])
      expect(text).toContain(`\n- ${word}`);
    expect(text.endsWith(FOOT.join('\n'))).toBe(true);
  });

  it('tells someone not in the roster how to be registered, storing nothing but the message', async () => {
    const before = await rig.counts();
    expect(await rig.say('stranger', '帮助')).toBe(
      [...HEAD, ...MEMBER_LINES, '', '你还没有登记为党员，请联系支部书记登记你的账号。', ...FOOT].join('\n'),
    );
    expect(await rig.counts()).toEqual({ ...before, inbound_events: before.inbound_events! + 1 });
  });
});
