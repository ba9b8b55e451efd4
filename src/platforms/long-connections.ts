import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import { listPlatformChannels } from '../../db/channels.ts';
import type { Database } from '../../db/schema.ts';
import { type ChatMessage, type Handle, type Reply, UNAVAILABLE } from '../chat/message.ts';
import type { Clock } from '../core/clock.ts';
import type { Config } from '../core/config.ts';
import type { Channel, DingtalkConfig } from '../domain/channels.ts';
import type { QuotaKind } from '../domain/quota.ts';
import { PlatformClients } from './deliver.ts';
import { robotMessageSchema, toChatMessage } from './dingtalk/callback.ts';
import { DingtalkStream } from './dingtalk/stream.ts';
import { sendStreamReply } from './dingtalk/stream-reply.ts';
import { AibotSocket } from './wecom/aibot-socket.ts';
import { NotABotMessage, botChatMessage, botStreamReply } from './wecom/bot-message.ts';

// The long connections of the channels that receive over one (SPEC §9.5) — DingTalk Stream, the
// WeCom AI bot's websocket — each held by exactly one
// process: a Redis lease per channel decides which. The holder renews it at every sync; a process
// that dies stops renewing and another takes the lease over when it expires; a process that stops
// releases its leases at once. The lease's value carries a fence (a counter bumped at every take),
// so that a holder that was paused past its lease finds another value and lets go.

export interface LongConnectionsDeps {
  db: Kysely<Database>;
  redis: Redis;
  logger: Logger;
  clock: Clock;
  config: Pick<
    Config,
    'QUEUE_PREFIX' | 'DINGTALK_API_BASE' | 'DINGTALK_OAPI_BASE' | 'WECOM_API_BASE' | 'WECOM_AIBOT_WS_URL' | 'CHECKIN_CLOSES'
  >;
  handle: Handle;
}

export interface LongConnectionsOptions {
  /** How often channels are listed and leases renewed or taken. */
  syncMs?: number;
  /** How long a lease lives unrenewed: the longest a dead holder keeps a channel. */
  leaseMs?: number;
  heartbeatMs?: number;
  backoff?: { minMs: number; maxMs: number };
  /** Attempts at recording a message the database could not take (it was ACKed: it will not come again). */
  handleAttempts?: number;
}

const RENEW = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end`;
const RELEASE = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end`;

interface Connection {
  start(): void;
  stop(): void;
  readonly connected: boolean;
}

interface Held {
  lease: string;
  config: string;
  stream: Connection;
}

/** The channels that receive over a long connection: DingTalk in stream mode, the WeCom AI bot in websocket mode. */
const onLongConnection = (c: Channel) =>
  (c.config.platform === 'dingtalk' && c.config.mode === 'stream') || (c.config.platform === 'wecom-bot' && c.config.mode === 'websocket');

export class LongConnections {
  private readonly held = new Map<string, Held>();
  private readonly owner = randomUUID();
  private readonly clients: PlatformClients;
  private timer: NodeJS.Timeout | undefined;
  private syncing: Promise<void> = Promise.resolve();
  private readonly syncMs: number;
  private readonly leaseMs: number;

  constructor(
    private readonly deps: LongConnectionsDeps,
    private readonly opts: LongConnectionsOptions = {},
  ) {
    this.syncMs = opts.syncMs ?? 2_000;
    this.leaseMs = opts.leaseMs ?? 20_000;
    this.clients = new PlatformClients(deps);
  }

  /** Takes what it can now, then syncs every `syncMs`: a channel added or changed is connected within one sync. */
  async start(): Promise<void> {
    await this.sync();
    this.timer = setInterval(() => void this.sync(), this.syncMs);
  }

  /** The channels this process holds now. */
  holding(): string[] {
    return [...this.held.keys()];
  }

  /** Whether this process's connection of `channelId` is open. */
  connected(channelId: string): boolean {
    return this.held.get(channelId)?.stream.connected ?? false;
  }

  /** Closes every connection and releases the leases, so that another process takes over at once. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.syncing;
    for (const id of [...this.held.keys()]) await this.release(id);
  }

  sync(): Promise<void> {
    this.syncing = this.syncing
      .then(() => this.syncOnce())
      .catch((err: unknown) => this.deps.logger.warn({ err }, 'long connections: sync failed'));
    return this.syncing;
  }

  private key(channelId: string): string {
    return `${this.deps.config.QUEUE_PREFIX}:lease:channel:${channelId}`;
  }

  private async syncOnce(): Promise<void> {
    const all = [...(await listPlatformChannels(this.deps.db, 'dingtalk')), ...(await listPlatformChannels(this.deps.db, 'wecom-bot'))];
    const channels = all.filter(onLongConnection);
    const wanted = new Map(channels.map((c) => [c.id, c]));
    for (const [id, held] of this.held) {
      const renewed = Number(await this.deps.redis.eval(RENEW, 1, this.key(id), held.lease, this.leaseMs)) === 1;
      if (!renewed) this.deps.logger.warn({ channel: id }, 'long connections: lost the lease, closing the connection');
      if (!renewed || !wanted.has(id)) await this.release(id);
    }
    for (const channel of channels) {
      const config = JSON.stringify(channel.config);
      const held = this.held.get(channel.id);
      if (held && held.config !== config) {
        this.deps.logger.info({ channel: channel.id }, 'long connections: the channel changed, reconnecting');
        held.stream.stop();
        this.held.set(channel.id, { ...held, config, stream: this.open(channel) });
      }
      if (held) continue;
      const key = this.key(channel.id);
      const fence = await this.deps.redis.incr(`${key}:fence`);
      const lease = `${this.owner}:${fence}`;
      if ((await this.deps.redis.set(key, lease, 'PX', this.leaseMs, 'NX')) !== 'OK') continue;
      this.deps.logger.info({ channel: channel.id, fence }, 'long connections: holding the channel');
      this.held.set(channel.id, { lease, config, stream: this.open(channel) });
    }
  }

  private async release(channelId: string): Promise<void> {
    const held = this.held.get(channelId);
    if (!held) return;
    this.held.delete(channelId);
    held.stream.stop();
    await this.deps.redis.eval(RELEASE, 1, this.key(channelId), held.lease);
  }

  private open(channel: Channel): Connection {
    const logger = this.deps.logger.child({ channel: channel.id });
    const quick = {
      ...(this.opts.heartbeatMs ? { heartbeatMs: this.opts.heartbeatMs } : {}),
      ...(this.opts.backoff ? { backoff: this.opts.backoff } : {}),
    };
    const config = channel.config;
    if (config.platform === 'wecom-bot') {
      const socket: AibotSocket = new AibotSocket({
        url: this.deps.config.WECOM_AIBOT_WS_URL,
        config: { botId: config.botId ?? '', secret: config.secret ?? '' },
        logger,
        onMessage: (reqId, body) => void this.receiveWecom(channel, socket, reqId, body, logger),
        clock: this.deps.clock,
        ...quick,
      });
      socket.start();
      return socket;
    }
    const stream = new DingtalkStream({
      apiBase: this.deps.config.DINGTALK_API_BASE,
      config: config as DingtalkConfig,
      logger,
      onRobotMessage: (body) => void this.receiveDingtalk(channel, body, logger),
      ...quick,
    });
    stream.start();
    return stream;
  }

  /**
   * Records and answers a message that came over a long connection. It cannot be refused back (it
   * was ACKed, or there is nobody to answer 503 to), so while the database cannot take it, it is
   * tried again (1, 2, 4, 8 s); undefined when it never could be.
   */
  private async handled(message: ChatMessage, logger: Logger): Promise<Reply | null | undefined> {
    const attempts = this.opts.handleAttempts ?? 5;
    for (let attempt = 1; ; attempt++) {
      const reply = await this.deps.handle(message);
      if (reply !== UNAVAILABLE) return reply;
      if (attempt >= attempts) {
        logger.error({ msgId: message.messageId }, `a message could not be recorded after ${attempts} attempts`);
        return undefined;
      }
      await new Promise((resolve) => setTimeout(resolve, 1_000 * 2 ** (attempt - 1)));
    }
  }

  /** A DingTalk robot message, already ACKed; the reply goes through the sessionWebhook or the robot API. */
  private async receiveDingtalk(channel: Channel, raw: unknown, logger: Logger): Promise<void> {
    const parsed = robotMessageSchema.safeParse(raw);
    if (!parsed.success) {
      logger.warn('DingTalk Stream: a robot message of an unknown shape, ignored');
      return;
    }
    const body = parsed.data;
    // A Stream push counts against the org's Webhook&Stream quota.
    await this.clients.quota.count(channel, 'webhook');
    const reply = await this.handled(toChatMessage(channel, body, this.deps.clock.now()), logger);
    if (!reply) return;
    const api = this.clients.dingtalkApp(channel as Channel & { config: DingtalkConfig });
    const count = (kind: QuotaKind) => this.clients.quota.count(channel, kind);
    const sent = await sendStreamReply(
      { oapiBase: this.deps.config.DINGTALK_OAPI_BASE, api, logger, now: this.deps.clock.now(), count },
      body,
      reply,
    );
    if (!sent.delivered) logger.warn({ msgId: body.msgId }, `DingTalk Stream: the reply was not sent: ${sent.reason}`);
  }

  /** A WeCom AI-bot message; the reply goes back on the socket under the frame's req_id, as a finished stream. */
  private async receiveWecom(channel: Channel, socket: AibotSocket, reqId: string, raw: unknown, logger: Logger): Promise<void> {
    let message: ChatMessage | null;
    try {
      message = botChatMessage(channel, raw, this.deps.clock.now());
    } catch (err) {
      if (!(err instanceof NotABotMessage)) throw err;
      logger.warn(`WeCom AI bot: ${err.message}, ignored`);
      return;
    }
    if (!message) return;
    const reply = await this.handled(message, logger);
    if (!reply) return;
    if (!(await socket.respond(reqId, botStreamReply(message, reply))))
      logger.warn({ msgId: message.messageId }, 'WeCom AI bot: the reply was not acknowledged');
  }
}
