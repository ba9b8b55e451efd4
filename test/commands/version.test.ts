import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { commandRig } from '../helpers/command-rig.ts';
import { DIALECTS } from '../helpers/db.ts';

// 版本: which version of the service answers, as package.json names it, to any member on the roll;
// it stores nothing but the message.

const { version } = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };

describe.each(DIALECTS)('版本 on %s', (dialect) => {
  const rig = commandRig(dialect);

  it('names the version to a member, in the group and one-to-one, storing nothing but the message', async () => {
    expect(version).toMatch(/^\d+\.\d+\.\d+/);
    const before = await rig.counts();
    expect(await rig.reply('m1', '@同心 版本')).toEqual({ title: '版本', text: `同心 ${version}` });
    expect(await rig.say('c1', 'version', { direct: true })).toBe(`同心 ${version}`);
    expect(await rig.say('sec', '版本。')).toBe(`同心 ${version}`);
    expect(await rig.counts()).toEqual({ ...before, inbound_events: before.inbound_events! + 3 });
  });

  it('takes nothing after its word, and is not for those outside the roster', async () => {
    expect(await rig.refused('m1', '版本 最新')).toEqual({
      title: '暂不能查看版本',
      text: '「版本」后面不需要写别的内容。\n\n用法：版本（同心的版本号，报告问题时可附上）',
    });
    expect((await rig.reply('stranger', '版本')).text).toBe('还没有找到你的党员信息：请联系支部书记把你的账号登记到同心，之后再试。');
  });
});
