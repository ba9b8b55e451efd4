import { z } from 'zod';
import { type ChatMessage, type Reply, cleanInput } from '../../chat/message.ts';
import type { Channel } from '../../domain/channels.ts';

// A WeCom AI bot (智能机器人) message as both receiving modes get it — decrypted from an HTTP
// callback, or the body of a long connection's aibot_msg_callback frame — and the bot's answer to
// it: a finished stream whose content is markdown.

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

/** One ChatMessage; null for what is not text (images, events). Throws NotABotMessage. */
export function botChatMessage(channel: Pick<Channel, 'id' | 'orgId'>, raw: unknown, now: number): ChatMessage | null {
  const parsed = botMessageSchema.safeParse(raw);
  if (!parsed.success) throw new NotABotMessage('not an AI-bot message');
  const body = parsed.data;
  if (body.msgtype !== 'text' || !body.text) return null;
  const group = body.chattype === 'group';
  if (group && !body.chatid) throw new NotABotMessage('a group message without its chatid');
  return {
    platform: 'wecom',
    channelId: channel.id,
    orgId: channel.orgId,
    chatType: group ? 'group' : 'direct',
    chatId: group ? body.chatid! : body.from.userid,
    senderId: body.from.userid,
    senderName: null,
    text: cleanInput(body.text.content),
    messageId: body.msgid,
    receivedAt: now,
    // Sized as a WeCom app message: a 周报 continues privately through the app.
    replyFormat: 'wecom-app',
  };
}

/** The bot's answer to `message`: one finished stream. */
export const botStreamReply = (message: Pick<ChatMessage, 'messageId'>, reply: Reply) => ({
  msgtype: 'stream',
  stream: { id: message.messageId, finish: true, content: reply.markdown },
});
