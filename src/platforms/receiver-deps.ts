import type { Handle } from '../chat/message.ts';
import type { Clock } from '../core/clock.ts';
import type { ChannelDirectory } from './channel-directory.ts';

/** What a receiver needs: its channels, the clock its checks read, and where verified messages go. */
export interface ReceiverDeps {
  channels: ChannelDirectory;
  clock: Clock;
  handle: Handle;
}
