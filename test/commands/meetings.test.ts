import { describe, expect, it } from 'vitest';
import { at, commandRig } from '../helpers/command-rig.ts';
import { DIALECTS } from '../helpers/db.ts';

// 会议: any member lists the branch's meetings to come and of the last 30 days, with their codes.
// Long lists and the console link are in meetings.test.ts.

describe.each(DIALECTS)('会议 on %s', (dialect) => {
  const rig = commandRig(dialect);

  it('lists meetings to come and recent ones with their state', async () => {
    await rig.meeting('K7Q', { topic: '学习全会精神' });
    const held = await rig.meeting('C3C', { type: 'committee', starts_at: at(12, 1, 15) });
    await rig.mark(held, 'c1', 'present');
    await rig.meeting('P2P', { starts_at: at(11, 27, 15), status: 'cancelled' });
    expect(await rig.reply('m1', '会议')).toEqual({
      title: '本支部的会议',
      text: [
        '**本支部的会议**',
        '',
        '即将召开：',
        '- 党课「学习全会精神」（K7Q）12月7日（周一）15:00',
        '',
        '近30天：',
        '- 支部委员会会议（C3C）12月1日（周二）15:00：已召开',
        '- 党课（P2P）11月27日（周五）15:00：已取消',
        '',
        '签到、请假时可写会议编号，如「签到 K7Q」。',
      ].join('\n'),
    });
  });

  it('is refused with words after it', async () => {
    expect(await rig.refused('m1', '会议 明天')).toEqual({
      title: '暂不能查看会议',
      text: '「会议」后面不需要写别的内容。\n\n用法：会议（本支部近期和即将召开的会议及编号）',
    });
  });
});
