import type { MessageFormat } from '../domain/digest/render.ts';

// The platform-neutral shapes: a receiver turns a verified callback into one ChatMessage; a handler
// answers with Replies and never learns which platform it serves.

/** `console` is the local terminal (npm run chat): its sender id is the member id. */
export type ChatPlatform = 'dingtalk' | 'wecom' | 'console';

export interface ChatMessage {
  platform: ChatPlatform;
  channelId: string;
  orgId: string;
  chatType: 'group' | 'direct';
  /** The group's conversation id; for a direct chat, the sender's user id. */
  chatId: string;
  /** The sender's user id on the platform (DingTalk staff id, WeCom userid; the member id on the console). */
  senderId: string;
  senderName: string | null;
  /** The message text with any leading @bot mention removed, otherwise as sent. */
  text: string;
  messageId: string;
  receivedAt: number;
  /** The kind of message a reply goes out as, which decides how long one part of it may be. */
  replyFormat: MessageFormat;
}

export interface Reply {
  /** Short title (DingTalk's markdown title, notification previews). */
  title: string;
  markdown: string;
}

/** Removes a leading `@bot` mention (half- or full-width @) and surrounding space. */
export function stripMention(text: string): string {
  return text.replace(/^[\s\u3000]*(?:[@＠]\S*[\s\u3000]*)?/u, '');
}

/** The event could not be recorded in time: the receiver answers 503 so that the platform retries. */
export const UNAVAILABLE: unique symbol = Symbol('unavailable');

/** The body of a 503: the platform will retry, and the retry finds whatever was recorded. */
export const RETRY = { error: 'temporarily unavailable, retry' };

/** A reply, null for silence, or UNAVAILABLE. */
export type HandleResult = Reply | null | typeof UNAVAILABLE;

/** What a receiver hands each verified message to: the whole of the chat layer, as one function. */
export type Handle = (message: ChatMessage) => Promise<HandleResult>;
