import type { CardAction, MeetingCard } from '../domain/cards.ts';
import type { MessageFormat } from '../domain/message-format.ts';

// The platform-neutral shapes: a receiver turns a verified callback into one ChatMessage; a handler
// answers with Replies and never learns which platform it serves.

/**
 * `console` is the terminal chat (npm run chat): its sender id is the member id. The value keeps its
 * old name because it is stored in the trail's addresses.
 */
export type ChatPlatform = 'dingtalk' | 'wecom' | 'console';

export interface ChatMessage {
  platform: ChatPlatform;
  channelId: string;
  orgId: string;
  chatType: 'group' | 'direct';
  /** The group's conversation id; for a direct chat, the sender's user id. */
  chatId: string;
  /** The sender's user id on the platform (DingTalk staff id, WeCom userid; the member id in the terminal chat). */
  senderId: string;
  senderName: string | null;
  /** The message text with any leading @bot mention removed, otherwise as sent. */
  text: string;
  messageId: string;
  receivedAt: number;
  /** The kind of message a reply goes out as, which decides how long one part of it may be. */
  replyFormat: MessageFormat;
  /**
   * A button pressed on a meeting's card: the command it stands for, and the card's task id (which
   * names the meeting). `text` is then the typed command, for the trail.
   */
  button?: { action: CardAction; taskId: string };
}

export interface Reply {
  /** Short title (DingTalk's markdown title, notification previews). */
  title: string;
  markdown: string;
  /** The answer to a button: the card as its presser should now see it, saying what was recorded or why not. */
  card?: MeetingCard;
}

// C0 and C1 controls (a tab becomes a space, a newline stays) and the bidi controls that can make
// an echoed text read differently from what was sent.
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point: they are stripped.
const CONTROLS = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]/gu;

/** A message's text as handlers read it: controls stripped, a leading `@bot` mention (half- or full-width @) removed. */
export function cleanInput(text: string): string {
  return text
    .replace(/\t/g, ' ')
    .replace(CONTROLS, '')
    .replace(/^[\s\u3000]*(?:[@＠]\S*[\s\u3000]*)?/u, '');
}

/** The event could not be recorded in time: the receiver answers 503 so that the platform retries. */
export const UNAVAILABLE: unique symbol = Symbol('unavailable');

/** The body of a 503: the platform will retry, and the retry finds whatever was recorded. */
export const RETRY = { error: 'temporarily unavailable, retry' };

/** A reply, null for silence, or UNAVAILABLE. */
export type HandleResult = Reply | null | typeof UNAVAILABLE;

/** What a receiver hands each verified message to: the whole of the chat layer, as one function. */
export type Handle = (message: ChatMessage) => Promise<HandleResult>;
