import type { ChatMessage } from '../../chat/message.ts';
import type { WecomBotConfig } from '../../domain/channels.ts';
import type { ChannelOf, ConnectContext, Connection } from '../adapter.ts';
import { AibotSocket } from './aibot-socket.ts';
import { NotABotMessage, botChatMessage, botStreamReply } from './bot-message.ts';

/** An AI bot in websocket mode: its messages arrive over the bot's long connection. */
export function openAibotSocket(ctx: ConnectContext, channel: ChannelOf<WecomBotConfig>): Connection {
  const socket: AibotSocket = new AibotSocket({
    url: ctx.config.WECOM_AIBOT_WS_URL,
    config: { botId: channel.config.botId ?? '', secret: channel.config.secret ?? '' },
    logger: ctx.logger,
    onMessage: (reqId, body) => void receive(ctx, channel, socket, reqId, body),
    clock: ctx.clock,
    ...ctx.socket,
  });
  return socket;
}

/** A WeCom AI-bot message; the reply goes back on the socket under the frame's req_id, as a finished stream. */
async function receive(
  ctx: ConnectContext,
  channel: ChannelOf<WecomBotConfig>,
  socket: AibotSocket,
  reqId: string,
  raw: unknown,
): Promise<void> {
  const { logger } = ctx;
  let message: ChatMessage | null;
  try {
    message = botChatMessage(channel, raw, ctx.clock.now());
  } catch (err) {
    if (!(err instanceof NotABotMessage)) throw err;
    logger.warn(`WeCom AI bot: ${err.message}, ignored`);
    return;
  }
  if (!message) return;
  const reply = await ctx.handle(message);
  if (!reply) return;
  if (!(await socket.respond(reqId, botStreamReply(message, reply))))
    logger.warn({ msgId: message.messageId }, 'WeCom AI bot: the reply was not acknowledged');
}
