import type { Logger } from 'pino';
import { type ChatMessage, type Handle, type Reply, UNAVAILABLE } from './message.ts';

/** Platforms give up after 2.5–5 s and retry; past this we answer 503 and let the retry find the stored reply. */
export const ANSWER_DEADLINE_MS = 900;

/**
 * What receivers call: `dispatch` under the answer deadline. UNAVAILABLE when the event could not be
 * recorded in time or at all (answer 503; a late commit is found by the retry's de-duplication).
 */
export function withDeadline(dispatch: (message: ChatMessage) => Promise<Reply | null>, logger: Logger): Handle {
  return async (message) => {
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<typeof UNAVAILABLE>((resolve) => {
      timer = setTimeout(() => resolve(UNAVAILABLE), ANSWER_DEADLINE_MS);
    });
    const work = dispatch(message).catch((err: unknown): typeof UNAVAILABLE => {
      logger.error({ err, channel: message.channelId, msgId: message.messageId }, 'could not record an inbound message');
      return UNAVAILABLE;
    });
    try {
      return await Promise.race([work, deadline]);
    } finally {
      clearTimeout(timer);
    }
  };
}
