import { describe, expect, it } from 'vitest';
import { at, commandRig } from '../helpers/command-rig.ts';
import { DIALECTS } from '../helpers/db.ts';

// 出勤: the secretary reads a meeting's attendance, by name, only in a private chat (names of those
// who missed it are never posted in the group).

describe.each(DIALECTS)('出勤 on %s', (dialect) => {
  const rig = commandRig(dialect);

  it('lists who came, who is on leave and who was absent, privately', async () => {
    const meeting = await rig.meeting('K7Q', { starts_at: at(12, 4, 15) });
    await rig.mark(meeting, 'm1', 'present');
    await rig.mark(meeting, 'sec', 'present');
    await rig.mark(meeting, 'm2', 'leave', '出差');
    expect(await rig.reply('sec', '出勤 K7Q', { direct: true })).toEqual({
      title: '出勤 K7Q',
      text: [
        '**出勤：党课（K7Q）12月4日（周五）15:00**',
        '',
        '应到 5 人，到会 2 人，请假 1 人，缺席 2 人',
        '',
        '- 到会：李书记、张一',
        '- 请假：王二（出差）',
        '- 缺席：周委员、赵三',
      ].join('\n'),
    });
  });

  it('is refused in the group chat', async () => {
    await rig.meeting('K7Q', { starts_at: at(12, 4, 15) });
    expect(await rig.refused('sec', '出勤 K7Q')).toEqual({
      title: '暂不能查看出勤',
      text: '为保护个人信息，「出勤」只在私聊中回复：请私聊我发送「出勤」。',
    });
  });

  it('is refused to a member', async () => {
    await rig.meeting('K7Q', { starts_at: at(12, 4, 15) });
    expect((await rig.refused('m1', '出勤 K7Q', { direct: true })).text).toBe('只有支部书记可以使用这条命令。');
  });
});
