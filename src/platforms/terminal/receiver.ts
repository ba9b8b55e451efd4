import { type ChatMessage, type Reply, cleanInput } from '../../chat/message.ts';
import { markdownToText } from '../../domain/markdown.ts';
import type { Db, Member } from '../../../db/schema.ts';
import { getMember, membersWithId } from '../../../db/members.ts';
import { listBranchChats } from '../../../db/branches.ts';
import { listOrgChannels } from '../../../db/channels.ts';

// The terminal chat's receiver: a line typed in a terminal becomes one ChatMessage from a rostered member,
// as if sent one-to-one (or in the member's branch group chat) on a channel of their org.

/** Who the terminal chat speaks as, and where. */
export interface TerminalIdentity {
  member: Member;
  channelId: string;
  chatType: 'group' | 'direct';
  /** The bound group chat, or the sender's id one-to-one. */
  chatId: string;
}

export interface TerminalOptions {
  memberId: string;
  orgId?: string;
  group: boolean;
}

const ADD_MEMBERS = 'add members with the admin API (PUT /admin/orgs/:org/members/:member), or try `npm run chat -- --demo`';

/** Finds the member and a channel (and group chat) to speak on; an Error's message is one line for stderr. */
export async function resolveIdentity(db: Db, opts: TerminalOptions): Promise<TerminalIdentity> {
  const { memberId, orgId } = opts;
  const found = orgId ? [await getMember(db, orgId, memberId)].filter((m) => m !== undefined) : await membersWithId(db, memberId);
  if (found.length === 0) throw new Error(`no member "${memberId}"${orgId ? ` in org "${orgId}"` : ''}: ${ADD_MEMBERS}`);
  if (found.length > 1)
    throw new Error(`member "${memberId}" exists in orgs ${found.map((m) => m.org_id).join(', ')}: choose one with --org`);
  const member = found[0]!;

  const channels = await listOrgChannels(db, member.org_id);
  if (channels.length === 0) {
    throw new Error(
      `org "${member.org_id}" has no channel, and messages are recorded per channel: ` +
        `add one with PUT /admin/orgs/${member.org_id}/channels/:channel`,
    );
  }
  if (!opts.group) return { member, channelId: channels[0]!.id, chatType: 'direct', chatId: member.id };
  const chats = (await listBranchChats(db, member.org_id, member.branch_id)).sort(
    (a, b) => a.channel_id.localeCompare(b.channel_id) || a.chat_id.localeCompare(b.chat_id),
  );
  const chat = chats[0];
  if (!chat) {
    throw new Error(
      `branch "${member.branch_id}" of org "${member.org_id}" has no bound group chat: ` +
        `bind one with PUT /admin/orgs/${member.org_id}/branches/${member.branch_id} (chats), or leave out --group`,
    );
  }
  return { member, channelId: chat.channel_id, chatType: 'group', chatId: chat.chat_id };
}

/** One typed line as the ChatMessage a platform receiver would hand to dispatch. */
export function terminalMessage(who: TerminalIdentity, line: string, messageId: string, now: number): ChatMessage {
  return {
    platform: 'console',
    channelId: who.channelId,
    orgId: who.member.org_id,
    chatType: who.chatType,
    chatId: who.chatId,
    senderId: who.member.id,
    senderName: who.member.name,
    text: cleanInput(line),
    messageId,
    receivedAt: now,
    replyFormat: 'dingtalk',
  };
}

/** A reply as the terminal shows it; null is the bot staying silent. */
export function replyText(reply: Reply | null): string {
  return reply ? markdownToText(reply.markdown) : '(no reply)';
}
