import type { Command } from '../src/chat/parse.ts';
import { type MemberContext, UserError } from '../src/chat/context.ts';
import { escapeMarkdown, quote } from '../src/domain/markdown.ts';
import { bindChat, findBranchByName, getBranch, getBranchChat } from '../db/branches.ts';

/** 绑定: the secretary of a branch binds the group chat this is sent in to that branch. */
export async function bind(ctx: MemberContext, command: Extract<Command, { kind: 'bind' }>): Promise<void> {
  const { member, message } = ctx;
  if (message.chatType !== 'group') throw new UserError('请在要绑定的群聊里 @我 发送这条命令。');
  const branch = await findBranchByName(ctx.db, member.org_id, command.branchName);
  if (!branch) throw new UserError(`没有名为${quote(command.branchName)}的支部，请核对支部全称。`);
  if (member.branch_id !== branch.id) {
    throw new UserError(`只有${quote(branch.name)}的支部书记可以把群绑定到该支部。`);
  }
  const current = (await getBranchChat(ctx.db, message.channelId, message.chatId))?.branch_id;
  // Another branch's group is not taken over by a message: its secretary would lose it unawares.
  if (current !== undefined && current !== branch.id) {
    const other = await getBranch(ctx.db, member.org_id, current);
    throw new UserError(`本群已绑定到${quote(other?.name ?? current)}，不能再绑定到${quote(branch.name)}；如需改绑，请联系管理员。`);
  }
  await bindChat(
    ctx.db,
    { channel_id: message.channelId, chat_id: message.chatId, org_id: member.org_id, branch_id: branch.id },
    ctx.clock.now(),
  );
  const name = escapeMarkdown(branch.name);
  ctx.reply({
    title: '群已绑定',
    markdown:
      current === branch.id ? `本群已经绑定在「${name}」，无需重复绑定。` : `**已将本群绑定到「${name}」**\n\n会议提醒和通知将发到这个群。`,
  });
}
