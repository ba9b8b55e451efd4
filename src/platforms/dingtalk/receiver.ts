import type { Context } from 'hono';
import { z } from 'zod';
import { type ChatMessage, RETRY, type Reply, UNAVAILABLE, cleanInput } from '../../chat/message.ts';
import { BodyTimeout, BodyTooLarge, readBody } from '../../core/body.ts';
import type { ReceiverDeps } from '../receiver-deps.ts';
import { verifyDingtalkCallback } from './sign.ts';

const callbackSchema = z.object({
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

const EMPTY = { msgtype: 'empty' } as const;

const render = (reply: Reply) => ({ msgtype: 'markdown', markdown: { title: reply.title, text: reply.markdown } });

/** POST /webhooks/dingtalk/:channel — the enterprise-internal robot in HTTP mode (SPEC §3). */
export function dingtalkReceiver(deps: ReceiverDeps) {
  return async (c: Context) => {
    const channel = await deps.channels.get(c.req.param('channel') ?? '').catch((): typeof UNAVAILABLE => UNAVAILABLE);
    if (channel === UNAVAILABLE) return c.json(RETRY, 503);
    if (channel?.config.platform !== 'dingtalk') return c.json({ error: 'unknown channel' }, 404);

    let raw: string;
    try {
      raw = await readBody(c.req.raw);
    } catch (err) {
      if (err instanceof BodyTooLarge) return c.json({ error: 'body over 64 KiB' }, 413);
      if (err instanceof BodyTimeout) return c.json({ error: 'body not received in time' }, 408);
      throw err;
    }
    const now = deps.clock.now();
    if (!verifyDingtalkCallback(c.req.header('timestamp'), c.req.header('sign'), channel.config.appSecret, now)) {
      return c.json({ error: 'bad signature or timestamp' }, 401);
    }
    let body: z.infer<typeof callbackSchema>;
    try {
      body = callbackSchema.parse(JSON.parse(raw));
    } catch {
      return c.json({ error: 'body is not a DingTalk robot callback' }, 400);
    }

    const group = body.conversationType === '2';
    const senderId = body.senderStaffId ?? body.senderId;
    const message: ChatMessage = {
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
    const reply = await deps.handle(message);
    if (reply === UNAVAILABLE) return c.json(RETRY, 503);
    return c.json(reply ? render(reply) : EMPTY);
  };
}
