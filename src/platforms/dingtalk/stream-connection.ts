import type { DingtalkConfig } from '../../domain/channels.ts';
import type { QuotaKind } from '../../domain/quota.ts';
import type { ChannelOf, ConnectContext, Connection } from '../adapter.ts';
import { dingtalkApi } from './app-clients.ts';
import { robotMessageSchema, toChatMessage } from './callback.ts';
import { DingtalkStream } from './stream.ts';
import { sendStreamReply } from './stream-reply.ts';

/** A channel in stream mode: its robot messages arrive over DingTalk Stream. */
export function openStream(ctx: ConnectContext, channel: ChannelOf<DingtalkConfig>): Connection {
  return new DingtalkStream({
    apiBase: ctx.config.DINGTALK_API_BASE,
    config: channel.config,
    logger: ctx.logger,
    onRobotMessage: (body) => void receive(ctx, channel, body),
    ...ctx.socket,
  });
}

/** A DingTalk robot message, already ACKed; the reply goes through the sessionWebhook or the robot API. */
async function receive(ctx: ConnectContext, channel: ChannelOf<DingtalkConfig>, raw: unknown): Promise<void> {
  const { clients, logger } = ctx;
  const parsed = robotMessageSchema.safeParse(raw);
  if (!parsed.success) {
    logger.warn('DingTalk Stream: a robot message of an unknown shape, ignored');
    return;
  }
  const body = parsed.data;
  // A Stream push counts against the org's Webhook&Stream quota.
  await clients.quota.count(channel, 'webhook');
  const reply = await ctx.handle(toChatMessage(channel, body, ctx.clock.now()));
  if (!reply) return;
  const count = (kind: QuotaKind) => clients.quota.count(channel, kind);
  const sent = await sendStreamReply(
    { oapiBase: ctx.config.DINGTALK_OAPI_BASE, api: dingtalkApi(clients, channel), logger, now: ctx.clock.now(), count },
    body,
    reply,
  );
  if (!sent.delivered) logger.warn({ msgId: body.msgId }, `DingTalk Stream: the reply was not sent: ${sent.reason}`);
}
