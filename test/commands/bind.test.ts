import { describe, expect, it } from 'vitest';
import { BRANCH, commandRig } from '../helpers/command-rig.ts';
import { DIALECTS } from '../helpers/db.ts';

// 绑定: a branch's secretary binds the group chat she writes in to her branch; a chat bound to
// another branch is not taken over by a message.

const NEW_CHAT = { chat: 'cid-new-group==' };

describe.each(DIALECTS)('绑定 on %s', (dialect) => {
  const rig = commandRig(dialect);
  const boundTo = async (chat: string) =>
    (
      await rig.t.db
        .selectFrom('branch_chats')
        .select('branch_id')
        .where('channel_id', '=', rig.channel)
        .where('chat_id', '=', chat)
        .executeTakeFirst()
    )?.branch_id;

  it('binds a new group chat to the secretary’s branch', async () => {
    expect(await rig.reply('sec', `绑定 ${BRANCH}`, NEW_CHAT)).toEqual({
      title: '群已绑定',
      text: '**已将本群绑定到「第一党支部」**\n\n会议提醒和通知将发到这个群。',
    });
    expect(await boundTo(NEW_CHAT.chat)).toBe('b1');
    expect(await boundTo(rig.group)).toBe('b1');
    const trail = await rig.t.db.selectFrom('audit_log').select(['action', 'object']).where('org_id', '=', rig.org).execute();
    expect(trail).toEqual([{ action: 'branch.bind', object: 'branch:b1' }]);
  });

  it('in a chat already bound to her branch, says so and changes nothing', async () => {
    const before = await rig.counts();
    expect(await rig.say('sec', `绑定 ${BRANCH}`)).toBe('本群已经绑定在「第一党支部」，无需重复绑定。');
    expect(await rig.counts()).toEqual({ ...before, inbound_events: before.inbound_events! + 1 });
  });

  it('is allowed to an org admin for any branch of her org', async () => {
    await rig.t.db.updateTable('members').set({ org_admin: 1 }).where('org_id', '=', rig.org).where('id', '=', 'sec2').execute();
    expect(await rig.say('sec2', `绑定 ${BRANCH}`, NEW_CHAT)).toBe('**已将本群绑定到「第一党支部」**\n\n会议提醒和通知将发到这个群。');
    expect(await boundTo(NEW_CHAT.chat)).toBe('b1');
  });

  it('is refused to a member', async () => {
    expect(await rig.refused('m1', `绑定 ${BRANCH}`, NEW_CHAT)).toEqual({ title: '群聊未绑定', text: '只有支部书记可以使用这条命令。' });
  });

  it('is refused to another branch’s secretary', async () => {
    expect((await rig.refused('sec2', `绑定 ${BRANCH}`, NEW_CHAT)).text).toBe('只有「第一党支部」的支部书记可以把群绑定到该支部。');
  });

  it('is refused in a private chat', async () => {
    expect((await rig.refused('sec', `绑定 ${BRANCH}`, { direct: true })).text).toBe('请在要绑定的群聊里 @我 发送这条命令。');
  });

  it('is refused without a name, or for a branch the org does not have', async () => {
    expect((await rig.refused('sec', '绑定', NEW_CHAT)).text).toBe(
      '请写明要绑定的支部名称。\n\n用法：绑定 支部名称（书记在本支部的群里发送，把这个群绑定到支部），例如：绑定 第一党支部',
    );
    expect((await rig.refused('sec', '绑定 第三党支部', NEW_CHAT)).text).toBe('没有名为「第三党支部」的支部，请核对支部全称。');
  });

  it('is refused in a chat bound to another branch, which keeps it', async () => {
    expect((await rig.refused('sec', `绑定 ${BRANCH}`, { chat: rig.otherGroup })).text).toBe(
      '本群已绑定到「第二党支部」，不能再绑定到「第一党支部」；如需改绑，请联系管理员。',
    );
    expect(await boundTo(rig.otherGroup)).toBe('b2');
  });
});
