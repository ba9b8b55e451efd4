import { listOrgChannels } from '../../db/channels.ts';
import type { BranchChatTable, Db } from '../../db/schema.ts';
import type { Channel } from '../domain/channels.ts';
import type { MessageFormat } from '../domain/message-format.ts';
import type { AccountPlatform } from '../domain/records.ts';
import type { ChannelRef } from '../domain/targets.ts';
import type {
  ButtonsFact,
  ChannelOf,
  ChatReach,
  Checklist,
  ChatSend,
  ConfigOf,
  ConnectContext,
  Connection,
  ConsoleFacts,
  MemberSend,
  Platform,
  PlatformAdapter,
  SendContext,
  WebhookRoutes,
} from './adapter.ts';
import { demoAdapter } from './demo/adapter.ts';
import { dingtalkAdapter } from './dingtalk/adapter.ts';
import type { DirectoryReader } from './shared/directory.ts';
import type { SendResult } from './shared/send-result.ts';
import { wecomAppAdapter } from './wecom/app-adapter.ts';
import { wecomBotAdapter } from './wecom/bot-adapter.ts';

// The platforms, one line each: a platform is its folder's adapter listed here (and its settings'
// schema in src/domain/channels.ts). Everything that differs between platforms is asked of them here.

type Registry = { [P in Platform]: PlatformAdapter<ConfigOf<P>> };

const ADAPTERS: Registry = {
  dingtalk: dingtalkAdapter,
  'wecom-app': wecomAppAdapter,
  'wecom-bot': wecomBotAdapter,
  demo: demoAdapter,
};

/** A channel's adapter, bound to the channel: what it is and what it can do, with no cast on the way. */
export interface BoundAdapter {
  account: PlatformAdapter<Channel['config']>['account'];
  quota: PlatformAdapter<Channel['config']>['quota'];
  unavailable(ctx: SendContext): string | null;
  sendToChat(ctx: SendContext, send: ChatSend): Promise<SendResult>;
  /** Absent when the channel cannot send a member a private message. */
  sendToMember: ((ctx: SendContext, send: MemberSend) => Promise<SendResult>) | null;
  /** What its private messages are: their format and whether they carry files; null when it sends none. */
  privately: { format: MessageFormat; files: boolean } | null;
  /** The channel's long connection, when its settings have it receive over one. */
  longConnection: ((ctx: ConnectContext) => Connection) | null;
  /** How it posts into `chat`; null when it cannot. */
  reach(chat: Pick<BranchChatTable, 'webhook'>): ChatReach | null;
  /** Whether its reminders carry buttons; null where no setting of its platform decides it. */
  buttons: ButtonsFact | null;
  /** The set-up checklist its settings call for. */
  checklist: Checklist | null;
  /** Its directory's reader; null when the platform gives none. */
  directory: ((ctx: SendContext) => DirectoryReader) | null;
}

/** The adapter and the settings are the same platform's: `P` ties them together. */
function bind<P extends Platform>(platform: P, channel: Channel, config: ConfigOf<P>): BoundAdapter {
  const adapter: PlatformAdapter<ConfigOf<P>> = ADAPTERS[platform];
  const typed: ChannelOf<ConfigOf<P>> = { ...channel, config };
  const { longConnection, directory } = adapter;
  const privately = adapter.privately && (adapter.privately.uses?.(config) ?? true) ? adapter.privately : null;
  return {
    account: adapter.account,
    quota: adapter.quota,
    unavailable: (ctx) => adapter.unavailable?.(ctx, typed) ?? null,
    sendToChat: (ctx, send) => adapter.chats.send(ctx, typed, send),
    sendToMember: privately ? (ctx, send) => privately.send(ctx, typed, send) : null,
    privately: privately ? { format: privately.format, files: privately.files } : null,
    longConnection: longConnection?.uses(config) ? (ctx) => longConnection.open(ctx, typed) : null,
    reach: (chat) => adapter.chats.reach(config, chat),
    buttons: adapter.console.buttons?.(config) ?? null,
    checklist: typeof adapter.console.checklist === 'function' ? adapter.console.checklist(config) : adapter.console.checklist,
    directory: directory ? (ctx) => directory(ctx, typed) : null,
  };
}

export const adapterFor = (channel: Channel): BoundAdapter => bind(channel.config.platform, channel, channel.config);

const isPlatform = (name: string): name is Platform => Object.hasOwn(ADAPTERS, name);

/** The platforms some of whose channels may receive over a long connection. */
export const LONG_CONNECTION_PLATFORMS: Platform[] = Object.keys(ADAPTERS)
  .filter(isPlatform)
  .filter((p) => ADAPTERS[p].longConnection !== undefined);

/** Every platform's callback routes, once each (two platforms may share one route). */
export function webhookRoutes(): WebhookRoutes[] {
  return [...new Map(Object.values(ADAPTERS).flatMap((a) => (a.webhook ? [[a.webhook.segment, a.webhook] as const] : []))).values()];
}

/** A channel as the targets see it, from its platform's facts and its settings. */
export function channelRef(channel: Channel): ChannelRef {
  const adapter = ADAPTERS[channel.config.platform];
  const bound = adapterFor(channel);
  return {
    id: channel.id,
    account: adapter.account,
    privateFormat: bound.privately?.format ?? null,
    privateFiles: bound.privately?.files ?? false,
    groupFormat: adapter.chats.format,
    postsWithoutRobot: bound.reach({ webhook: null }) !== null,
  };
}

/** The org's channels as the targets see them. */
export async function listChannelRefs(db: Db, orgId: string): Promise<ChannelRef[]> {
  return (await listOrgChannels(db, orgId)).map(channelRef);
}

/** What the console shows of a channel, and the facts it counts by. */
export interface ChannelFacts extends Omit<ConsoleFacts, 'buttons' | 'checklist'> {
  checklist: Checklist | null;
  /** Its callbacks' path segment (/webhooks/<segment>/:channel); null when it takes none. */
  callbackSegment: string | null;
  /** The kind of account its members are known by; null when it knows them otherwise or not at all. */
  account: AccountPlatform | null;
  ref: ChannelRef;
  /** How it posts into a bound chat; null when it cannot. */
  reach: BoundAdapter['reach'];
  buttons: BoundAdapter['buttons'];
}

export function consoleFacts(channel: Channel): ChannelFacts {
  const { label, help } = ADAPTERS[channel.config.platform].console;
  const { reach, buttons, checklist } = adapterFor(channel);
  const ref = channelRef(channel);
  return {
    label,
    help,
    checklist,
    callbackSegment: ADAPTERS[channel.config.platform].webhook?.segment ?? null,
    account: ref.account === 'any' ? null : ref.account,
    ref,
    reach,
    buttons,
  };
}
