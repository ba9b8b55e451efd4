import { describe, expect, it } from 'vitest';
import { at, commandRig } from '../helpers/command-rig.ts';
import { DIALECTS } from '../helpers/db.ts';

// 改期: the secretary moves a meeting that has not started; check-ins made for the old time are
// void (records-true.test.ts follows a move after check-ins through the records).

const USAGE = '用法：改期 会议编号 新时间，例如：改期 K7Q 12月8日 15:00';

describe.each(DIALECTS)('改期 on %s', (dialect) => {
  const rig = commandRig(dialect);
  const startOf = async (id: string) =>
    (await rig.t.db.selectFrom('meetings').select('starts_at').where('id', '=', id).executeTakeFirstOrThrow()).starts_at;

  it('moves a meeting and plans its reminders for the new time', async () => {
    const meeting = await rig.meeting('K7Q', { topic: '学习全会精神' });
    expect(await rig.reply('sec', '改期 K7Q 明天下午3点')).toEqual({
      title: '会议 K7Q 已改期',
      text: '**已改期：党课「学习全会精神」（K7Q）12月8日（周二）15:00**',
    });
    expect(Number(await startOf(meeting.id))).toBe(at(12, 8, 15));
    const reminders = await rig.t.db
      .selectFrom('meeting_reminders')
      .select(['starts_at', 'due_at'])
      .where('meeting_id', '=', meeting.id)
      .where('state', '=', 'planned')
      .execute();
    expect(reminders.length).toBeGreaterThan(0);
    for (const r of reminders) expect([Number(r.starts_at), Number(r.due_at) > rig.t.clock.now()]).toEqual([at(12, 8, 15), true]);
  });

  it('voids the check-ins made for the old time, keeping leave', async () => {
    const meeting = await rig.meeting('K7Q');
    await rig.mark(meeting, 'm1', 'present');
    await rig.mark(meeting, 'm2', 'present');
    await rig.mark(meeting, 'm3', 'leave', '出差');
    rig.t.clock.set(at(12, 7, 14, 45));
    expect(await rig.say('sec', '改期 K7Q 12月9日 15:00')).toBe(
      '**已改期：党课（K7Q）12月9日（周三）15:00**\n\n原时间的 2 人签到已作废，请到会同志在新的时间重新签到。',
    );
    const rows = await rig.t.db.selectFrom('attendance').select(['member_id', 'status']).where('meeting_id', '=', meeting.id).execute();
    expect(rows).toEqual([{ member_id: 'm3', status: 'leave' }]);
  });

  it('is refused to a member', async () => {
    await rig.meeting('K7Q');
    expect(await rig.refused('m1', '改期 K7Q 明天下午3点')).toEqual({ title: '会议未改期', text: '只有支部书记可以使用这条命令。' });
  });

  it('is refused without a code, or with a time that cannot be read', async () => {
    await rig.meeting('K7Q');
    expect((await rig.refused('sec', '改期')).text).toBe(`请写明会议编号和新时间。\n\n${USAGE}`);
    expect((await rig.refused('sec', '改期 明天 下午3点')).text).toBe(
      `「明天」不是会议编号：编号是三位字母或数字，如 K7Q，见会议通知。\n\n${USAGE}`,
    );
    expect((await rig.refused('sec', '改期 K7Q 周五下午')).text).toBe(
      `时间「周五下午」没有写几点，请加上具体时刻，例如「15:00」。\n\n${USAGE}`,
    );
  });

  it('is refused to a time already past', async () => {
    await rig.meeting('K7Q', { starts_at: at(12, 8, 15) });
    expect((await rig.refused('sec', '改期 K7Q 今天上午8点')).text).toBe(`时间「今天上午8点」已经过去了，请写一个将来的时间。\n\n${USAGE}`);
  });

  it('is refused for a code the branch does not have, or a cancelled meeting', async () => {
    await rig.meeting('K7Q', { status: 'cancelled' });
    expect((await rig.refused('sec', '改期 K9Q 明天下午3点')).text).toBe('本支部没有编号为 K9Q 的会议，请核对会议通知里的编号。');
    expect((await rig.refused('sec', '改期 K7Q 明天下午3点')).text).toBe('会议 K7Q 已取消。');
  });

  it('is refused once the meeting has started', async () => {
    const meeting = await rig.meeting('K7Q');
    rig.t.clock.set(at(12, 7, 15, 5));
    expect((await rig.refused('sec', '改期 K7Q 明天下午3点')).text).toBe('会议 K7Q 已经开始，不能再改期。');
    expect(Number(await startOf(meeting.id))).toBe(at(12, 7, 15));
  });
});
