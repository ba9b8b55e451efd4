import { isDuplicateKey } from './errors.ts';
import type { Db, InboundEventTable } from './schema.ts';

/**
 * Records (channel, message id) with the reply it got; false when it was recorded before (a
 * platform retry), the transaction's other writes then to be rolled back. A plain INSERT, not
 * INSERT IGNORE, which would also pass a reply MariaDB had to cut.
 */
export async function recordInboundEvent(db: Db, event: InboundEventTable): Promise<boolean> {
  try {
    await db.insertInto('inbound_events').values(event).execute();
    return true;
  } catch (err) {
    if (isDuplicateKey(err)) return false;
    throw err;
  }
}

/** The stored reply of a claimed event: undefined when unclaimed, null when it had none. */
export async function getInboundReply(db: Db, channelId: string, messageId: string): Promise<string | null | undefined> {
  const row = await db
    .selectFrom('inbound_events')
    .select('reply')
    .where('channel_id', '=', channelId)
    .where('message_id', '=', messageId)
    .executeTakeFirst();
  return row ? row.reply : undefined;
}
