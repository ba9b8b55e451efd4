import { describe, expect, it } from 'vitest';
import { commandRig } from '../helpers/command-rig.ts';
import { DIALECTS } from '../helpers/db.ts';

// 控制台: the secretary asks privately for a one-time sign-in link to the web console, sent as a
// message of its own. Signing in with it is in console.test.ts and web-console.test.ts.

describe.each(DIALECTS)('控制台 on %s', (dialect) => {
  const rig = commandRig(dialect, { env: { PUBLIC_URL: 'https://tongxin.example.gov.cn' } });
  const sends = () => rig.t.db.selectFrom('deliveries').select('id').where('org_id', '=', rig.org).execute();

  it('queues a sign-in link to the secretary privately', async () => {
    expect(await rig.reply('sec', '控制台', { direct: true })).toEqual({
      title: '控制台',
      text: '登录链接将单独私信发给你，10 分钟内有效，只能使用一次。',
    });
    expect(await sends()).toHaveLength(1);
  });

  it('is refused in the group chat, and to a member', async () => {
    expect(await rig.refused('sec', '控制台')).toEqual({
      title: '未能登录控制台',
      text: '为保护个人信息，「控制台」只在私聊中回复：请私聊我发送「控制台」。',
    });
    expect((await rig.refused('m1', '控制台', { direct: true })).text).toBe('只有支部书记可以使用这条命令。');
  });
});

describe.each(DIALECTS)('控制台 without a public address on %s', (dialect) => {
  const rig = commandRig(dialect);

  it('is refused', async () => {
    expect((await rig.refused('sec', '控制台', { direct: true })).text).toBe('本单位还没有开启控制台，请联系管理员。');
  });
});
