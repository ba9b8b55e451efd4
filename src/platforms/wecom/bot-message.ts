import { z } from 'zod';
import { type ChatMessage, type Reply, cleanInput } from '../../chat/message.ts';
import { CARD_BUTTON_TEXT, parseCardAction } from '../../domain/cards.ts';
import type { Channel } from '../../domain/channels.ts';

// A WeCom AI bot (智能机器人) message as both receiving modes get it — decrypted from an HTTP
// callback, or the body of a long connection's aibot_msg_callback frame — and the bot's answer to
// it: a finished stream whose content is markdown. A card's button pressed (a template_card_event)
// is the typed command it stands for.

export const botMessageSchema = z.object({
  msgid: z.string().min(1).max(128),
  aibotid: z.string().optional(),
  chatid: z.string().max(128).optional(),
  chattype: z.enum(['group', 'single']),
  from: z.object({ userid: z.string().min(1).max(128) }),
  response_url: z.string().max(2000).optional(),
  msgtype: z.string(),
  text: z.object({ content: z.string().max(20_000) }).optional(),
});

/** A message that is not an AI-bot message (of that shape, or a group message without its chat). */
export class NotABotMessage extends Error {}

/** What a message and an event both carry: their id, their chat, who sent them. */
type Sent = { msgid: string; chatid?: string | undefined; from: { userid: string } };

/** What `body` says as a ChatMessage from its sender, in its group or one-to-one. Throws NotABotMessage for a group one without its chat. */
function chatMessage(
  channel: Pick<Channel, 'id' | 'orgId'>,
  body: Sent,
  group: boolean,
  text: string,
  now: number,
  what: string,
): ChatMessage {
  if (group && !body.chatid) throw new NotABotMessage(`a group ${what} without its chatid`);
  return {
    platform: 'wecom',
    channelId: channel.id,
    orgId: channel.orgId,
    chatType: group ? 'group' : 'direct',
    chatId: group ? body.chatid! : body.from.userid,
    senderId: body.from.userid,
    senderName: null,
    text,
    messageId: body.msgid,
    receivedAt: now,
    // Sized as a WeCom app message: a 周报 continues privately through the app.
    replyFormat: 'wecom-app',
  };
}

/** One ChatMessage; null for what is not text (images, events). Throws NotABotMessage. */
export function botChatMessage(channel: Pick<Channel, 'id' | 'orgId'>, raw: unknown, now: number): ChatMessage | null {
  const parsed = botMessageSchema.safeParse(raw);
  if (!parsed.success) throw new NotABotMessage('not an AI-bot message');
  const body = parsed.data;
  if (body.msgtype !== 'text' || !body.text) return null;
  return chatMessage(channel, body, body.chattype === 'group', cleanInput(body.text.content), now, 'message');
}

/** The bot's answer to `message`: one finished stream. */
export const botStreamReply = (message: Pick<ChatMessage, 'messageId'>, reply: Reply) => ({
  msgtype: 'stream',
  stream: { id: message.messageId, finish: true, content: reply.markdown },
});

const cardKeys = z.object({ event_key: z.string().max(1024).optional(), task_id: z.string().max(128).optional() });

/**
 * An event callback. WeCom's document of the events nests a press's key and task id under
 * `event.template_card_event`; @wecom/aibot-node-sdk's types read them from `event`: both are read.
 */
const botEventSchema = z.object({
  msgid: z.string().min(1).max(128),
  chatid: z.string().max(128).optional(),
  chattype: z.enum(['group', 'single']).optional(),
  from: z.object({ userid: z.string().min(1).max(128) }),
  event: cardKeys.extend({ eventtype: z.string(), template_card_event: cardKeys.optional() }),
});

/**
 * A press of one of the service's card buttons as the command it stands for; null for any other
 * event (a chat entered, feedback). Throws NotABotMessage for an event of another shape, or a press
 * of a button or card the service never made.
 */
export function botCardPress(channel: Pick<Channel, 'id' | 'orgId'>, raw: unknown, now: number): ChatMessage | null {
  const parsed = botEventSchema.safeParse(raw);
  if (!parsed.success) throw new NotABotMessage('not an AI-bot event');
  const body = parsed.data;
  if (body.event.eventtype !== 'template_card_event') return null;
  const key = body.event.event_key ?? body.event.template_card_event?.event_key;
  const taskId = body.event.task_id ?? body.event.template_card_event?.task_id;
  const action = key === undefined ? null : parseCardAction(key);
  if (!action) throw new NotABotMessage('a card press of a button the service never made');
  if (!taskId) throw new NotABotMessage('a card press without its task_id');
  const group = body.chattype === 'group' || (body.chattype === undefined && body.chatid !== undefined);
  return { ...chatMessage(channel, body, group, CARD_BUTTON_TEXT[action], now, 'card press'), button: { action, taskId } };
}
