import { createHash } from 'node:crypto';
import { systemClock } from '../core/clock.ts';
import type { Channel } from '../domain/channels.ts';
import { accountOf } from '../domain/targets.ts';
import type { Db, Member } from '../../db/schema.ts';
import { getChannel } from '../../db/channels.ts';
import { getBranchChat } from '../../db/branches.ts';
import { getMember, listMembersByIds } from '../../db/members.ts';
import { type SendResult, permanent } from './shared/send-result.ts';
import type { DeliverDeps, PlatformClients } from './shared/clients.ts';
import type { FileRecipe, OutboundMessage, Target } from '../domain/outbound.ts';
import type { BuiltFile } from '../chat/files.ts';
import { LINK_MS, mintSignInLink } from '../chat/links.ts';
import { type BoundAdapter, adapterFor } from './index.ts';

// A sender: one outbound message to one target, through the channel's platform adapter.
// Credentials are read here, at send time, so that none is ever copied into the queue.

/**
 * The robot a message to `target` goes through, named without its secret: what a robot's
 * 20-a-minute limit is counted by. Two chats given the same robot key share one count.
 */
export async function robotOf(db: Db, target: Target): Promise<string> {
  if (target.kind === 'member') return `member|${target.channelId}|${target.memberId}`;
  const webhook = (await getBranchChat(db, target.channelId, target.chatId))?.webhook;
  return webhook ? `robot|${createHash('sha256').update(webhook).digest('hex').slice(0, 24)}` : `chat|${target.channelId}|${target.chatId}`;
}

/** Sends `message` to `target`; `idempotencyKey` makes a retried send a no-op where the platform allows (DingTalk's msgUuid). */
export async function deliver(
  deps: DeliverDeps,
  clients: PlatformClients,
  target: Target,
  message: OutboundMessage,
  idempotencyKey: string,
): Promise<SendResult> {
  const channel = await getChannel(deps.db, target.channelId);
  if (!channel) return permanent(`channel ${target.channelId} no longer exists`);
  const adapter = adapterFor(channel);
  const ctx = { deps, clients };
  const unavailable = adapter.unavailable(ctx);
  if (unavailable) return permanent(unavailable);
  if (target.kind === 'chat') {
    const chat = await getBranchChat(deps.db, channel.id, target.chatId);
    if (!chat) return permanent(`chat ${target.chatId} is no longer bound to a branch`);
    return adapter.sendToChat(ctx, { chat, message, mentioned: await mentioned(deps, channel, message), idempotencyKey });
  }
  return toMember(deps, clients, channel, adapter, target.memberId, message);
}

async function mentioned(deps: DeliverDeps, channel: Channel, message: OutboundMessage): Promise<Member[]> {
  return message.mentions?.length ? listMembersByIds(deps.db, channel.orgId, message.mentions) : [];
}

/** Where the channel reaches `member` privately: her account on its platform, her id where it reaches every member. */
function addressOf(member: Member, adapter: BoundAdapter): string | null {
  if (!adapter.sendToMember || !adapter.account) return null;
  return adapter.account === 'any' ? member.id : accountOf(member, adapter.account);
}

async function toMember(
  deps: DeliverDeps,
  clients: PlatformClients,
  channel: Channel,
  adapter: BoundAdapter,
  memberId: string,
  message: OutboundMessage,
): Promise<SendResult> {
  const member = await getMember(deps.db, channel.orgId, memberId);
  if (!member) return permanent(`member ${memberId} no longer exists`);
  const account = addressOf(member, adapter);
  if (!account || !adapter.sendToMember) return permanent(`member ${memberId} cannot be reached privately through channel ${channel.id}`);
  if (message.file && !adapter.privately?.files) return permanent(`channel ${channel.id} sends no files in private messages`);
  const send = { member, account, title: message.title, mentioned: await mentioned(deps, channel, message) };
  const ctx = { deps, clients };
  if (message.file) {
    const file = await fileOf(deps, channel, message.file);
    if (!('bytes' in file)) return file;
    return adapter.sendToMember(ctx, { ...send, markdown: message.markdown, file });
  }
  const markdown = await privateMarkdown(deps, channel, member, message);
  if (typeof markdown !== 'string') return markdown;
  return adapter.sendToMember(ctx, { ...send, markdown });
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
