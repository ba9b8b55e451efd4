import { describe, expect, it } from 'vitest';
import { at, commandRig } from '../helpers/command-rig.ts';
import { DIALECTS } from '../helpers/db.ts';

// 签到: a member checks in while the meeting's check-in is open (from 30 minutes before its start to
// two hours after). Roll calls, bursts and races are in scenario-monday.test.ts,
// checkin-batch.test.ts and records-true.test.ts.

describe.each(DIALECTS)('签到 on %s', (dialect) => {
  const rig = commandRig(dialect);

  it('checks a member in to the meeting whose check-in is open and counts those present', async () => {
    const meeting = await rig.meeting('K7Q');
    await rig.mark(meeting, 'm2', 'present');
    rig.t.clock.set(at(12, 7, 14, 45));
    expect(await rig.reply('m1', '签到')).toEqual({
      title: '已签到',
      text: '**张一 已签到**：党课（K7Q）12月7日（周一）15:00\n\n到会 2/5 人',
    });
    const rows = await rig.t.db
      .selectFrom('attendance')
      .select(['member_id', 'status'])
      .where('meeting_id', '=', meeting.id)
      .orderBy('member_id')
      .execute();
    expect(rows).toEqual([
      { member_id: 'm1', status: 'present' },
      { member_id: 'm2', status: 'present' },
    ]);
  });

  it('is refused before check-in opens', async () => {
    await rig.meeting('K7Q');
    expect(await rig.refused('m1', '签到')).toEqual({
      title: '签到未成功',
      text: '签到还没开始：党课（K7Q）12月7日（周一）15:00，14:30起可以签到。',
    });
  });

  it('is refused with a code once check-in has closed', async () => {
    await rig.meeting('K7Q');
    rig.t.clock.set(at(12, 7, 17, 1));
    expect((await rig.refused('m1', '签到 K7Q')).text).toBe('会议 K7Q 的签到已结束；未能参加的可以发送「补学 K7Q 学习体会」。');
  });

  it('is refused at a meeting she is not expected at', async () => {
    await rig.meeting('K7Q', { type: 'committee' });
    rig.t.clock.set(at(12, 7, 14, 45));
    expect((await rig.refused('m1', '签到 K7Q')).text).toBe('你不在会议 K7Q 的应到人员中。');
  });
});
