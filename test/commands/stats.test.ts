import { describe, expect, it } from 'vitest';
import type { MeetingType } from '../../db/schema.ts';
import { fromLocal } from '../../src/domain/time.ts';
import { TZ, at, commandRig } from '../helpers/command-rig.ts';
import { DIALECTS } from '../helpers/db.ts';

// 统计: 三会一课 held against due for the branch, per type, this quarter unless another period is
// named; only meetings held count, those not held and those entered afterwards are said apart.

describe.each(DIALECTS)('统计 on %s', (dialect) => {
  const rig = commandRig(dialect);
  /** A meeting of this quarter with 周委员 present (held), or with nobody (not held), or entered afterwards. */
  const seed = async () => {
    const held = async (code: string, type: MeetingType, month: number, day: number) =>
      rig.mark(await rig.meeting(code, { type, starts_at: at(month, day, 15) }), 'c1', 'present');
    await held('C2C', 'committee', 10, 15);
    await held('C3C', 'committee', 11, 12);
    await rig.meeting('T5T', { type: 'theme_day', starts_at: at(11, 5, 15) });
    await rig.meeting('K7Q', { type: 'lecture', starts_at: at(11, 20, 15), status: 'scheduled', backfilled: true });
  };

  it('counts this quarter by default, each type against what is due so far', async () => {
    await seed();
    expect(await rig.reply('sec', '统计')).toEqual({
      title: '本季度三会一课',
      text: [
        '**本季度三会一课完成情况**',
        '',
        '- 支部党员大会：已开 0 次 / 应开 1 次　进行中',
        '- 支部委员会会议：已开 2 次 / 应开 3 次　进行中',
        '- 党课：已开 1 次 / 应开 1 次　✓',
        '- 主题党日：已开 0 次 / 应开 3 次　已逾期',
        '- 组织生活会（本年）：已开 0 次 / 应开 1 次　进行中',
        '',
        '另有 1 次会议未召开（无人到会、无纪要，或开始后取消），不计入。',
        '',
        '已开的会议中有 1 次是补录的（召开时未使用机器人）。',
      ].join('\n'),
    });
  });

  it('counts last month whole, as of its last moment', async () => {
    await seed();
    expect(await rig.reply('sec', '统计 上月')).toEqual({
      title: '2026年11月三会一课',
      text: [
        '**2026年11月三会一课完成情况**',
        '',
        '- 支部党员大会（2026年第四季度）：已开 0 次 / 应开 1 次　进行中',
        '- 支部委员会会议：已开 1 次 / 应开 1 次　✓',
        '- 党课（2026年第四季度）：已开 1 次 / 应开 1 次　✓',
        '- 主题党日：已开 0 次 / 应开 1 次　已逾期',
        '- 组织生活会（2026年）：已开 0 次 / 应开 1 次　进行中',
        '',
        '另有 1 次会议未召开（无人到会、无纪要，或开始后取消），不计入。',
        '',
        '已开的会议中有 1 次是补录的（召开时未使用机器人）。',
      ].join('\n'),
    });
  });

  it('names the longer range a past month is counted over by its name, not as this quarter or year', async () => {
    await seed();
    rig.t.clock.set(fromLocal({ year: 2027, month: 1, day: 11, hour: 9 }, TZ));
    const { text } = await rig.reply('sec', '统计 上月');
    expect(text).toContain('**2026年12月三会一课完成情况**');
    expect(text).toContain('- 支部党员大会（2026年第四季度）：');
    expect(text).toContain('- 组织生活会（2026年）：');
    expect(text).not.toMatch(/本季度|本年/);
  });

  it('is refused to a member', async () => {
    await seed();
    expect(await rig.refused('m1', '统计')).toEqual({ title: '暂不能统计', text: '只有支部书记可以使用这条命令。' });
  });

  it('is refused for a period it does not know', async () => {
    expect(await rig.refused('sec', '统计 下周')).toEqual({
      title: '暂不能统计',
      text: '看不懂统计范围「下周」，可选：本月、本季度、本年、上月、上季度、去年。\n\n用法：统计 [本月|本季度|本年|上月|上季度|去年]（三会一课完成情况，默认本季度）',
    });
  });
});
