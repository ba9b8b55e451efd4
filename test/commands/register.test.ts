import { describe, expect, it } from 'vitest';
import { leaveMember } from '../../db/members.ts';
import { at, commandRig } from '../helpers/command-rig.ts';
import { DIALECTS } from '../helpers/db.ts';

// 登记: the secretary records attendance for members who do not use the chat: present from the
// moment check-in opens, leave at any time; present over a leave withdraws it.

const SECRETARY_ONLY = '只有支部书记可以使用这条命令。';
const USAGE = '用法：登记 会议编号 姓名… 到|请假（为不用群聊的同志登记），例如：登记 K7Q 张三 李四 到';

describe.each(DIALECTS)('登记 on %s', (dialect) => {
  const rig = commandRig(dialect);
  const rowsOf = (meetingId: string) =>
    rig.t.db
      .selectFrom('attendance')
      .select(['member_id', 'status', 'note'])
      .where('meeting_id', '=', meetingId)
      .orderBy('member_id')
      .execute();

  it('registers members present once check-in has opened', async () => {
    const meeting = await rig.meeting('K7Q');
    rig.t.clock.set(at(12, 7, 15, 10));
    expect(await rig.reply('sec', '登记 K7Q 张一 王二 到')).toEqual({
      title: '已登记',
      text: '**已登记到会**：张一、王二\n\n党课（K7Q）12月7日（周一）15:00',
    });
    expect(await rowsOf(meeting.id)).toEqual([
      { member_id: 'm1', status: 'present', note: null },
      { member_id: 'm2', status: 'present', note: null },
    ]);
  });

  it('registers leave before the meeting, noted as registered by the secretary', async () => {
    const meeting = await rig.meeting('K7Q');
    expect(await rig.say('sec', '登记 K7Q 赵三 请假')).toBe('**已登记请假**：赵三\n\n党课（K7Q）12月7日（周一）15:00');
    expect(await rowsOf(meeting.id)).toEqual([{ member_id: 'm3', status: 'leave', note: '书记登记' }]);
  });

  it('registered present over a leave withdraws the leave and says whose', async () => {
    const meeting = await rig.meeting('K7Q');
    await rig.mark(meeting, 'm1', 'leave', '外出调研');
    rig.t.clock.set(at(12, 7, 15, 10));
    expect(await rig.say('sec', '登记 K7Q 张一 赵三 到')).toBe(
      '**已登记到会**：张一、赵三\n\n党课（K7Q）12月7日（周一）15:00\n\n张一此前的请假已撤销，记为到会。',
    );
    expect(await rowsOf(meeting.id)).toEqual([
      { member_id: 'm1', status: 'present', note: null },
      { member_id: 'm3', status: 'present', note: null },
    ]);
  });

  it('is refused for those the meeting did not expect: a member at a 支委会, one who had left', async () => {
    await rig.meeting('K7Q', { type: 'committee' });
    rig.t.clock.set(at(12, 7, 15, 10));
    expect(await rig.refused('sec', '登记 K7Q 张一 周委员 到')).toEqual({
      title: '未登记',
      text: '这些同志不在会议 K7Q 的应到人员中：张一，无需登记。',
    });
    await rig.meeting('R4N', { starts_at: at(12, 7, 16) });
    await leaveMember(rig.t.db, rig.org, 'm3', at(12, 1, 9), '调离', rig.t.clock.now());
    rig.t.clock.set(at(12, 7, 16, 10));
    expect(await rig.refused('sec', '登记 R4N 赵三 请假')).toEqual({
      title: '未登记',
      text: '这些同志不在会议 R4N 的应到人员中：赵三，无需登记。',
    });
  });

  it('is refused to a member', async () => {
    await rig.meeting('K7Q');
    rig.t.clock.set(at(12, 7, 15, 10));
    expect(await rig.refused('m1', '登记 K7Q 王二 到')).toEqual({ title: '未登记', text: SECRETARY_ONLY });
  });

  it('is refused without a code, or without 到 or 请假 after the names', async () => {
    await rig.meeting('K7Q');
    expect((await rig.refused('sec', '登记')).text).toBe(`请写明会议编号、姓名和「到」或「请假」。\n\n${USAGE}`);
    expect((await rig.refused('sec', '登记 张一 到')).text).toBe(
      `「张一」不是会议编号：编号是三位字母或数字，如 K7Q，见会议通知。\n\n${USAGE}`,
    );
    expect((await rig.refused('sec', '登记 K7Q 张一')).text).toBe(`请在姓名后写明「到」或「请假」。\n\n${USAGE}`);
  });

  it('is refused for a code the branch does not have', async () => {
    await rig.meeting('K7Q');
    expect((await rig.refused('sec', '登记 K9Q 张一 请假')).text).toBe('本支部没有编号为 K9Q 的会议，请核对会议通知里的编号。');
  });

  it('is refused present before check-in opens', async () => {
    await rig.meeting('K7Q');
    expect((await rig.refused('sec', '登记 K7Q 张一 到')).text).toBe(
      '签到还没开始：党课（K7Q）12月7日（周一）15:00，14:30起可以登记到会；请假现在就可以登记。',
    );
  });

  it('is refused for a name not in the branch, registering nobody', async () => {
    await rig.meeting('K7Q');
    expect((await rig.refused('sec', '登记 K7Q 张一 孙书记 钱四 请假')).text).toBe('本支部没有这些同志：孙书记、钱四，请核对姓名。');
  });

  it('is refused for a name two members share', async () => {
    await rig.meeting('K7Q');
    await rig.member('m4', '张一');
    expect((await rig.refused('sec', '登记 K7Q 张一 请假')).text).toBe('本支部有同名的同志：张一，请在管理后台登记。');
  });
});
