import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import { listPlatformChannels } from '../../db/channels.ts';
import type { Database } from '../../db/schema.ts';
import { type ChatMessage, type Handle, type Reply, UNAVAILABLE } from '../chat/message.ts';
import type { Clock } from '../core/clock.ts';
import { within } from '../core/deadline.ts';
import type { Config } from '../core/config.ts';
import type { Channel } from '../domain/channels.ts';
import type { ConnectContext, Connection } from './adapter.ts';
import { LONG_CONNECTION_PLATFORMS, adapterFor } from './index.ts';
import { PlatformClients } from './shared/clients.ts';
import { leaseKey } from './shared/socket-relay.ts';

// The long connections of the channels whose adapter has them receive over one (DingTalk Stream,
// the WeCom AI bot's websocket), each held by exactly one process: a Redis lease per channel decides
// which; what a connection is, is its adapter's. The holder renews it first thing at every sync; a
// process that dies stops renewing and another takes the lease over when it expires; a process that
// stops releases its leases at once. The lease's value carries a fence (a counter bumped at every
// take), so that a holder that was paused past its lease finds another value and lets go. A holder
// also lets go on its own, by its local clock: a connection whose lease has not been confirmed for
// `leaseMs` is closed when the lease would run out in Redis (a Redis that fails or hangs cannot keep
// two sockets open), and a holder whose database has not answered for `leaseMs` releases its
// channels (it would ACK messages it cannot record).

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
  /**
   * How long a lease lives unrenewed: the longest a dead holder keeps a channel, and a live one keeps
   * a connection whose lease it cannot confirm or whose database does not answer.
   */
  leaseMs?: number;
  heartbeatMs?: number;
  backoff?: { minMs: number; maxMs: number };
  /** How long a socket must stay up for its backoff to start over. */
  stableMs?: number;
  /** Attempts at recording a message the database could not take (it was ACKed: it will not come again). */
  handleAttempts?: number;
}

const RENEW = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end`;
const RELEASE = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end`;

interface Held {
  lease: string;
  config: string;
  connection: Connection;
  /** Closes the connection when the lease would run out unconfirmed; re-armed at each confirmation. */
  expiry: NodeJS.Timeout | undefined;
}

/** A channel that receives over a long connection, and how its adapter opens one. */
interface Listed {
  channel: Channel;
  connect(ctx: ConnectContext): Connection;
}

/**
 * Local monotonic time, which a lease's life is measured in: neither Redis's time (unreachable when
 * it matters) nor the service's clock (settable, and not monotonic).
 */
const monotonic = () => performance.now();

export class LongConnections {
  private readonly held = new Map<string, Held>();
  private readonly owner = randomUUID();
  private readonly clients: PlatformClients;
  private timer: NodeJS.Timeout | undefined;
  private syncing: Promise<void> = Promise.resolve();
  private readonly syncMs: number;
  private readonly leaseMs: number;
  /** When the database last listed the channels, in monotonic ms. */
  private listedAt = monotonic();

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
    return this.held.get(channelId)?.connection.connected ?? false;
  }

  /** Closes every connection and releases the leases, so that another process takes over at once. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.syncing;
    await this.releaseAll();
  }

  sync(): Promise<void> {
    this.syncing = this.syncing
      .then(() => this.syncOnce())
      .catch((err: unknown) => this.deps.logger.warn({ err }, 'long connections: sync failed'));
    return this.syncing;
  }

  private key(channelId: string): string {
    return leaseKey(this.deps.config.QUEUE_PREFIX, channelId);
  }

  /** Renewal comes first, so that neither a failing database nor a slow listing keeps a lease from being renewed. */
  private async syncOnce(): Promise<void> {
    await this.renew();
    let channels: Listed[];
    try {
      channels = await this.listChannels();
    } catch (err) {
      this.deps.logger.warn({ err }, 'long connections: could not list the channels');
      if (this.held.size > 0 && monotonic() - this.listedAt >= this.leaseMs) {
        this.deps.logger.warn('long connections: the database has not answered for a lease, letting the connections go');
        await this.releaseAll();
      }
      return;
    }
    await this.reconcile(channels);
  }

  /** The channels whose adapter says they receive over a long connection, each with how to open it. */
  private async listChannels(): Promise<Listed[]> {
    const all: Channel[] = [];
    for (const platform of LONG_CONNECTION_PLATFORMS) all.push(...(await listPlatformChannels(this.deps.db, platform)));
    this.listedAt = monotonic();
    return all.flatMap((channel) => {
      const connect = adapterFor(channel).longConnection;
      return connect ? [{ channel, connect }] : [];
    });
  }

  /**
   * Renews every held lease. One found taken (its fence moved on) is let go at once; one whose
   * renewal fails or finds no answer in time is left to its expiry timer.
   */
  private async renew(): Promise<void> {
    const renewOne = async (channelId: string, held: Held) => {
      const askedAt = monotonic();
      let answer: unknown;
      try {
        answer = await within(this.deps.redis.eval(RENEW, 1, this.key(channelId), held.lease, this.leaseMs), this.syncMs, 'renewing');
      } catch (err) {
        this.deps.logger.warn({ err, channel: channelId }, 'long connections: could not renew the lease');
        return;
      }
      if (this.held.get(channelId) !== held) return;
      if (Number(answer) === 1) {
        this.confirm(channelId, held, askedAt);
        return;
      }
      this.deps.logger.warn({ channel: channelId }, 'long connections: lost the lease, closing the connection');
      await this.release(channelId);
    };
    await Promise.all([...this.held].map(([id, held]) => renewOne(id, held)));
  }

  /** Lets go of the channels no longer listed, reconnects the changed ones, tries to take the others. */
  private async reconcile(channels: Listed[]): Promise<void> {
    const listed = new Set(channels.map((c) => c.channel.id));
    for (const id of [...this.held.keys()]) if (!listed.has(id)) await this.release(id);
    for (const { channel, connect } of channels) {
      const config = JSON.stringify(channel.config);
      const held = this.held.get(channel.id);
      if (!held) {
        await this.take(channel, config, connect);
      } else if (held.config !== config) {
        this.deps.logger.info({ channel: channel.id }, 'long connections: the channel changed, reconnecting');
        held.connection.stop();
        held.config = config;
        held.connection = this.open(channel, connect);
      }
    }
  }

  /** Takes the channel's lease when nobody holds it, and connects. */
  private async take(channel: Channel, config: string, connect: Listed['connect']): Promise<void> {
    const key = this.key(channel.id);
    const fence = await within(this.deps.redis.incr(`${key}:fence`), this.syncMs, 'bumping the fence');
    const lease = `${this.owner}:${fence}`;
    const askedAt = monotonic();
    const taken = await within(this.deps.redis.set(key, lease, 'PX', this.leaseMs, 'NX'), this.syncMs, 'taking the lease');
    if (taken !== 'OK') return;
    this.deps.logger.info({ channel: channel.id, fence }, 'long connections: holding the channel');
    const held: Held = { lease, config, connection: this.open(channel, connect), expiry: undefined };
    this.held.set(channel.id, held);
    this.confirm(channel.id, held, askedAt);
  }

  /**
   * The lease, asked for at `askedAt`, lives in Redis until at least `askedAt + leaseMs`: the
   * connection is closed then unless confirmed again, so that it is gone before another process can
   * take the lease, whatever Redis does meanwhile.
   */
  private confirm(channelId: string, held: Held, askedAt: number): void {
    clearTimeout(held.expiry);
    held.expiry = setTimeout(
      () => {
        this.deps.logger.warn({ channel: channelId }, 'long connections: the lease was not confirmed in time, closing the connection');
        void this.release(channelId);
      },
      askedAt + this.leaseMs - monotonic(),
    );
  }

  /** Closes the connection and gives the lease back when it is still ours, so that another process may take it at once. */
  private async release(channelId: string): Promise<void> {
    const held = this.held.get(channelId);
    if (!held) return;
    this.held.delete(channelId);
    clearTimeout(held.expiry);
    held.connection.stop();
    try {
      await within(this.deps.redis.eval(RELEASE, 1, this.key(channelId), held.lease), this.syncMs, 'releasing');
    } catch (err) {
      // Not given back, it runs out within a lease.
      this.deps.logger.warn({ err, channel: channelId }, 'long connections: could not release the lease');
    }
  }

  private async releaseAll(): Promise<void> {
    await Promise.all([...this.held.keys()].map((id) => this.release(id)));
  }

  private open(channel: Channel, connect: (ctx: ConnectContext) => Connection): Connection {
    const logger = this.deps.logger.child({ channel: channel.id });
    const socket = {
      ...(this.opts.heartbeatMs ? { heartbeatMs: this.opts.heartbeatMs } : {}),
      ...(this.opts.backoff ? { backoff: this.opts.backoff } : {}),
      ...(this.opts.stableMs ? { stableMs: this.opts.stableMs } : {}),
    };
    const connection = connect({
      clients: this.clients,
      config: this.deps.config,
      clock: this.deps.clock,
      logger,
      handle: (message) => this.handled(message, logger),
      socket,
    });
    connection.start();
    return connection;
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
}
