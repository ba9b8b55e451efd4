import { describe, expect, it } from 'vitest';
import { at, commandRig } from '../helpers/command-rig.ts';
import { DIALECTS } from '../helpers/db.ts';

// 我的: a member's own attendance and reports this quarter, answered only in a private chat.

describe.each(DIALECTS)('我的 on %s', (dialect) => {
  const rig = commandRig(dialect);

  it('counts her meetings held this quarter and her reports, privately', async () => {
    const held = await rig.meeting('K7Q', { starts_at: at(11, 20, 15) });
    await rig.mark(held, 'm1', 'present');
    const other = await rig.meeting('P2P', { starts_at: at(12, 2, 15) });
    await rig.mark(other, 'm2', 'present');
    await rig.mark(other, 'm1', 'leave', '出差');
    await rig.say('m1', '汇报 基层 到社区开展志愿服务');
    expect(await rig.reply('m1', '我的', { direct: true })).toEqual({
      title: '本季度我的情况',
      text: [
        '**本季度我的情况**',
        '',
        '- 三会一课：应参加 2 次，到会 1 次，请假 1 次，缺席 0 次，补学 0 次，出勤率 100%（请假不计入）',
        '- 四服务汇报：1 条（服务基层 1）',
      ].join('\n'),
    });
  });

  it('is refused in the group chat', async () => {
    expect(await rig.refused('m1', '我的')).toEqual({
      title: '暂不能查看',
      text: '为保护个人信息，「我的」只在私聊中回复：请私聊我发送「我的」。',
    });
  });
});
