import { describe, expect, it } from 'vitest';
import { commandRig } from '../helpers/command-rig.ts';
import { DIALECTS } from '../helpers/db.ts';

// 导出: the secretary has the quarter's 台账 or a meeting's 会议记录 sent to her privately. The files
// themselves are in export.test.ts.

describe.each(DIALECTS)('导出 on %s', (dialect) => {
  const rig = commandRig(dialect);
  const sends = () => rig.t.db.selectFrom('deliveries').select('id').where('org_id', '=', rig.org).execute();

  it('queues the quarter’s ledger to the secretary privately', async () => {
    expect(await rig.reply('sec', '导出', { direct: true })).toEqual({
      title: '导出',
      text: '正在生成「第一党支部2026年第四季度三会一课台账.xlsx」，稍后单独发送给你。',
    });
    expect(await sends()).toHaveLength(1);
  });

  it('is refused in the group chat', async () => {
    expect(await rig.refused('sec', '导出')).toEqual({
      title: '未导出',
      text: '为保护个人信息，「导出」只在私聊中回复：请私聊我发送「导出」。',
    });
  });

  it('is refused to a member, or for what it cannot read', async () => {
    expect((await rig.refused('m1', '导出', { direct: true })).text).toBe('只有支部书记可以使用这条命令。');
    expect((await rig.refused('sec', '导出 明年', { direct: true })).text).toBe(
      '看不懂要导出的「明年」，可写：本季度、上季度或会议编号（如 K7Q）。\n\n用法：导出 [本季度|上季度|会议编号]（本支部的三会一课台账 Excel，或一次会议的会议记录 Word，私聊发送给你），例如：导出 上季度',
    );
  });
});
