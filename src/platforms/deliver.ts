import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import { type Clock, systemClock } from '../core/clock.ts';
import type { Config } from '../core/config.ts';
import type { Channel, DingtalkConfig, WecomAppConfig } from '../domain/channels.ts';
import type { Database, Db, Member } from '../../db/schema.ts';
import { getChannel } from '../../db/channels.ts';
import { getBranch, getBranchChat } from '../../db/branches.ts';
import { getMember, listMembersByIds } from '../../db/members.ts';
import type { SendResult } from './shared/send-result.ts';
import { QuotaCounter } from './shared/quota.ts';
import { sendGroupRobot } from './wecom/group-robot.ts';
import { WecomAppApi } from './wecom/app-api.ts';
import { sendCustomRobot } from './dingtalk/custom-robot.ts';
import { DingtalkAppApi } from './dingtalk/app-api.ts';
import type { FileRecipe, OutboundMessage, Target } from '../domain/outbound.ts';
import type { BuiltFile } from '../chat/files.ts';
import { type DemoTerminal, showPush } from './demo/terminal.ts';
import { LINK_MS, mintSignInLink } from '../chat/links.ts';

// A sender: one outbound message to one target, through the platform call that target needs.
// Credentials are read here, at send time, so that none is ever copied into the queue.

export interface DeliverDeps {
  db: Kysely<Database>;
  redis: Redis;
  logger: Logger;
  /** The month calls are counted under; the system's clock when absent. */
  clock?: Clock;
  config: Pick<Config, 'WECOM_API_BASE' | 'DINGTALK_OAPI_BASE' | 'DINGTALK_API_BASE' | 'QUEUE_PREFIX' | 'CHECKIN_CLOSES' | 'PUBLIC_URL'>;
  /** The terminal the demo's channel shows its pushes in; only the terminal demo has one. */
  terminal?: DemoTerminal;
}

const permanent = (reason: string): SendResult => ({ delivered: false, kind: 'permanent', reason });

const NO_ROBOT = (chatId: string) =>
  `WeCom chat ${chatId} has no group robot of its own: set the chat's webhook (its group robot key) with PUT /admin/orgs/:org/branches/:branch`;

/**
 * The robot a message to `target` goes through, named without its secret: what a robot's
 * 20-a-minute limit is counted by. Two chats given the same robot key share one count.
 */
export async function robotOf(db: Db, target: Target): Promise<string> {
  if (target.kind === 'member') return `member|${target.channelId}|${target.memberId}`;
  const webhook = (await getBranchChat(db, target.channelId, target.chatId))?.webhook;
  return webhook ? `robot|${createHash('sha256').update(webhook).digest('hex').slice(0, 24)}` : `chat|${target.channelId}|${target.chatId}`;
}

/** Platform API clients per channel, sharing their token caches (Redis) across calls, and the count of calls made. */
export class PlatformClients {
  private readonly wecom = new Map<string, { key: string; api: WecomAppApi }>();
  private readonly dingtalk = new Map<string, { key: string; api: DingtalkAppApi }>();
  readonly quota: QuotaCounter;

  constructor(private readonly deps: DeliverDeps) {
    this.quota = new QuotaCounter({ ...deps, clock: deps.clock ?? systemClock, prefix: deps.config.QUEUE_PREFIX });
  }

  wecomApp(channel: Channel & { config: WecomAppConfig }): WecomAppApi {
    const key = JSON.stringify(channel.config);
    const hit = this.wecom.get(channel.id);
    if (hit?.key === key) return hit.api;
    const api = new WecomAppApi({
      ...this.common(),
      config: channel.config,
      channelId: channel.id,
      apiBase: this.deps.config.WECOM_API_BASE,
    });
    this.wecom.set(channel.id, { key, api });
    return api;
  }

  dingtalkApp(channel: Channel & { config: DingtalkConfig }): DingtalkAppApi {
    const key = JSON.stringify(channel.config);
    const hit = this.dingtalk.get(channel.id);
    if (hit?.key === key) return hit.api;
    const api = new DingtalkAppApi({
      ...this.common(),
      config: channel.config,
      apiBase: this.deps.config.DINGTALK_API_BASE,
      oapiBase: this.deps.config.DINGTALK_OAPI_BASE,
    });
    this.dingtalk.set(channel.id, { key, api });
    return api;
  }

  private common() {
    return { redis: this.deps.redis, logger: this.deps.logger, keyPrefix: this.deps.config.QUEUE_PREFIX };
  }
}

/** Sends `message` to `target`; `idempotencyKey` makes a retried DingTalk send a no-op (msgUuid). */
export async function deliver(
  deps: DeliverDeps,
  clients: PlatformClients,
  target: Target,
  message: OutboundMessage,
  idempotencyKey: string,
): Promise<SendResult> {
  const channel = await getChannel(deps.db, target.channelId);
  if (!channel) return permanent(`channel ${target.channelId} no longer exists`);
  if (channel.config.platform === 'demo') return toTerminal(deps, channel, target, message);
  return target.kind === 'chat'
    ? toChat(deps, clients, channel, target.chatId, message, idempotencyKey)
    : toMember(deps, clients, channel, target.memberId, message);
}

async function mentioned(deps: DeliverDeps, channel: Channel, message: OutboundMessage): Promise<Member[]> {
  return message.mentions?.length ? listMembersByIds(deps.db, channel.orgId, message.mentions) : [];
}

async function toChat(
  deps: DeliverDeps,
  clients: PlatformClients,
  channel: Channel,
  chatId: string,
  message: OutboundMessage,
  idempotencyKey: string,
): Promise<SendResult> {
  const chat = await getBranchChat(deps.db, channel.id, chatId);
  if (!chat) return permanent(`chat ${chatId} is no longer bound to a branch`);
  const members = await mentioned(deps, channel, message);
  if (channel.config.platform === 'dingtalk') {
    const ids = members.map((m) => m.accounts.dingtalk).filter((id): id is string => !!id);
    // DingTalk shows an @ only when the user id is in the text as well as in atUserIds.
    const text = ids.length ? `${message.markdown}\n\n${ids.map((id) => `@${id}`).join(' ')}` : message.markdown;
    if (chat.webhook) {
      await clients.quota.count(channel, 'webhook');
      return sendCustomRobot({
        oapiBase: deps.config.DINGTALK_OAPI_BASE,
        accessToken: chat.webhook,
        ...(chat.secret ? { secret: chat.secret } : {}),
        message: { kind: 'markdown', title: message.title, text, atUserIds: ids },
        msgUuid: idempotencyKey,
        logger: deps.logger,
      });
    }
    await clients.quota.count(channel, 'api');
    return clients
      .dingtalkApp(channel as Channel & { config: DingtalkConfig })
      .sendGroup({ openConversationId: chatId, message: { title: message.title, markdown: text } });
  }
  // Only the chat's own robot: another chat's (or the channel's) key would post into another group.
  const key = chat.webhook;
  if (!key) return permanent(NO_ROBOT(chatId));
  const ids = members.map((m) => m.accounts.wecom).filter((id): id is string => !!id);
  await clients.quota.count(channel, 'webhook');
  // WeCom group-robot markdown mentions with <@userid>.
  const content = ids.length ? `${message.markdown}\n\n${ids.map((id) => `<@${id}>`).join(' ')}` : message.markdown;
  return sendGroupRobot({ apiBase: deps.config.WECOM_API_BASE, key, message: { kind: 'markdown', content }, logger: deps.logger });
}

async function toMember(
  deps: DeliverDeps,
  clients: PlatformClients,
  channel: Channel,
  memberId: string,
  message: OutboundMessage,
): Promise<SendResult> {
  const member = await getMember(deps.db, channel.orgId, memberId);
  if (!member) return permanent(`member ${memberId} no longer exists`);
  const config = channel.config;
  const dingtalkId = config.platform === 'dingtalk' ? member.accounts.dingtalk : null;
  const wecomId = config.platform === 'wecom-app' ? member.accounts.wecom : null;
  if (!dingtalkId && !wecomId) return permanent(`member ${memberId} cannot be reached privately through channel ${channel.id}`);
  // A file is two calls: its upload and its message.
  await clients.quota.count(channel, 'api', message.file ? 2 : 1);
  if (message.file) {
    const file = await fileOf(deps, channel, message.file);
    if (!('bytes' in file)) return file;
    if (dingtalkId)
      return clients.dingtalkApp(channel as Channel & { config: DingtalkConfig }).sendPrivateFile({ userIds: [dingtalkId], file });
    return clients.wecomApp(channel as Channel & { config: WecomAppConfig }).sendFile({ touser: [wecomId!], file });
  }
  const markdown = await privateMarkdown(deps, channel, member, message);
  if (typeof markdown !== 'string') return markdown;
  if (dingtalkId) {
    return clients
      .dingtalkApp(channel as Channel & { config: DingtalkConfig })
      .sendPrivate({ userIds: [dingtalkId], message: { title: message.title, markdown } });
  }
  return clients
    .wecomApp(channel as Channel & { config: WecomAppConfig })
    .sendMessage({ touser: [wecomId!], message: { kind: 'markdown', content: markdown } });
}

/** The file a message carries, built as the recipe's moment saw it: the bytes never sit in the queue or the database. */
async function fileOf(deps: DeliverDeps, channel: Channel, recipe: FileRecipe): Promise<BuiltFile | SendResult> {
  // Loaded on first use: the spreadsheet and document libraries would add seconds to every worker's start.
  const { buildFile } = await import('../chat/files.ts');
  const file = await buildFile(deps.db, channel.orgId, recipe, deps.config.CHECKIN_CLOSES);
  return file ?? permanent(`the ${recipe.kind} of branch ${recipe.branchId} to send no longer exists`);
}

/** A private message's text, with the sign-in link it asks for minted now. */
async function privateMarkdown(
  deps: DeliverDeps,
  channel: Channel,
  member: Member,
  message: OutboundMessage,
): Promise<string | SendResult> {
  if (!message.link) return message.markdown;
  const base = deps.config.PUBLIC_URL;
  if (!base) return permanent('no PUBLIC_URL for a sign-in link');
  const now = (deps.clock ?? systemClock).now();
  if (now - message.link.askedAt > LINK_MS) return permanent('the sign-in link was asked for too long ago to be of use');
  return `${message.markdown}\n\n${await mintSignInLink(deps.db, member, base, channel.id, now)}`;
}

/** The terminal demo's channel: shown where the demo runs, never sent; not counted against any quota. */
async function toTerminal(deps: DeliverDeps, channel: Channel, target: Target, message: OutboundMessage): Promise<SendResult> {
  if (!deps.terminal) return permanent(`channel ${channel.id} is the terminal demo's: only \`npm run chat -- --demo\` shows its messages`);
  const mentions = (await mentioned(deps, channel, message)).map((m) => m.name);
  const { title, markdown } = message;
  if (target.kind === 'chat') {
    const chat = await getBranchChat(deps.db, channel.id, target.chatId);
    if (!chat) return permanent(`chat ${target.chatId} is no longer bound to a branch`);
    const branch = await getBranch(deps.db, chat.org_id, chat.branch_id);
    const to = `群「${branch?.name ?? chat.branch_id}」（${chat.chat_id}）`;
    return showPush(deps.terminal, { to, private: false, title, markdown, mentions });
  }
  const member = await getMember(deps.db, channel.orgId, target.memberId);
  if (!member) return permanent(`member ${target.memberId} no longer exists`);
  const to = `${member.name}（${member.id}）`;
  if (message.file) {
    const file = await fileOf(deps, channel, message.file);
    if (!('bytes' in file)) return file;
    return showPush(deps.terminal, { to, private: true, title, markdown, mentions, file });
  }
  const text = await privateMarkdown(deps, channel, member, message);
  if (typeof text !== 'string') return text;
  return showPush(deps.terminal, { to, private: true, title, markdown: text, mentions });
}
