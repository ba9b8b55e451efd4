import type { Db } from './schema.ts';

/** Claims (channel, message id); false when it was claimed before (a platform retry). */
export async function claimInboundEvent(db: Db, channelId: string, messageId: string, orgId: string, now: number): Promise<boolean> {
  const result = await db
    .insertInto('inbound_events')
    .values({ channel_id: channelId, message_id: messageId, org_id: orgId, received_at: now, reply: null })
    .ignore()
    .executeTakeFirst();
  return Number(result.numInsertedOrUpdatedRows ?? 0) > 0;
}

export async function setInboundReply(db: Db, channelId: string, messageId: string, reply: string | null): Promise<void> {
  await db.updateTable('inbound_events').set({ reply }).where('channel_id', '=', channelId).where('message_id', '=', messageId).execute();
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

/** When the channel's latest callback that is still kept arrived; null when none is. */
export async function lastInboundAt(db: Db, channelId: string): Promise<number | null> {
  const row = await db
    .selectFrom('inbound_events')
    .select((eb) => eb.fn.max('received_at').as('at'))
    .where('channel_id', '=', channelId)
    .executeTakeFirst();
  return row?.at === null || row?.at === undefined ? null : Number(row.at);
}
