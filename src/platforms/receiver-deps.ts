import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { Db } from '../../db/schema.ts';
import type { Handle } from '../chat/message.ts';
import type { Clock } from '../core/clock.ts';
import type { ChannelDirectory } from './channel-directory.ts';
import { SignOnce } from './dingtalk/sign-once.ts';

/** What a receiver needs: its channels, the clock its checks read, and where verified messages go. */
export interface ReceiverDeps {
  channels: ChannelDirectory;
  clock: Clock;
  handle: Handle;
  /** Where a platform's word that a directory changed is recorded. */
  db: Db;
  /** The DingTalk signatures already used, each good for one message. */
  signs: SignOnce;
}

/** The receivers' dependencies, with the state they keep in Redis. */
export const receiverDeps = (deps: Omit<ReceiverDeps, 'signs'> & { redis: Redis; keyPrefix: string; logger: Logger }): ReceiverDeps => ({
  channels: deps.channels,
  clock: deps.clock,
  handle: deps.handle,
  db: deps.db,
  signs: new SignOnce(deps.redis, deps.keyPrefix, deps.logger),
});
