// What the outbound queue carries: where a message goes (never the credentials, which are read
// when it is sent) and what it says (markdown, plus members to @-mention).

export type Target =
  /** A bound group chat: its WeCom group robot, DingTalk custom robot, or DingTalk app robot. */
  | { kind: 'chat'; channelId: string; chatId: string }
  /** One member privately: WeCom app message or DingTalk oToMessages, through `channelId`. */
  | { kind: 'member'; channelId: string; memberId: string };

export interface OutboundMessage {
  title: string;
  markdown: string;
  /** Member ids to @-mention (group chats only); resolved to platform user ids when sent. */
  mentions?: string[];
}

/** Deliveries with one rate key share one robot's limit and may be merged into one message. */
export function rateKeyOf(target: Target): string {
  return target.kind === 'chat' ? `chat|${target.channelId}|${target.chatId}` : `member|${target.channelId}|${target.memberId}`;
}

/** Several queued messages to one robot as one: titles and bodies joined, mentions united. */
export function mergeMessages(messages: OutboundMessage[]): OutboundMessage {
  if (messages.length === 1) return messages[0]!;
  const mentions = [...new Set(messages.flatMap((m) => m.mentions ?? []))];
  return {
    title: `${messages[0]!.title}（等 ${messages.length} 条）`,
    markdown: messages.map((m) => m.markdown).join('\n\n---\n\n'),
    ...(mentions.length ? { mentions } : {}),
  };
}
