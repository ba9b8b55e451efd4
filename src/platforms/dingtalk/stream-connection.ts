import { listOrgChats } from '../../../db/branches.ts';
import { madeForChat, parseCardTask } from '../../domain/cards.ts';
import type { DingtalkConfig } from '../../domain/channels.ts';
import type { QuotaKind } from '../../domain/quota.ts';
import type { ChannelOf, ConnectContext, Connection } from '../adapter.ts';
import { directoryChanged } from '../directory.ts';
import { dingtalkApi } from './app-clients.ts';
import { robotMessageSchema, toChatMessage } from './callback.ts';
import { type CardPress, pressMessage, presserUpdate, readPress } from './card.ts';
import { DingtalkStream, type StreamEvent } from './stream.ts';
import { sendStreamReply } from './stream-reply.ts';

/**
 * A channel in stream mode: its robot messages arrive over DingTalk Stream, and so do the presses
 * of its meeting cards' buttons when it has a card template, and the org's events.
 */
export function openStream(ctx: ConnectContext, channel: ChannelOf<DingtalkConfig>): Connection {
  return new DingtalkStream({
    apiBase: ctx.config.DINGTALK_API_BASE,
    config: channel.config,
    logger: ctx.logger,
    onRobotMessage: (body) => void receive(ctx, channel, body),
    ...(channel.config.cardTemplateId ? { onCardCallback: (body, messageId) => press(ctx, channel, body, messageId) } : {}),
    onEvent: (event) => orgEvent(ctx, channel, event),
    ...ctx.socket,
  });
}

/** The org events that change a directory: a member or a department added, changed or gone. */
const DIRECTORY_EVENTS = new Set([
  'user_add_org',
  'user_modify_org',
  'user_leave_org',
  'org_dept_create',
  'org_dept_modify',
  'org_dept_remove',
]);

/**
 * An event pushed to the app: a change of its directory is recorded as a sync wanted for the org
 * (the sync reads the directory again, whatever the event says) before the event is ACKed; others
 * are ACKed and left.
 */
async function orgEvent(ctx: ConnectContext, channel: ChannelOf<DingtalkConfig>, event: StreamEvent): Promise<void> {
  // A Stream push counts against the org's Webhook&Stream quota.
  await ctx.clients.quota.count(channel, 'webhook');
  if (!DIRECTORY_EVENTS.has(event.type)) return;
  if (await directoryChanged(ctx.clients.deps.db, channel, ctx.clock.now()))
    ctx.logger.info({ eventType: event.type, eventId: event.id }, 'DingTalk Stream: the directory changed; a sync is wanted');
}

/**
 * A button pressed on a meeting card: the command it stands for, from the presser, in the card's
 * group; what the ACK answers is the card as she should now see it (null: unchanged).
 */
async function press(ctx: ConnectContext, channel: ChannelOf<DingtalkConfig>, body: unknown, messageId: string): Promise<unknown> {
  const pressed = readPress(body);
  if (!pressed) {
    ctx.logger.warn({ messageId }, 'DingTalk Stream: a card callback of an unknown shape or button, ignored');
    return null;
  }
  const chatId = await chatOf(ctx, channel, pressed);
  if (!chatId) {
    ctx.logger.warn({ messageId }, 'DingTalk Stream: a card callback from no group the channel is bound to, ignored');
    return null;
  }
  // A Stream push counts against the org's Webhook&Stream quota.
  await ctx.clients.quota.count(channel, 'webhook');
  const reply = await ctx.handle(pressMessage(channel, pressed, chatId, messageId, ctx.clock.now()));
  return reply?.card ? presserUpdate(pressed.userId, reply.card) : null;
}

/**
 * The group a card was pressed in: the bound chat its task id was made for (the id carries a hash
 * of it), as the service sent it there; the callback's spaceId when no bound chat matches, since
 * DingTalk documents no promise that a spaceId is the open conversation id the chat is bound by.
 */
async function chatOf(ctx: ConnectContext, channel: ChannelOf<DingtalkConfig>, pressed: CardPress): Promise<string | null> {
  const task = parseCardTask(pressed.outTrackId);
  if (!task) return pressed.spaceId;
  const madeFor = (chatId: string) => madeForChat(task, chatId);
  if (pressed.spaceId && madeFor(pressed.spaceId)) return pressed.spaceId;
  const chats = await listOrgChats(ctx.clients.deps.db, channel.orgId).catch((err: unknown) => {
    ctx.logger.warn({ err }, 'DingTalk Stream: could not read the bound chats to place a card callback');
    return [];
  });
  return chats.find((chat) => chat.channel_id === channel.id && madeFor(chat.chat_id))?.chat_id ?? pressed.spaceId;
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
