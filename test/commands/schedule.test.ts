import { describe, expect, it } from 'vitest';
import { commandRig } from '../helpers/command-rig.ts';
import { DIALECTS } from '../helpers/db.ts';

// 安排: the secretary schedules a meeting; the same meeting twice is one. Times as people write
// them, groups and tags are in scenario-monday.test.ts, records-true.test.ts and meeting-time.test.ts.

const USAGE =
  '用法：安排 会议类型 时间 [地点 X] [议题 Y] [小组 Z] [#同研究 …]（类型：党员大会、支委会、党小组会、党课、主题党日、组织生活会），例如：安排 支委会 明天下午3点 地点 三楼会议室 议题 研究年度工作 #同研究';

describe.each(DIALECTS)('安排 on %s', (dialect) => {
  const rig = commandRig(dialect);
  const codeOf = (reply: string) => /（([A-Z0-9]{3})）/.exec(reply)![1]!;

  it('schedules a meeting, plans its reminders and tells members how to answer', async () => {
    const { title, text } = await rig.reply('sec', '安排 支委会 明天下午3点 地点 三楼会议室 议题 研究年度工作');
    const code = codeOf(text);
    expect({ title, text }).toEqual({
      title: `已安排会议 ${code}`,
      text: [
        `**已安排支部委员会会议「研究年度工作」（${code}）12月8日（周二）15:00**`,
        '',
        `会议编号：**${code}**　应到 2 人`,
        '地点：三楼会议室',
        '',
        `参会同志可在群里发送「@同心 签到」；不能参加的发送「@同心 请假 ${code} 事由」。`,
      ].join('\n'),
    });
    const [meeting] = await rig.t.db.selectFrom('meetings').select(['id', 'type', 'created_by']).where('org_id', '=', rig.org).execute();
    expect(meeting).toMatchObject({ type: 'committee', created_by: 'sec' });
    expect(await rig.t.db.selectFrom('meeting_reminders').select('due_at').where('meeting_id', '=', meeting!.id).execute()).not.toEqual([]);
  });

  it('is refused to a member', async () => {
    expect(await rig.refused('m1', '安排 党课 明天下午3点')).toEqual({ title: '会议未安排', text: '只有支部书记可以使用这条命令。' });
  });

  it('is refused for a type it does not know', async () => {
    expect((await rig.refused('sec', '安排 座谈会 明天下午3点')).text).toBe(
      `未知的会议类型「座谈会」，可选：党员大会、支委会、党小组会、党课、主题党日、组织生活会。\n\n${USAGE}`,
    );
  });
});
