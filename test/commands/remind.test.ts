import { describe, expect, it } from 'vitest';
import { at, commandRig } from '../helpers/command-rig.ts';
import { DIALECTS } from '../helpers/db.ts';

// 提醒: the secretary has the group reminded, now, of the members not yet checked in. The nudge
// sent and its timing are in reminders.test.ts and reminders-late.test.ts.

describe.each(DIALECTS)('提醒 on %s', (dialect) => {
  const rig = commandRig(dialect);
  const nudges = () => rig.t.db.selectFrom('deliveries').select('id').where('org_id', '=', rig.org).execute();

  it('queues a nudge to the group while check-in is open', async () => {
    const meeting = await rig.meeting('K7Q');
    await rig.mark(meeting, 'm1', 'present');
    rig.t.clock.set(at(12, 7, 15, 10));
    expect(await rig.reply('sec', '提醒')).toEqual({
      title: '已提醒',
      text: '**已在群里提醒尚未签到的同志**：党课（K7Q）12月7日（周一）15:00',
    });
    expect(await nudges()).toHaveLength(1);
  });

  it('sends nothing when everyone expected has answered', async () => {
    const meeting = await rig.meeting('K7Q', { type: 'committee' });
    await rig.mark(meeting, 'sec', 'present');
    await rig.mark(meeting, 'c1', 'leave', '出差');
    rig.t.clock.set(at(12, 7, 15, 10));
    expect(await rig.say('sec', '提醒 K7Q')).toBe('应到的同志都已签到或请假，无需提醒：支部委员会会议（K7Q）12月7日（周一）15:00');
    expect(await nudges()).toEqual([]);
  });

  it('is refused to a member', async () => {
    await rig.meeting('K7Q');
    rig.t.clock.set(at(12, 7, 15, 10));
    expect(await rig.refused('m1', '提醒 K7Q')).toEqual({ title: '未发送提醒', text: '只有支部书记可以使用这条命令。' });
  });

  it('is refused before check-in opens, or with no meeting open', async () => {
    await rig.meeting('K7Q');
    expect((await rig.refused('sec', '提醒 K7Q')).text).toBe('会议 K7Q 的签到还没开始，开始后再提醒。');
    expect((await rig.refused('sec', '提醒')).text).toBe('现在没有正在签到的会议；请写明会议编号，例如「提醒 K7Q」。');
  });

  it('is refused for a branch with no group chat', async () => {
    await rig.meeting('K7Q');
    await rig.t.db.deleteFrom('branch_chats').where('org_id', '=', rig.org).where('branch_id', '=', 'b1').execute();
    rig.t.clock.set(at(12, 7, 15, 10));
    expect((await rig.refused('sec', '提醒 K7Q', { direct: true })).text).toBe('本支部还没有绑定群聊，无法在群里提醒。');
  });
});
