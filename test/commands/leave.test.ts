import { describe, expect, it } from 'vitest';
import { leaveMember } from '../../db/members.ts';
import { at, commandRig } from '../helpers/command-rig.ts';
import { DIALECTS } from '../helpers/db.ts';

// 请假: any member, for a meeting she is expected at, until its check-in closes; without a code,
// the meeting whose check-in is open, else the next.

const USAGE = '用法：请假 [会议编号] 事由，例如：请假 K7Q 外出执行防汛任务';

describe.each(DIALECTS)('请假 on %s', (dialect) => {
  const rig = commandRig(dialect);
  const leaveOf = async (meetingId: string, member: string) =>
    rig.t.db
      .selectFrom('attendance')
      .select(['status', 'note'])
      .where('meeting_id', '=', meetingId)
      .where('member_id', '=', member)
      .execute();

  it('records a member on leave with her reason and tells her how to make up', async () => {
    const meeting = await rig.meeting('K7Q', { topic: '学习全会精神' });
    expect(await rig.reply('m1', '请假 K7Q 外出调研')).toEqual({
      title: '已请假',
      text: [
        '**张一 已请假**：党课「学习全会精神」（K7Q）12月7日（周一）15:00',
        '事由：外出调研',
        '会后可发送「补学 K7Q 学习体会」补学。',
      ].join('\n\n'),
    });
    expect(await leaveOf(meeting.id, 'm1')).toEqual([{ status: 'leave', note: '外出调研' }]);
  });

  it('without a code, takes the next meeting she is expected at', async () => {
    await rig.meeting('C3C', { type: 'committee', starts_at: at(12, 7, 10) });
    const lecture = await rig.meeting('P2P', { starts_at: at(12, 8, 15) });
    expect(await rig.say('m2', '我要请假，家里有事')).toBe(
      ['**王二 已请假**：党课（P2P）12月8日（周二）15:00', '事由：家里有事', '会后可发送「补学 P2P 学习体会」补学。'].join('\n\n'),
    );
    expect(await leaveOf(lecture.id, 'm2')).toEqual([{ status: 'leave', note: '家里有事' }]);
  });

  it('is refused without a reason, or with one over 200 characters', async () => {
    await rig.meeting('K7Q');
    expect(await rig.refused('m1', '请假 K7Q')).toEqual({ title: '请假未成功', text: `请写明请假事由。\n\n${USAGE}` });
    expect((await rig.refused('m1', `请假 K7Q ${'因'.repeat(201)}`)).text).toBe(`请假事由太长：最多 200 个字。\n\n${USAGE}`);
  });

  it('is refused for a code the branch does not have', async () => {
    await rig.meeting('K7Q');
    expect(await rig.refused('m1', '请假 K9Q 外出调研')).toEqual({
      title: '请假未成功',
      text: '本支部没有编号为 K9Q 的会议，请核对会议通知里的编号。',
    });
  });

  it('is refused for a cancelled meeting', async () => {
    await rig.meeting('K7Q', { status: 'cancelled' });
    expect((await rig.refused('m1', '请假 K7Q 外出调研')).text).toBe('会议 K7Q 已取消。');
  });

  it('is refused for a meeting she is not expected at', async () => {
    await rig.meeting('K7Q', { type: 'committee' });
    expect((await rig.refused('m1', '请假 K7Q 外出调研')).text).toBe('你不在会议 K7Q 的应到人员中，无需请假。');
  });

  it('is refused once the check-in has closed', async () => {
    await rig.meeting('K7Q');
    rig.t.clock.set(at(12, 7, 17, 1));
    expect((await rig.refused('m1', '请假 K7Q 外出调研')).text).toBe('会议 K7Q 已经结束，不能再请假；可以发送「补学 K7Q 学习体会」。');
  });

  it('is refused to a member already checked in', async () => {
    const meeting = await rig.meeting('K7Q');
    await rig.mark(meeting, 'm1', 'present');
    rig.t.clock.set(at(12, 7, 15, 5));
    expect((await rig.refused('m1', '请假 K7Q 有事先走')).text).toBe('你已在会议 K7Q 签到，无需请假。');
  });

  it('without a code, is refused when no meeting is coming', async () => {
    await rig.meeting('C3C', { type: 'committee' });
    expect((await rig.refused('m1', '请假 外出调研')).text).toBe('近期没有需要你参加的会议。');
  });

  it('is refused to someone not in the roster', async () => {
    await rig.meeting('K7Q');
    expect((await rig.refused('stranger', '请假 K7Q 外出调研')).text).toBe(
      '还没有找到你的党员信息：请联系支部书记把你的账号登记到同心，之后再试。',
    );
  });

  it('is refused to a member who left before the meeting: she keeps her own records, and is not expected', async () => {
    await rig.meeting('K7Q');
    await leaveMember(rig.t.db, rig.org, 'm3', at(12, 1, 9), '调离', rig.t.clock.now());
    expect((await rig.refused('m3', '请假 K7Q 外出调研')).text).toBe('你不在会议 K7Q 的应到人员中，无需请假。');
  });
});
