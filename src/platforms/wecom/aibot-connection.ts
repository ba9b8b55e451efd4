import type { ChatMessage, Reply } from '../../chat/message.ts';
import type { WecomBotConfig } from '../../domain/channels.ts';
import type { ChannelOf, ConnectContext, Connection } from '../adapter.ts';
import { RELAY_TIMING, type RelayAnswer, RelayServer } from '../shared/socket-relay.ts';
import { AibotSocket } from './aibot-socket.ts';
import { NotABotMessage, botCardPress, botChatMessage, botStreamReply } from './bot-message.ts';
import { cardUpdate } from './template-card.ts';

/** WeCom takes a card's update only within 5 s of the press. */
const UPDATE_WITHIN_MS = 5_000;

/**
 * An AI bot in websocket mode: its messages and card presses arrive over the bot's long connection,
 * and the pushes of every process go out over it (the relay's requests, served while it is held).
 */
export function openAibotSocket(ctx: ConnectContext, channel: ChannelOf<WecomBotConfig>): Connection {
  const socket: AibotSocket = new AibotSocket({
    url: ctx.config.WECOM_AIBOT_WS_URL,
    config: { botId: channel.config.botId ?? '', secret: channel.config.secret ?? '' },
    logger: ctx.logger,
    onMessage: (reqId, body) => void receive({ ctx, channel, socket }, reqId, body),
    onEvent: (reqId, body) => void pressed({ ctx, channel, socket }, reqId, body),
    clock: ctx.clock,
    ...ctx.socket,
  });
  const relay = new RelayServer({
    redis: ctx.clients.deps.redis,
    prefix: ctx.clients.deps.config.QUEUE_PREFIX,
    channelId: channel.id,
    logger: ctx.logger,
    send: (payload) => push(socket, payload),
  });
  return {
    start() {
      socket.start();
      relay.start();
    },
    stop() {
      relay.stop();
      socket.stop();
    },
    get connected() {
      return socket.connected;
    },
  };
}

/** One relayed push (aibot_send_msg), as the server acknowledged it; sent and unacknowledged, WeCom may have it. */
async function push(socket: AibotSocket, payload: unknown): Promise<RelayAnswer> {
  if (!socket.connected) return { sent: false, reason: 'the long connection is reconnecting' };
  const ack = await socket.send(payload as { chatid: string }, RELAY_TIMING.ackMs);
  if (!ack) return { sent: 'unknown', reason: 'WeCom did not acknowledge the push in time' };
  if (ack.errcode !== 0) return { sent: false, errcode: ack.errcode, reason: `WeCom refused the push: ${ack.errcode} ${ack.errmsg}` };
  return { sent: true };
}

/** What a callback frame is handled with: the connection's context, its channel and its socket. */
interface Side {
  ctx: ConnectContext;
  channel: ChannelOf<WecomBotConfig>;
  socket: AibotSocket;
}

/**
 * A frame's body as `read` makes it a ChatMessage, handled: the message and its reply; null for
 * no message (one of another shape is logged) or no reply.
 */
async function handled({ ctx }: Side, read: (now: number) => ChatMessage | null): Promise<{ message: ChatMessage; reply: Reply } | null> {
  let message: ChatMessage | null;
  try {
    message = read(ctx.clock.now());
  } catch (err) {
    if (!(err instanceof NotABotMessage)) throw err;
    ctx.logger.warn(`WeCom AI bot: ${err.message}, ignored`);
    return null;
  }
  const reply = message && (await ctx.handle(message));
  return message && reply ? { message, reply } : null;
}

/** A WeCom AI-bot message; the reply goes back on the socket under the frame's req_id, as a finished stream. */
async function receive(side: Side, reqId: string, raw: unknown): Promise<void> {
  const got = await handled(side, (now) => botChatMessage(side.channel, raw, now));
  if (!got) return;
  if (!(await side.socket.respond(reqId, botStreamReply(got.message, got.reply))))
    side.ctx.logger.warn({ msgId: got.message.messageId }, 'WeCom AI bot: the reply was not acknowledged');
}

/**
 * A card's button pressed: the command it stands for, handled as typed; the card is then updated
 * for the presser alone, under the event's req_id, to say what was recorded or why not.
 */
async function pressed(side: Side, reqId: string, raw: unknown): Promise<void> {
  const { logger } = side.ctx;
  const at = performance.now();
  const got = await handled(side, (now) => botCardPress(side.channel, raw, now));
  const button = got?.message.button;
  if (!got || !button) return;
  const { message, reply } = got;
  if (!reply.card) {
    logger.debug({ msgId: message.messageId }, 'WeCom AI bot: a press answered without a card, the card is left as it is');
    return;
  }
  if (performance.now() - at > UPDATE_WITHIN_MS) {
    logger.warn({ msgId: message.messageId }, 'WeCom AI bot: a press took longer than WeCom waits to update its card');
    return;
  }
  const update = cardUpdate(reply.card, button.taskId, message.senderId);
  if (!(await side.socket.respond(reqId, update, 'aibot_respond_update_msg')))
    logger.warn({ msgId: message.messageId }, 'WeCom AI bot: the card update was not acknowledged');
}
