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
