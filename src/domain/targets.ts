import type { Audience, MessageFormat } from './message-format.ts';
import type { Target } from './outbound.ts';
import type { BranchChatTable, Member } from './records.ts';

// Where a branch's messages go: the one rule for reaching a member privately, a bound group chat,
// or the secretaries (privately where a channel can reach them, else the branch's group chats).

export type ChannelRef = { id: string; platform: string };
export type ChatRef = Pick<BranchChatTable, 'channel_id' | 'chat_id'>;
type Reachable = Pick<Member, 'id' | 'accounts'>;

/** A target with the kind of message it takes, which decides the size of each part. */
export interface Addressed {
  target: Target;
  format: MessageFormat;
}

/** The terminal demo's channel reaches every member by id, as the platform it stands in for (DingTalk) would. */
const DEMO_FORMAT: MessageFormat = 'dingtalk';

/**
 * A member privately: a DingTalk channel of the org when they have a DingTalk id (oToMessages),
 * else a WeCom self-built app when they have a WeCom id (message/send), else the terminal demo's
 * channel; null when none.
 */
export function privateTarget(member: Reachable, channels: ChannelRef[]): Addressed | null {
  const dingtalk = channels.find((c) => c.platform === 'dingtalk');
  if (member.accounts.dingtalk && dingtalk)
    return { target: { kind: 'member', channelId: dingtalk.id, memberId: member.id }, format: 'dingtalk' };
  const app = channels.find((c) => c.platform === 'wecom-app');
  if (member.accounts.wecom && app) return { target: { kind: 'member', channelId: app.id, memberId: member.id }, format: 'wecom-app' };
  const demo = channels.find((c) => c.platform === 'demo');
  return demo ? { target: { kind: 'member', channelId: demo.id, memberId: member.id }, format: DEMO_FORMAT } : null;
}

/**
 * A member privately, as the answer to what she asked on `channelId`: through that channel where
 * it can reach her so (DingTalk, a WeCom app); asked through a WeCom AI bot, which cannot, through
 * the org's WeCom app, to the same WeCom account. Never another platform's account. Null when none.
 */
export function privateAnswer(member: Reachable, channels: ChannelRef[], channelId: string): Addressed | null {
  const asked = channels.find((c) => c.id === channelId);
  const to = (channelId: string, format: MessageFormat): Addressed => ({
    target: { kind: 'member', channelId, memberId: member.id },
    format,
  });
  if (asked?.platform === 'dingtalk') return member.accounts.dingtalk ? to(asked.id, 'dingtalk') : null;
  if (asked?.platform === 'demo') return to(asked.id, DEMO_FORMAT);
  if (!member.accounts.wecom) return null;
  if (asked?.platform === 'wecom-app') return to(asked.id, 'wecom-app');
  const app = asked?.platform === 'wecom-bot' ? channels.find((c) => c.platform === 'wecom-app') : undefined;
  return app ? to(app.id, 'wecom-app') : null;
}

/** Who reads what goes to a target: one member, or everyone in a group chat. */
export const audienceOf = (target: Target): Audience => (target.kind === 'member' ? 'private' : 'group');

/**
 * Whether the service can post into a bound chat: a DingTalk chat through its own custom robot or
 * the app robot; a WeCom chat only through its own group robot (deliver.ts sends the same way).
 */
export function canPostTo(chat: Pick<BranchChatTable, 'channel_id' | 'webhook'>, channels: ChannelRef[]): boolean {
  const platform = channels.find((c) => c.id === chat.channel_id)?.platform;
  return platform === 'dingtalk' || platform === 'demo' || (platform !== undefined && !!chat.webhook);
}

/** A bound group chat as a target. */
export const toChat = (chat: ChatRef): Target => ({ kind: 'chat', channelId: chat.channel_id, chatId: chat.chat_id });

/** A bound group chat, pushed to through its robot. */
export function chatTarget(chat: ChatRef, channels: ChannelRef[]): Addressed {
  const platform = channels.find((c) => c.id === chat.channel_id)?.platform;
  return { target: toChat(chat), format: platform === 'dingtalk' ? 'dingtalk' : platform === 'demo' ? DEMO_FORMAT : 'wecom' };
}

/**
 * The branch's secretaries privately, each where a channel can reach them; when none can be
 * reached so, the branch's group chats (`chats`: the branch's own, in binding order).
 */
export function secretaryTargets(members: (Reachable & Pick<Member, 'role'>)[], channels: ChannelRef[], chats: ChatRef[]): Addressed[] {
  const direct = members.filter((m) => m.role === 'secretary').flatMap((m) => privateTarget(m, channels) ?? []);
  return direct.length ? direct : chats.map((c) => chatTarget(c, channels));
}
