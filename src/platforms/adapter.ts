import type { Context } from 'hono';
import type { Logger } from 'pino';
import type { BranchChatTable, Member } from '../../db/schema.ts';
import type { BuiltFile } from '../chat/files.ts';
import type { ChatMessage, Reply } from '../chat/message.ts';
import type { Clock } from '../core/clock.ts';
import type { Config } from '../core/config.ts';
import type { Channel, ChannelConfig } from '../domain/channels.ts';
import type { MessageFormat } from '../domain/message-format.ts';
import type { OutboundMessage } from '../domain/outbound.ts';
import type { AccountPlatform } from '../domain/records.ts';
import type { ReceiverDeps } from './receiver-deps.ts';
import type { DeliverDeps, PlatformClients } from './shared/clients.ts';
import type { DirectoryReader } from './shared/directory.ts';
import type { Backoff } from './shared/long-socket.ts';
import type { QuotaPlatform } from './shared/quota.ts';
import type { SendResult } from './shared/send-result.ts';

// What a platform is to the rest of the service: how it receives, how it sends, and its facts as
// data. One adapter per platform (its folder's adapter.ts), listed once in index.ts; nothing
// outside src/platforms/ asks which platform a channel is.

export type Platform = ChannelConfig['platform'];
export type ConfigOf<P extends Platform> = Extract<ChannelConfig, { platform: P }>;
/** A channel whose settings are known to be one platform's. */
export type ChannelOf<C extends ChannelConfig> = Omit<Channel, 'config'> & { config: C };

/**
 * What a sender is given: the service's parts, the count of calls, the API clients kept. A sender
 * counts each call it makes that reaches the platform, once, where it makes it.
 */
export interface SendContext {
  deps: DeliverDeps;
  clients: PlatformClients;
}

/** A message to a bound group chat, with the members it @-mentions. */
export interface ChatSend {
  chat: BranchChatTable;
  message: OutboundMessage;
  mentioned: Member[];
  /** Makes a retried send a no-op where the platform takes one (DingTalk's msgUuid). */
  idempotencyKey: string;
}

/** A message to one member, on the account the channel reaches her by (her member id where it reaches any member). */
export interface MemberSend {
  member: Member;
  account: string;
  title: string;
  /** The text, with a sign-in link minted into it when the message asked for one. */
  markdown: string;
  /** The file it carries, built now. */
  file?: BuiltFile;
  mentioned: Member[];
}

/** A receiver's route: /webhooks/<segment>/:channel, by method. */
export interface WebhookRoutes {
  segment: string;
  get?: (deps: ReceiverDeps) => (c: Context) => Promise<Response>;
  post: (deps: ReceiverDeps) => (c: Context) => Promise<Response>;
}

/** An outbound long connection that receives a channel's messages. */
export interface Connection {
  start(): void;
  stop(): void;
  readonly connected: boolean;
}

/** What a long connection is opened with. */
export interface ConnectContext {
  clients: PlatformClients;
  config: Pick<Config, 'DINGTALK_API_BASE' | 'DINGTALK_OAPI_BASE' | 'WECOM_AIBOT_WS_URL'>;
  clock: Clock;
  /** The channel's logger. */
  logger: Logger;
  /**
   * Records a message that came over the connection and gives its reply (null: none), trying
   * again while the database cannot take it; undefined when it never could.
   */
  handle(message: ChatMessage): Promise<Reply | null | undefined>;
  socket: { heartbeatMs?: number; backoff?: Backoff; stableMs?: number };
}

/**
 * How the service posts into a bound group chat: over the channel's long connection, through the
 * platform's app API, or through the chat's own robot key.
 */
export type ChatReach = 'socket' | 'app' | 'robot';

/** Whether a channel's reminders carry buttons, and what the console says of it. */
export interface ButtonsFact {
  set: boolean;
  /** In Chinese, as the console shows it. */
  how: string;
}

/** A channel's set-up checklist: each credential (settings key, label), and whether group chats bind to it. */
export interface Checklist {
  fields: readonly (readonly [string, string])[];
  chats: boolean;
}

/** What the console shows of a channel. */
export interface ConsoleFacts<C extends ChannelConfig = ChannelConfig> {
  /** What a channel of the platform is called, in Chinese. */
  label: string;
  /** A sentence on what the channel does, shown in its card (`…` as code); null when none. */
  help: string | null;
  /**
   * The set-up checklist (bound chats counted, and offered a test message), or the one its
   * settings call for where they decide which credentials it needs; null for a channel with
   * nothing to set up.
   */
  checklist: Checklist | null | ((config: C) => Checklist);
  /** Whether reminders carry buttons with these settings, where a setting decides it; absent elsewhere. */
  buttons?(config: C): ButtonsFact;
}

export interface PlatformAdapter<C extends ChannelConfig> {
  platform: C['platform'];
  /** The accounts its members are known by; `any`: every member by id; null: none. */
  account: AccountPlatform | 'any' | null;
  /** The platform whose quota its calls count against; null when it calls none. */
  quota: QuotaPlatform | null;
  console: ConsoleFacts<C>;
  /** Its callbacks' routes; absent when it takes none. */
  webhook?: WebhookRoutes;
  /** Why this process cannot send through the channel at all; null when it can. */
  unavailable?(ctx: SendContext, channel: ChannelOf<C>): string | null;
  /** Posting into a bound group chat. */
  chats: {
    format: MessageFormat;
    /** How it posts into a chat with these settings and this robot key (null: none); null when it cannot. */
    reach(config: C, chat: Pick<BranchChatTable, 'webhook'>): ChatReach | null;
    send(ctx: SendContext, channel: ChannelOf<C>, send: ChatSend): Promise<SendResult>;
  };
  /** Sending one member a private message (text or file); absent when it cannot. */
  privately?: {
    format: MessageFormat;
    /** Whether a channel with these settings sends private messages; absent: every channel of the platform does. */
    uses?(config: C): boolean;
    /** Whether a private message may carry a file. */
    files: boolean;
    send(ctx: SendContext, channel: ChannelOf<C>, send: MemberSend): Promise<SendResult>;
  };
  /** Reading its directory (通讯录): departments and the people in them; absent when the platform gives none. */
  directory?(ctx: SendContext, channel: ChannelOf<C>): DirectoryReader;
  /** Receiving over an outbound long connection, for the channels whose settings ask for it. */
  longConnection?: {
    uses(config: C): boolean;
    /** The connection, not yet started. */
    open(ctx: ConnectContext, channel: ChannelOf<C>): Connection;
  };
}
