import { createHash } from 'node:crypto';
import type { MeetingCard } from './cards.ts';

// What the outbound queue carries: where a message goes (never the credentials, which are read
// when it is sent) and what it says (markdown, plus members to @-mention).

export type Target =
  /** A bound group chat: its WeCom group robot, DingTalk custom robot, or DingTalk app robot. */
  | { kind: 'chat'; channelId: string; chatId: string }
  /** One member privately: WeCom app message or DingTalk oToMessages, through `channelId`. */
  | { kind: 'member'; channelId: string; memberId: string };

/** One message to send, as recorded: its id is the caller's, deterministic where a repeat would hurt. */
export interface Delivery {
  id: string;
  orgId: string;
  target: Target;
  message: OutboundMessage;
}

export interface OutboundMessage {
  title: string;
  markdown: string;
  /** Member ids to @-mention (group chats only); resolved to platform user ids when sent. */
  mentions?: string[];
  /**
   * The line a push that cannot @-mention carries instead (a count, never names): where the
   * platform cannot mention, nobody is named.
   */
  unmentioned?: string;
  /** The same notice as a card with buttons, for a chat whose platform shows one; the markdown stands for it elsewhere. */
  card?: MeetingCard;
  /** A file to send instead of the text (private messages only): built when sent, as of `asOf`. */
  file?: FileRecipe;
  /**
   * A console sign-in link to add below the text (private messages only), made when sent so that
   * it is never stored; `askedAt`: when it was asked for, as it is no use sent much later.
   */
  link?: { purpose: 'login'; askedAt: number };
}

/**
 * A 台账 file by what makes it, not its bytes (which can outgrow a TEXT column): a branch's ledger
 * of a quarter (`2026-Q4`) or a meeting's 会议记录, as they stood at `asOf`.
 */
export type FileRecipe =
  | { kind: 'ledger'; branchId: string; quarter: string; asOf: number }
  | { kind: 'record'; branchId: string; code: string; asOf: number };

/** Deliveries with one rate key share one robot's limit and may be merged into one message. */
export function rateKeyOf(target: Target): string {
  return target.kind === 'chat' ? `chat|${target.channelId}|${target.chatId}` : `member|${target.channelId}|${target.memberId}`;
}

/** What a push that cannot @-mention says: its text, and the count it carries instead of names. */
export const withoutMentions = (message: Pick<OutboundMessage, 'markdown' | 'unmentioned'>): string =>
  message.unmentioned ? `${message.markdown}\n\n${message.unmentioned}` : message.markdown;

/** The card of a push that cannot @-mention: its note leads with the count. */
export const cardWithoutMentions = (card: MeetingCard, unmentioned: string | undefined): MeetingCard =>
  unmentioned ? { ...card, note: `${unmentioned}${card.note}` } : card;

/**
 * Several queued messages to one robot as one: titles and bodies joined, mentions united. A merged
 * message is markdown: its cards' buttons are in the text as commands to type.
 */
export function mergeMessages(messages: OutboundMessage[]): OutboundMessage {
  if (messages.length === 1) return messages[0]!;
  const mentions = [...new Set(messages.flatMap((m) => m.mentions ?? []))];
  const unmentioned = messages.flatMap((m) => m.unmentioned ?? []);
  return {
    title: `${messages[0]!.title}（等 ${messages.length} 条）`,
    markdown: messages.map((m) => m.markdown).join('\n\n---\n\n'),
    ...(mentions.length ? { mentions } : {}),
    ...(unmentioned.length ? { unmentioned: unmentioned.join('') } : {}),
  };
}

/**
 * A delivery's id, deterministic so that a repeated run records nothing twice: the kind, a hash of
 * what makes the message unique, and the part's number when a message is split. At most 48
 * characters, well inside the 64 of `deliveries.id`.
 */
export function deliveryId(
  kind: 'remind' | 'start' | 'nudge' | 'digest' | 'weekly' | 'compliance' | 'export' | 'quota' | 'link' | 'reason' | 'directory',
  key: readonly (string | number)[],
  part?: number,
): string {
  const hash = createHash('sha1').update(key.join('|')).digest('hex').slice(0, 24);
  return part === undefined ? `${kind}-${hash}` : `${kind}-${hash}-${part}`;
}
