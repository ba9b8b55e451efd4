import { describe, expect, it } from 'vitest';
import { at, commandRig } from '../helpers/command-rig.ts';
import { DIALECTS } from '../helpers/db.ts';

// 纪要: the secretary adds a note or resolution to a meeting's record (会议记录), or names its
// 主持人 or 记录人.

const USAGE =
  '用法：纪要 会议编号 内容（记入会议记录；写「主持人 姓名」或「记录人 姓名」指定会议记录的主持人、记录人），例如：纪要 K7Q 会议决定：……';

describe.each(DIALECTS)('纪要 on %s', (dialect) => {
  const rig = commandRig(dialect);
  const notesOf = (meetingId: string) =>
    rig.t.db.selectFrom('meeting_notes').select(['member_id', 'text']).where('meeting_id', '=', meetingId).execute();
  const rolesOf = async (meetingId: string) =>
    rig.t.db.selectFrom('meetings').select(['host_id', 'recorder_id']).where('id', '=', meetingId).executeTakeFirstOrThrow();

  it('adds a note to the meeting record', async () => {
    const meeting = await rig.meeting('K7Q', { topic: '学习全会精神' });
    rig.t.clock.set(at(12, 7, 16));
    expect(await rig.reply('sec', '纪要 K7Q 会议决定：由张一牵头开展专题调研')).toEqual({
      title: '已记入会议记录',
      text: '**已记入会议记录**：党课「学习全会精神」（K7Q）12月7日（周一）15:00',
    });
    expect(await notesOf(meeting.id)).toEqual([{ member_id: 'sec', text: '会议决定：由张一牵头开展专题调研' }]);
  });

  it('names the record’s 主持人 and 记录人 without adding a note', async () => {
    const meeting = await rig.meeting('K7Q');
    expect(await rig.say('sec', '纪要 K7Q 主持人 周委员')).toBe('**已记入会议记录**：主持人 周委员\n\n党课（K7Q）12月7日（周一）15:00');
    expect(await rig.say('sec', '纪要 K7Q 记录人：王二')).toBe('**已记入会议记录**：记录人 王二\n\n党课（K7Q）12月7日（周一）15:00');
    expect(await rolesOf(meeting.id)).toEqual({ host_id: 'c1', recorder_id: 'm2' });
    expect(await notesOf(meeting.id)).toEqual([]);
  });

  it('is refused to a member', async () => {
    await rig.meeting('K7Q');
    expect(await rig.refused('m1', '纪要 K7Q 会议决定：开展专题调研')).toEqual({
      title: '纪要未记录',
      text: '只有支部书记可以使用这条命令。',
    });
  });

  it('is refused without a code or without text', async () => {
    await rig.meeting('K7Q');
    expect((await rig.refused('sec', '纪要')).text).toBe(`请写明会议编号。\n\n${USAGE}`);
    expect((await rig.refused('sec', '纪要 K7Q')).text).toBe(`请写明纪要内容。\n\n${USAGE}`);
  });

  it('is refused over 2000 characters', async () => {
    await rig.meeting('K7Q');
    expect((await rig.refused('sec', `纪要 K7Q ${'议'.repeat(2001)}`)).text).toBe(`纪要太长：最多 2000 个字，可以分几条发送。\n\n${USAGE}`);
  });

  it('is refused for a code the branch does not have, or a cancelled meeting', async () => {
    await rig.meeting('K7Q', { status: 'cancelled' });
    expect((await rig.refused('sec', '纪要 K9Q 会议决定：开展调研')).text).toBe('本支部没有编号为 K9Q 的会议，请核对会议通知里的编号。');
    expect((await rig.refused('sec', '纪要 K7Q 会议决定：开展调研')).text).toBe('会议 K7Q 已取消。');
  });

  it('is refused naming someone not in the branch, or a name two members share', async () => {
    const meeting = await rig.meeting('K7Q');
    expect((await rig.refused('sec', '纪要 K7Q 主持人 孙书记')).text).toBe('本支部没有这些同志：孙书记，请核对姓名。');
    await rig.member('m4', '王二');
    expect((await rig.refused('sec', '纪要 K7Q 记录人 王二')).text).toBe('本支部有同名的同志：王二，请在管理后台登记。');
    expect(await rolesOf(meeting.id)).toEqual({ host_id: null, recorder_id: null });
  });
});
