import { type CommandOf, defineCommand } from '../src/chat/command.ts';
import { read, refuse } from '../src/chat/parse.ts';
import { type MemberContext, UserError } from '../src/chat/context.ts';
import { bindChat, findBranchByName, getBranch, getBranchChat } from '../db/branches.ts';
import { SAY } from '../src/chat/replies.ts';
import { auditChat } from '../src/chat/trail.ts';
import { decide } from '../src/domain/policy.ts';

export const bindCommand = defineCommand({
  kind: 'bind',
  words: ['绑定', 'bind'],
  usage: '绑定 支部名称（书记在本支部的群里发送，把这个群绑定到支部），例如：绑定 第一党支部',
  refusalTitle: '群聊未绑定',
  // The branch named in the command is checked by the handler; here, that she may bind at all.
  action: 'branch.bind',
  parse: (rest) => (rest ? read({ branchName: rest }) : refuse('请写明要绑定的支部名称。')),
  handle: bind,
});

/** 绑定: the secretary of a branch (or an org admin, any branch of her org) binds the group chat this is sent in to that branch. */
async function bind(ctx: MemberContext, command: CommandOf<'bind', { branchName: string }>): Promise<void> {
  const { member, message } = ctx;
  if (message.chatType !== 'group') throw new UserError(SAY.bindInGroup);
  const branch = await findBranchByName(ctx.db, member.org_id, command.branchName);
  if (!branch) throw new UserError(SAY.noBranch(command.branchName));
  if (!decide({ kind: 'member', member }, 'branch.bind', { kind: 'branch', orgId: member.org_id, branchId: branch.id }).ok) {
    throw new UserError(SAY.bindNotSecretary(branch.name));
  }
  const current = (await getBranchChat(ctx.db, message.channelId, message.chatId))?.branch_id;
  // Another branch's group is not taken over by a message: its secretary would lose it unawares.
  if (current !== undefined && current !== branch.id) {
    const other = await getBranch(ctx.db, member.org_id, current);
    throw new UserError(SAY.boundElsewhere(other?.name ?? current, branch.name));
  }
  await bindChat(
    ctx.db,
    { channel_id: message.channelId, chat_id: message.chatId, org_id: member.org_id, branch_id: branch.id },
    ctx.clock.now(),
  );
  if (current !== branch.id)
    await auditChat(ctx, 'branch.bind', `branch:${branch.id}`, { channel: message.channelId, chatId: message.chatId });
  ctx.reply({ title: '群已绑定', markdown: SAY.bound(branch.name, current === branch.id) });
}
