import { describe, expect, it } from 'vitest';
import { commandRig } from '../helpers/command-rig.ts';
import { DIALECTS } from '../helpers/db.ts';

// 周报: the secretary reads this week's 五同 digest so far, privately. Long digests in parts are in
// weekly-reply.test.ts; what the digest says in the digest-*.test.ts files.

describe.each(DIALECTS)('周报 on %s', (dialect) => {
  const rig = commandRig(dialect);

  it('answers with the week’s digest of the branch, privately', async () => {
    await rig.say('m1', '汇报 基层 到社区开展志愿服务');
    const { title, text } = await rig.reply('sec', '周报', { direct: true });
    expect(title).toBe('第一党支部五同周报：2026年第50周');
    expect(text).toBe(
      [
        '## 第一党支部五同周报',
        '',
        '2026年第50周（12月7日—12月13日）',
        '',
        '### 三会一课（本季度）',
        '- 支部党员大会：已开 0 / 应开 1 进行中',
        '- 支部委员会会议：已开 0 / 应开 3 **已逾期**',
        '- 党课：已开 0 / 应开 1 进行中',
        '- 主题党日：已开 0 / 应开 3 **已逾期**',
        '- 组织生活会（本年）：已开 0 / 应开 1 进行中',
        '',
        '### 本周会议',
        '本周没有召开会议。',
        '',
        '### 四服务汇报',
        '- 本周 1 条：服务企业 0、服务项目 0、服务基层 1、服务群众 0',
        '',
        '> 张一（服务基层）：到社区开展志愿服务',
        '',
        '近四周未汇报：周委员、王二、赵三、李书记',
        '',
        '### 五同',
        '- 同研究：本周 0 / 上周 0',
        '- 同部署：本周 0 / 上周 0',
        '- 同检查：本周 0 / 上周 0',
        '- 同考核：本周 0 / 上周 0',
        '- 同讲评：本周 0 / 上周 0',
        '',
        '**本周空白**：同研究、同部署、同检查、同考核、同讲评',
        '',
        '### 与上周相比',
        '本周无会议（上周无会议）；汇报 1 条（上周 0 条）',
      ].join('\n'),
    );
  });

  it('is refused in the group chat, and to a member', async () => {
    expect(await rig.refused('sec', '周报')).toEqual({
      title: '暂不能生成周报',
      text: '为保护个人信息，「周报」只在私聊中回复：请私聊我发送「周报」。',
    });
    expect((await rig.refused('m1', '周报', { direct: true })).text).toBe('只有支部书记可以使用这条命令。');
  });
});
