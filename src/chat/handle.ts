import type { Logger } from 'pino';
import { within } from '../core/deadline.ts';
import { oncePer } from '../core/throttle.ts';
import { type ChatMessage, type Handle, type Reply, UNAVAILABLE } from './message.ts';

/**
 * The platforms give up after 2.5–5 s and retry. A webhook answers within 1 s: the channel
 * lookup gets CHANNEL_LOOKUP_MS of it, the command the rest; past that it answers 503 and lets the
 * retry find the stored reply.
 */
export const ANSWER_DEADLINE_MS = 600;

/**
 * What receivers call: `dispatch` under the answer deadline. UNAVAILABLE when the event could not be
 * recorded in time or at all (answer 503; a late commit is found by the retry's de-duplication),
 * and at once when `maxInFlight` messages are being handled already (MAX_IN_FLIGHT): past capacity
 * a quick 503 and the platform's retry keep the others' answers fast, where a queue would make
 * every answer late.
 */
export function withDeadline(dispatch: (message: ChatMessage) => Promise<Reply | null>, logger: Logger, maxInFlight: number): Handle {
  let inFlight = 0;
  const logShed = oncePer(60_000);
  return async (message) => {
    if (inFlight >= maxInFlight) {
      logShed(() => logger.warn({ inFlight }, `${maxInFlight} messages in hand: answering 503 so that the platforms retry`));
      return UNAVAILABLE;
    }
    inFlight++;
    try {
      return await within(dispatch(message), ANSWER_DEADLINE_MS, 'recording the message');
    } catch (err) {
      logger.error({ err, channel: message.channelId, msgId: message.messageId }, 'could not record an inbound message');
      return UNAVAILABLE;
    } finally {
      inFlight--;
    }
  };
}
