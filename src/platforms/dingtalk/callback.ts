import { z } from 'zod';
import { type ChatMessage, type Reply, cleanInput } from '../../chat/message.ts';
import type { Channel } from '../../domain/channels.ts';

// A DingTalk robot message as both receiving modes get it — the body of an HTTP callback, the
// `data` of a Stream CALLBACK frame — and what it becomes: one ChatMessage; a reply as the robot's
// markdown message.

export const robotMessageSchema = z.object({
  msgId: z.string().min(1).max(128),
  msgtype: z.string().optional(),
  conversationId: z.string().min(1).max(128),
  conversationType: z.enum(['1', '2']),
  senderStaffId: z.string().min(1).max(128).optional(),
  senderId: z.string().min(1).max(256),
  senderNick: z.string().max(100).optional(),
  text: z.object({ content: z.string().max(20_000) }).optional(),
  sessionWebhook: z.string().max(1000).optional(),
  sessionWebhookExpiredTime: z.number().optional(),
});

export type RobotMessage = z.infer<typeof robotMessageSchema>;

export function toChatMessage(channel: Channel, body: RobotMessage, now: number): ChatMessage {
  const group = body.conversationType === '2';
  const senderId = body.senderStaffId ?? body.senderId;
  return {
    platform: 'dingtalk',
    channelId: channel.id,
    orgId: channel.orgId,
    chatType: group ? 'group' : 'direct',
    chatId: group ? body.conversationId : senderId,
    senderId,
    senderName: body.senderNick ?? null,
    text: cleanInput(body.msgtype === undefined || body.msgtype === 'text' ? (body.text?.content ?? '') : ''),
    messageId: body.msgId,
    receivedAt: now,
    replyFormat: 'dingtalk',
  };
}

export const renderReply = (reply: Reply) => ({ msgtype: 'markdown', markdown: { title: reply.title, text: reply.markdown } });
