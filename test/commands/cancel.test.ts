import { describe, expect, it } from 'vitest';
import { leaveMember } from '../../db/members.ts';
import { at, commandRig } from '../helpers/command-rig.ts';
import { DIALECTS } from '../helpers/db.ts';

// 取消: before its start a meeting is cancelled and its reminders dropped; after its start it is
// marked not held, with the reason kept for its record.

const USAGE = '用法：取消 会议编号 [原因]（会议开始后取消，记为未召开），例如：取消 K7Q';

describe.each(DIALECTS)('取消 on %s', (dialect) => {
  const rig = commandRig(dialect);
  const statusOf = (id: string) =>
    rig.t.db.selectFrom('meetings').select(['status', 'status_note']).where('id', '=', id).executeTakeFirstOrThrow();
  const pendingReminders = async (id: string) =>
    (
      await rig.t.db
        .selectFrom('meeting_reminders')
        .select('meeting_id')
        .where('meeting_id', '=', id)
        .where('state', '=', 'planned')
        .execute()
    ).length;

  it('cancels a meeting before it starts, with no reminders left', async () => {
    const meeting = await rig.meeting('K7Q', { topic: '学习全会精神' });
    await rig.say('sec', '改期 K7Q 今天下午4点');
    expect(await pendingReminders(meeting.id)).toBeGreaterThan(0);
    expect(await rig.reply('sec', '取消 K7Q 与上级会议冲突')).toEqual({
      title: '会议 K7Q 已取消',
      text: '**已取消：党课「学习全会精神」（K7Q）12月7日（周一）16:00**',
    });
    expect(await statusOf(meeting.id)).toEqual({ status: 'cancelled', status_note: '与上级会议冲突' });
    expect(await pendingReminders(meeting.id)).toBe(0);
  });

  it('after the start, marks the meeting not held with the reason for its record', async () => {
    const meeting = await rig.meeting('K7Q');
    rig.t.clock.set(at(12, 7, 15, 30));
    expect(await rig.reply('sec', '取消 K7Q 书记临时出差')).toEqual({
      title: '会议 K7Q 记为未召开',
      text: '**会议已开始，记为未召开**：党课（K7Q）12月7日（周一）15:00\n\n原因：书记临时出差（已记入会议记录）\n\n不计入三会一课完成数。',
    });
    expect(await statusOf(meeting.id)).toEqual({ status: 'not_held', status_note: '书记临时出差' });
  });

  it('after the start without a reason, says where a reason goes', async () => {
    const meeting = await rig.meeting('K7Q');
    rig.t.clock.set(at(12, 7, 15, 30));
    expect(await rig.say('sec', '取消 K7Q')).toBe(
      '**会议已开始，记为未召开**：党课（K7Q）12月7日（周一）15:00\n\n可以在「取消」后写明原因，记入会议记录。\n\n不计入三会一课完成数。',
    );
    expect(await statusOf(meeting.id)).toEqual({ status: 'not_held', status_note: null });
  });

  it('is refused to a member', async () => {
    await rig.meeting('K7Q');
    expect(await rig.refused('m1', '取消 K7Q')).toEqual({ title: '会议未取消', text: '只有支部书记可以使用这条命令。' });
  });

  it('is refused to a secretary who has left the roster', async () => {
    await rig.meeting('K7Q');
    await leaveMember(rig.t.db, rig.org, 'sec', at(12, 1, 9), '调离', rig.t.clock.now());
    expect((await rig.refused('sec', '取消 K7Q')).text).toBe('你已不在党员名册中：如有误，请联系支部书记。');
  });

  it('is refused without a code, or with a reason over 200 characters', async () => {
    await rig.meeting('K7Q');
    expect((await rig.refused('sec', '取消')).text).toBe(`请写明会议编号。\n\n${USAGE}`);
    expect((await rig.refused('sec', '取消 明天的会')).text).toBe(
      `「明天的会」不是会议编号：编号是三位字母或数字，如 K7Q，见会议通知。\n\n${USAGE}`,
    );
    expect((await rig.refused('sec', `取消 K7Q ${'因'.repeat(201)}`)).text).toBe(`原因太长：最多 200 个字。\n\n${USAGE}`);
  });

  it('is refused for a code the branch does not have', async () => {
    await rig.meeting('K7Q');
    expect((await rig.refused('sec', '取消 K9Q')).text).toBe('本支部没有编号为 K9Q 的会议，请核对会议通知里的编号。');
  });

  it('is refused for a meeting already cancelled or called off', async () => {
    await rig.meeting('K7Q', { status: 'cancelled' });
    await rig.meeting('P2P', { status: 'not_held', starts_at: at(12, 4, 15) });
    expect((await rig.refused('sec', '取消 K7Q')).text).toBe('会议 K7Q 已取消。');
    expect((await rig.refused('sec', '取消 P2P')).text).toBe('会议 P2P 已在开始后取消，记为未召开。');
  });
});
