import type { Handle } from '../chat/message.ts';
import type { Clock } from '../core/clock.ts';
import type { ChannelDirectory } from './channel-directory.ts';
import type { SignOnce } from './dingtalk/sign-once.ts';

/** What a receiver needs: its channels, the clock its checks read, and where verified messages go. */
export interface ReceiverDeps {
  channels: ChannelDirectory;
  clock: Clock;
  handle: Handle;
  /** The DingTalk signatures already used, each good for one message. */
  signs: SignOnce;
}
