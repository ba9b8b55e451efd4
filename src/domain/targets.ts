import type { Audience, MessageFormat } from './message-format.ts';
import type { Target } from './outbound.ts';
import { ACCOUNT_PLATFORMS, type AccountPlatform, type BranchChatTable, type Member } from './records.ts';

// Where a branch's messages go: the one rule for reaching a member privately, a bound group chat,
// or the secretaries (privately where a channel can reach them, else the branch's group chats).
// What a channel can do comes with it as data (its platform's adapter says), never by its name.

/** How the console and the quota table name each kind of account. */
export const ACCOUNT_LABELS: Record<AccountPlatform, string> = { dingtalk: '钉钉', wecom: '企业微信' };

type Reachable = Pick<Member, 'id' | 'accounts'>;

/** A member's user id on `account`'s platform, or null. */
export const accountOf = (member: Pick<Member, 'accounts'>, account: AccountPlatform): string | null => member.accounts[account] ?? null;

/** A channel as the targets see it: what it can reach and in which message format. */
export interface ChannelRef {
  id: string;
  /** The accounts its members are known by; `any`: every member by id (the terminal demo); null: none. */
  account: AccountPlatform | 'any' | null;
  /** The format of a private message it sends a member; null when it cannot send one. */
  privateFormat: MessageFormat | null;
  /** Whether its private messages may carry a file. */
  privateFiles: boolean;
  /** The format of what it posts into a bound group chat. */
  groupFormat: MessageFormat;
  /** Whether it can post into a bound chat that has no robot key of its own. */
  postsWithoutRobot: boolean;
}
export type ChatRef = Pick<BranchChatTable, 'channel_id' | 'chat_id'>;

/** A target with the kind of message it takes, which decides the size of each part. */
export interface Addressed {
  target: Target;
  format: MessageFormat;
}

/** A chat whose channel is gone is sized for a WeCom group robot, the smaller of the two group limits. */
const UNKNOWN_CHAT_FORMAT: MessageFormat = 'wecom';

const privately = (member: Pick<Member, 'id'>, channel: ChannelRef, format: MessageFormat): Addressed => ({
  target: { kind: 'member', channelId: channel.id, memberId: member.id },
  format,
});

type Sender = ChannelRef & { privateFormat: MessageFormat };

/** Whether `channel` sends private messages, with a file where one is to go. */
const sends = (channel: ChannelRef, file: boolean): channel is Sender => channel.privateFormat !== null && (!file || channel.privateFiles);

/** The first channel that sends private messages (with a file, where `file`) to `account`'s accounts. */
const sender = (channels: ChannelRef[], account: AccountPlatform | 'any', file = false) =>
  channels.find((c): c is Sender => c.account === account && sends(c, file));

/**
 * A member privately: for each account she has, in the order of ACCOUNT_PLATFORMS (DingTalk, then
 * WeCom), the org's first channel that sends to it (DingTalk's oToMessages, a WeCom app's
 * message/send, a WeCom AI bot's long connection); else a channel that reaches every member (the terminal demo's); null when none.
 */
export function privateTarget(member: Reachable, channels: ChannelRef[]): Addressed | null {
  for (const account of ACCOUNT_PLATFORMS) {
    const channel = accountOf(member, account) ? sender(channels, account) : undefined;
    if (channel) return privately(member, channel, channel.privateFormat);
  }
  const any = sender(channels, 'any');
  return any ? privately(member, any, any.privateFormat) : null;
}

/**
 * A member privately, as the answer to what she asked on `channelId`: through that channel where
 * it can reach her so (DingTalk, a WeCom app, a WeCom AI bot on its long connection); asked through
 * one that cannot (a WeCom AI bot on callbacks), or an answer that is a file it cannot carry (the
 * AI bot's socket), through the org's first channel that sends it to the same account. Never
 * another platform's account. Null when none.
 */
export function privateAnswer(
  member: Reachable,
  channels: ChannelRef[],
  channelId: string,
  opts: { file?: boolean } = {},
): Addressed | null {
  const file = opts.file ?? false;
  const asked = channels.find((c) => c.id === channelId);
  if (!asked?.account) return null;
  if (asked.account === 'any') return sends(asked, file) ? privately(member, asked, asked.privateFormat) : null;
  if (!accountOf(member, asked.account)) return null;
  const channel = sends(asked, file) ? asked : sender(channels, asked.account, file);
  return channel ? privately(member, channel, channel.privateFormat) : null;
}

/** Who reads what goes to a target: one member, or everyone in a group chat. */
export const audienceOf = (target: Target): Audience => (target.kind === 'member' ? 'private' : 'group');

/**
 * Whether the service can post into a bound chat: through the chat's own robot, or where its
 * channel posts without one (DingTalk's app robot; deliver.ts sends the same way).
 */
export function canPostTo(chat: Pick<BranchChatTable, 'channel_id' | 'webhook'>, channels: ChannelRef[]): boolean {
  const channel = channels.find((c) => c.id === chat.channel_id);
  return channel !== undefined && (channel.postsWithoutRobot || !!chat.webhook);
}

/** A bound group chat as a target. */
export const toChat = (chat: ChatRef): Target => ({ kind: 'chat', channelId: chat.channel_id, chatId: chat.chat_id });

/** A bound group chat, pushed to through its robot. */
export function chatTarget(chat: ChatRef, channels: ChannelRef[]): Addressed {
  const format = channels.find((c) => c.id === chat.channel_id)?.groupFormat ?? UNKNOWN_CHAT_FORMAT;
  return { target: toChat(chat), format };
}

/**
 * The branch's secretaries privately, each where a channel can reach them; when none can be
 * reached so, the branch's group chats (`chats`: the branch's own, in binding order).
 */
export function secretaryTargets(members: (Reachable & Pick<Member, 'role'>)[], channels: ChannelRef[], chats: ChatRef[]): Addressed[] {
  const direct = members.filter((m) => m.role === 'secretary').flatMap((m) => privateTarget(m, channels) ?? []);
  return direct.length ? direct : chats.map((c) => chatTarget(c, channels));
}
