import type { Context } from 'hono';
import { RETRY, UNAVAILABLE } from '../../chat/message.ts';
import { BodyTimeout, BodyTooLarge, readBody } from '../../core/body.ts';
import type { ReceiverDeps } from '../receiver-deps.ts';
import { type RobotMessage, renderReply, robotMessageSchema, toChatMessage } from './callback.ts';
import { verifyDingtalkCallback } from './sign.ts';

const EMPTY = { msgtype: 'empty' } as const;

/** POST /webhooks/dingtalk/:channel — the enterprise-internal robot in HTTP mode. */
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
    const [timestamp, sign] = [c.req.header('timestamp'), c.req.header('sign')];
    if (!verifyDingtalkCallback(timestamp, sign, channel.config.appSecret, now) || !timestamp || !sign) {
      return c.json({ error: 'bad signature or timestamp' }, 401);
    }
    let body: RobotMessage;
    try {
      body = robotMessageSchema.parse(JSON.parse(raw));
    } catch {
      return c.json({ error: 'body is not a DingTalk robot callback' }, 400);
    }
    // A signature seen with another message: a replay, or a second message signed in the same millisecond, which DingTalk sends again.
    if (!(await deps.signs.claim(channel.id, timestamp, sign, body.msgId, now))) return c.json(RETRY, 503);
    const reply = await deps.handle(toChatMessage(channel, body, now));
    if (reply === UNAVAILABLE) return c.json(RETRY, 503);
    return c.json(reply ? renderReply(reply) : EMPTY);
  };
}
