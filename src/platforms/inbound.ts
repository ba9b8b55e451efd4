import type { ChatMessage, Reply } from '../chat.ts';
import { type DispatchDeps, dispatch } from '../dispatch.ts';

/** Platforms give up after 2.5–5 s and retry; past this we answer 503 and let the retry find the stored reply. */
export const ANSWER_DEADLINE_MS = 900;

export const UNAVAILABLE: unique symbol = Symbol('unavailable');

/**
 * Dispatches a verified message for a receiver: its reply, null for silence, or UNAVAILABLE when the
 * event could not be recorded in time (answer 503; a late commit is found by the retry's de-duplication).
 */
export async function receive(deps: DispatchDeps, message: ChatMessage): Promise<Reply | null | typeof UNAVAILABLE> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<typeof UNAVAILABLE>((resolve) => {
    timer = setTimeout(() => resolve(UNAVAILABLE), ANSWER_DEADLINE_MS);
  });
  const work = dispatch(deps, message).catch((err: unknown): typeof UNAVAILABLE => {
    deps.logger.error({ err, channel: message.channelId, msgId: message.messageId }, 'could not record an inbound message');
    return UNAVAILABLE;
  });
  try {
    return await Promise.race([work, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

/** True when `url` is https (or the configured base's scheme) on the configured platform host. */
export function onHost(url: string | undefined, base: string): boolean {
  if (!url) return false;
  try {
    const u = new URL(url);
    const b = new URL(base);
    return u.protocol === b.protocol && u.host === b.host;
  } catch {
    return false;
  }
}
