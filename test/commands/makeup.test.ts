import { describe, expect, it } from 'vitest';
import { at, commandRig } from '../helpers/command-rig.ts';
import { DIALECTS } from '../helpers/db.ts';

// 补学: a member who was absent or on leave writes her make-up study once the meeting's check-in
// has closed; without a code, the one meeting awaiting it.

const USAGE = '用法：补学 [会议编号] 学习体会，例如：补学 K7Q 学习了会议精神，体会是……';
const NOTE = '学习了会议精神，体会很深';

describe.each(DIALECTS)('补学 on %s', (dialect) => {
  const rig = commandRig(dialect);
  const rowOf = (meetingId: string, member: string) =>
    rig.t.db
      .selectFrom('attendance')
      .select(['status', 'note', 'makeup_note'])
      .where('meeting_id', '=', meetingId)
      .where('member_id', '=', member)
      .execute();
  /** Last Friday's 党课, held: 王二 was there. */
  const held = async (code = 'K7Q', day = 4) => {
    const meeting = await rig.meeting(code, { starts_at: at(12, day, 15) });
    await rig.mark(meeting, 'm2', 'present');
    return meeting;
  };

  it('records the study of a member who was on leave, keeping her leave', async () => {
    const meeting = await held();
    await rig.mark(meeting, 'm1', 'leave', '外出调研');
    expect(await rig.reply('m1', `补学 K7Q ${NOTE}`)).toEqual({
      title: '已记录补学',
      text: '**张一 已补学**：党课（K7Q）12月4日（周五）15:00',
    });
    expect(await rowOf(meeting.id, 'm1')).toEqual([{ status: 'leave', note: '外出调研', makeup_note: NOTE }]);
  });

  it('without a code, takes the one meeting awaiting it and records the member absent there', async () => {
    const meeting = await held();
    expect(await rig.say('m3', `补学 ${NOTE}`)).toBe('**赵三 已补学**：党课（K7Q）12月4日（周五）15:00');
    expect(await rowOf(meeting.id, 'm3')).toEqual([{ status: 'absent', note: null, makeup_note: NOTE }]);
  });

  it('is refused with fewer than 5 characters, or more than 1000', async () => {
    await held();
    expect(await rig.refused('m1', '补学 K7Q 学了')).toEqual({ title: '补学未提交', text: `请写下学习体会：至少 5 个字。\n\n${USAGE}` });
    expect((await rig.refused('m1', `补学 K7Q ${'学'.repeat(1001)}`)).text).toBe(`学习体会太长：最多 1000 个字。\n\n${USAGE}`);
  });

  it('is refused for a code the branch does not have', async () => {
    await held();
    expect((await rig.refused('m1', `补学 K9Q ${NOTE}`)).text).toBe('本支部没有编号为 K9Q 的会议，请核对会议通知里的编号。');
  });

  it('is refused for a meeting she was not expected at', async () => {
    await rig.meeting('K7Q', { type: 'committee', starts_at: at(12, 4, 15) });
    expect((await rig.refused('m1', `补学 K7Q ${NOTE}`)).text).toBe('你不在会议 K7Q 的应到人员中，无需补学。');
  });

  it('is refused to a member who was present', async () => {
    await held();
    expect((await rig.refused('m2', `补学 K7Q ${NOTE}`)).text).toBe('你参加了会议 K7Q，无需补学。');
  });

  it('is refused before the check-in has closed, with or without a code', async () => {
    await rig.meeting('K7Q');
    rig.t.clock.set(at(12, 7, 15, 30));
    const early = '会议还没有结束：党课（K7Q）12月7日（周一）15:00，签到结束后（17:00 后）可以补学。';
    expect((await rig.refused('m1', `补学 K7Q ${NOTE}`)).text).toBe(early);
    expect((await rig.refused('m1', `补学 ${NOTE}`)).text).toBe(early);
  });

  it('without a code, asks which when several meetings await it', async () => {
    await held('K7Q', 3);
    await held('P2P', 4);
    expect((await rig.refused('m1', `补学 ${NOTE}`)).text).toBe(
      '有 2 个会议等你补学：K7Q、P2P，请写明会议编号，例如「补学 K7Q 学习体会」。',
    );
  });

  it('without a code, is refused when nothing awaits it', async () => {
    const meeting = await held();
    await rig.mark(meeting, 'm1', 'present');
    expect((await rig.refused('m1', `补学 ${NOTE}`)).text).toBe('近期没有需要你补学的会议。');
  });
});
