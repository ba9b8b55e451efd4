import { z } from 'zod';
import type { ChatMessage } from '../../chat/message.ts';
import { CARD_BUTTON_TEXT, type CardAction, type MeetingCard, parseCardAction } from '../../domain/cards.ts';
import type { Channel } from '../../domain/channels.ts';
import { escapeMarkdown } from '../../domain/markdown.ts';

// The meeting card on DingTalk: the variables of its template (docs/dingtalk-card.md), and
// a press of one of its buttons as it comes over Stream, which becomes one ChatMessage; the card as
// the presser should then see it goes back in the press's ACK.

/**
 * The template's variables, every value a string as cardParamMap takes them: the heading, the
 * facts as markdown lines (user text escaped), the note in plain text, and whether each button shows.
 * `lastMessage` is what the chat list shows of the card.
 */
export function cardParams(card: MeetingCard): Record<string, string> {
  return {
    lastMessage: card.title,
    title: card.title,
    facts: card.rows.map((row) => `**${row.label}**：${escapeMarkdown(row.value)}`).join('\n\n'),
    note: card.note,
    showCheckin: String(card.actions.includes('checkin')),
    showLeave: String(card.actions.includes('leave')),
  };
}

/** A group's card space, as DingTalk names it in openSpaceId. */
export const groupSpace = (openConversationId: string) => `dtv1.card//IM_GROUP.${openConversationId}`;

/** A card callback's `data`, as the official SDKs read it (dingtalk-stream's card_callback.py). */
const callbackSchema = z.object({
  outTrackId: z.string().min(1).max(256),
  userId: z.string().min(1).max(128),
  content: z.string().max(20_000),
  spaceType: z.string().max(64).optional(),
  spaceId: z.string().max(256).optional(),
});

/** Its `content`: which button (its actionId) and the params the template gives it (`{action}`). */
const contentSchema = z.object({
  cardPrivateData: z.object({
    actionIds: z.array(z.string()).optional(),
    params: z.record(z.string(), z.unknown()).optional(),
  }),
});

export interface CardPress {
  /** The card's task id, which names the meeting and the chat it was sent to. */
  outTrackId: string;
  /** Who pressed: her DingTalk userid (the callback's default userIdType). */
  userId: string;
  action: CardAction;
  /** The group it was pressed in, when the callback names one. */
  spaceId: string | null;
}

/** A card callback's press; null for one of another shape, or for a button the service never made. */
export function readPress(body: unknown): CardPress | null {
  const callback = callbackSchema.safeParse(body);
  if (!callback.success) return null;
  let content: unknown;
  try {
    content = JSON.parse(callback.data.content);
  } catch {
    return null;
  }
  const parsed = contentSchema.safeParse(content);
  if (!parsed.success) return null;
  const { params, actionIds } = parsed.data.cardPrivateData;
  const key = typeof params?.action === 'string' ? params.action : actionIds?.[0];
  const action = key === undefined ? null : parseCardAction(key);
  if (!action) return null;
  const { outTrackId, userId, spaceType, spaceId } = callback.data;
  const group = spaceId !== undefined && spaceId !== '' && (spaceType === undefined || spaceType === 'IM_GROUP');
  return { outTrackId, userId, action, spaceId: group ? spaceId : null };
}

/** The press as the chat layer takes it: the typed command it stands for, from her, in that group. */
export function pressMessage(channel: Channel, press: CardPress, chatId: string, messageId: string, now: number): ChatMessage {
  return {
    platform: 'dingtalk',
    channelId: channel.id,
    orgId: channel.orgId,
    chatType: 'group',
    chatId,
    senderId: press.userId,
    senderName: null,
    text: CARD_BUTTON_TEXT[press.action],
    messageId,
    receivedAt: now,
    replyFormat: 'dingtalk',
    button: { action: press.action, taskId: press.outTrackId },
  };
}

/**
 * The ACK's answer: the card's variables changed for the presser alone, by key. DingTalk's card
 * examples answer with `userPrivateData` (the presser's data), the dingtalk-stream SDK's example
 * with `privateData` under her userid: both say the same.
 */
export function presserUpdate(userId: string, card: MeetingCard) {
  const cardParamMap = cardParams(card);
  return {
    cardUpdateOptions: { updateCardDataByKey: true, updatePrivateDataByKey: true },
    userPrivateData: { cardParamMap },
    privateData: { [userId]: { cardParamMap } },
  };
}
