import { describe, expect, it } from 'vitest';
import { commandRig } from '../helpers/command-rig.ts';
import { DIALECTS } from '../helpers/db.ts';

// 补录: the secretary enters a meeting held without the bot, of this quarter or the last; it is
// held at once and marked as entered afterwards. records-true.test.ts follows it through the
// records, files and counts.

describe.each(DIALECTS)('补录 on %s', (dialect) => {
  const rig = commandRig(dialect);
  const codeOf = (reply: string) => /（([A-Z0-9]{3})）/.exec(reply)![1]!;

  it('enters a past meeting as held, marked 补录, and says how to register who came', async () => {
    const { title, text } = await rig.reply('sec', '补录 支委会 11月20日 15:00 议题 研究发展党员工作');
    const code = codeOf(text);
    expect({ title, text }).toEqual({
      title: `已补录会议 ${code}`,
      text: [
        `**已补录支部委员会会议「研究发展党员工作」（${code}）11月20日（周五）15:00**`,
        `会议编号：**${code}**　应到 2 人　记为已召开（补录）`,
        `请用「登记 ${code} 姓名… 到」记下到会的同志，请假的写「请假」。`,
      ].join('\n\n'),
    });
    const meetings = await rig.t.db.selectFrom('meetings').select(['code', 'backfilled']).where('org_id', '=', rig.org).execute();
    expect(meetings.map((m) => ({ ...m, backfilled: Number(m.backfilled) }))).toEqual([{ code, backfilled: 1 }]);
  });

  it('is refused to a member', async () => {
    expect(await rig.refused('m1', '补录 支委会 11月20日 15:00')).toEqual({ title: '会议未补录', text: '只有支部书记可以使用这条命令。' });
  });

  it('is refused before the previous quarter', async () => {
    expect((await rig.refused('sec', '补录 支委会 6月20日 15:00')).text).toBe('补录只能记本季度和上季度召开的会议（2026年第三季度起）。');
  });
});
