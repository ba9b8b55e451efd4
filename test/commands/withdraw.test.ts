import { describe, expect, it } from 'vitest';
import { at, commandRig } from '../helpers/command-rig.ts';
import { DIALECTS } from '../helpers/db.ts';

// 销假: a member withdraws her own leave before the meeting starts; without a code, the leave of
// the nearest meeting.

describe.each(DIALECTS)('销假 on %s', (dialect) => {
  const rig = commandRig(dialect);
  const rowsOf = (meetingId: string) =>
    rig.t.db.selectFrom('attendance').select(['member_id', 'status']).where('meeting_id', '=', meetingId).execute();
  /** Tomorrow's 党课, with 张一 on leave. */
  const onLeave = async (code = 'K7Q', day = 8) => {
    const meeting = await rig.meeting(code, { starts_at: at(12, day, 15) });
    await rig.mark(meeting, 'm1', 'leave', '外出调研');
    return meeting;
  };

  it('withdraws her leave and asks her to come', async () => {
    const meeting = await onLeave();
    await rig.mark(meeting, 'm2', 'leave', '出差');
    expect(await rig.reply('m1', '销假 K7Q')).toEqual({
      title: '已销假',
      text: '**张一 已销假**：党课（K7Q）12月8日（周二）15:00\n\n届时请按时参会，签到开始后可以签到。',
    });
    expect(await rowsOf(meeting.id)).toEqual([{ member_id: 'm2', status: 'leave' }]);
  });

  it('without a code, withdraws the leave of the nearest meeting she asked leave of', async () => {
    await rig.meeting('C3C', { starts_at: at(12, 7, 15) });
    const later = await onLeave('K7Q', 9);
    const latest = await onLeave('P2P', 10);
    expect(await rig.say('m1', '销假')).toBe('**张一 已销假**：党课（K7Q）12月9日（周三）15:00\n\n届时请按时参会，签到开始后可以签到。');
    expect(await rowsOf(later.id)).toEqual([]);
    expect(await rowsOf(latest.id)).toEqual([{ member_id: 'm1', status: 'leave' }]);
  });

  it('is refused for what is not a code', async () => {
    await onLeave();
    expect(await rig.refused('m1', '销假 明天的会')).toEqual({
      title: '未销假',
      text: '「明天的会」不是会议编号：编号是三位字母或数字，如 K7Q，见会议通知。\n\n用法：销假 [会议编号]（会议开始前撤回自己的请假），例如：销假 K7Q',
    });
  });

  it('is refused for a code the branch does not have', async () => {
    await onLeave();
    expect((await rig.refused('m1', '销假 K9Q')).text).toBe('本支部没有编号为 K9Q 的会议，请核对会议通知里的编号。');
  });

  it('is refused for a meeting she did not ask leave of', async () => {
    await onLeave();
    expect((await rig.refused('m2', '销假 K7Q')).text).toBe('你没有在会议 K7Q 请假，无需销假。');
  });

  it('without a code, is refused when she has no leave coming', async () => {
    await onLeave();
    expect((await rig.refused('m2', '销假')).text).toBe('你近期没有请假，无需销假。');
  });

  it('is refused once the meeting has started', async () => {
    await onLeave();
    rig.t.clock.set(at(12, 8, 15, 5));
    expect((await rig.refused('m1', '销假 K7Q')).text).toBe('会议 K7Q 已经开始，不能销假；能到会的，直接签到即可。');
  });

  it('is refused for a cancelled meeting', async () => {
    const meeting = await rig.meeting('K7Q', { starts_at: at(12, 8, 15), status: 'cancelled' });
    await rig.mark(meeting, 'm1', 'leave', '外出调研');
    expect((await rig.refused('m1', '销假 K7Q')).text).toBe('会议 K7Q 已取消。');
  });
});
