import { describe, expect, it } from 'vitest';
import { commandRig } from '../helpers/command-rig.ts';
import { DIALECTS } from '../helpers/db.ts';

// 汇报: any member records a 四服务 report (category, text, optional 五同 tags). Bursts, spellings
// and the weekly digest of reports are in inbound-batch.test.ts, words.test.ts and the digest tests.

const USAGE = '用法：汇报 类别 内容 [#同研究 …]（类别：企业、项目、基层、群众），例如：汇报 企业 走访某公司，协调解决用电难题';

describe.each(DIALECTS)('汇报 on %s', (dialect) => {
  const rig = commandRig(dialect);
  const reports = () =>
    rig.t.db.selectFrom('service_reports').select(['member_id', 'category', 'text', 'tags']).where('org_id', '=', rig.org).execute();

  it('records a report with its category and tags, and echoes it', async () => {
    expect(await rig.reply('m1', '汇报 企业 走访某公司，协调解决用电难题 #同研究')).toEqual({
      title: '已记录服务企业汇报',
      text: '**已记录四服务汇报**\n\n张一 · 服务企业　同研究\n\n> 走访某公司，协调解决用电难题',
    });
    expect(await reports()).toEqual([
      { member_id: 'm1', category: 'enterprise', text: '走访某公司，协调解决用电难题', tags: '["research"]' },
    ]);
  });

  it('is refused for a category it does not know, or text under 5 characters', async () => {
    expect(await rig.refused('m1', '汇报 学校 走访某学校，了解情况')).toEqual({
      title: '汇报未提交',
      text: `未知的服务类别「学校」，可选：企业、项目、基层、群众。\n\n${USAGE}`,
    });
    expect((await rig.refused('m1', '汇报 企业 走访')).text).toBe(`汇报内容太短：至少 5 个字。\n\n${USAGE}`);
  });

  it('is refused to someone not in the roster', async () => {
    expect((await rig.refused('stranger', '汇报 企业 走访某公司，协调解决用电难题')).text).toBe(
      '还没有找到你的党员信息：请联系支部书记把你的账号登记到同心，之后再试。',
    );
  });
});
