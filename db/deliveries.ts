import type { Db, DeliveryState, DeliveryTable } from './schema.ts';

/** Records a delivery; false when one with this id exists (a retried enqueue changes nothing). */
export async function insertDelivery(db: Db, delivery: DeliveryTable): Promise<boolean> {
  const result = await db.insertInto('deliveries').values(delivery).ignore().executeTakeFirst();
  return Number(result.numInsertedOrUpdatedRows ?? 0) > 0;
}

export async function getDelivery(db: Db, id: string): Promise<DeliveryTable | undefined> {
  return db.selectFrom('deliveries').selectAll().where('id', '=', id).executeTakeFirst();
}

/** A worker takes its delivery (queued, or sending on a retry); false when it was merged, sent or failed. */
export async function claimDelivery(db: Db, id: string, now: number): Promise<boolean> {
  const result = await db
    .updateTable('deliveries')
    .set({ state: 'sending', updated_at: now })
    .where('id', '=', id)
    .where('state', 'in', ['queued', 'sending'])
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

/** Other deliveries still queued for the same robot, oldest first: candidates to merge. */
export async function queuedForRateKey(db: Db, rateKey: string, exceptId: string, limit: number): Promise<DeliveryTable[]> {
  return db
    .selectFrom('deliveries')
    .selectAll()
    .where('rate_key', '=', rateKey)
    .where('state', '=', 'queued')
    .where('id', '!=', exceptId)
    .orderBy('created_at')
    .orderBy('id')
    .limit(limit)
    .execute();
}

/** Takes a queued delivery into `intoId`'s message; false when another worker took it first. */
export async function claimForMerge(db: Db, id: string, intoId: string, now: number): Promise<boolean> {
  const result = await db
    .updateTable('deliveries')
    .set({ state: 'merged', merged_into: intoId, updated_at: now })
    .where('id', '=', id)
    .where('state', '=', 'queued')
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

/** Deliveries an earlier attempt of `intoId` already merged: a retry sends them again with it. */
export async function listMergedInto(db: Db, intoId: string): Promise<DeliveryTable[]> {
  return db.selectFrom('deliveries').selectAll().where('merged_into', '=', intoId).orderBy('created_at').orderBy('id').execute();
}

/** Ends a delivery (sent or failed), and the ones merged into it with it. */
export async function finishDelivery(
  db: Db,
  id: string,
  state: Extract<DeliveryState, 'sent' | 'failed'>,
  error: string | null,
  now: number,
): Promise<void> {
  await db.updateTable('deliveries').set({ state, last_error: error, updated_at: now }).where('id', '=', id).execute();
  if (state === 'failed') {
    await db
      .updateTable('deliveries')
      .set({ state, last_error: `${error} (merged into ${id})`, updated_at: now })
      .where('merged_into', '=', id)
      .execute();
  }
}

export async function recordAttempt(db: Db, id: string, error: string | null, now: number): Promise<void> {
  await db
    .updateTable('deliveries')
    .set((eb) => ({ attempts: eb('attempts', '+', 1), last_error: error, updated_at: now }))
    .where('id', '=', id)
    .execute();
}

/** Deliveries not finished: a sweep re-adds their jobs should an enqueue have missed Redis. */
export async function unfinishedDeliveries(db: Db, olderThan: number, limit: number): Promise<Pick<DeliveryTable, 'id'>[]> {
  return db
    .selectFrom('deliveries')
    .select('id')
    .where('state', 'in', ['queued', 'sending'])
    .where('created_at', '<', olderThan)
    .orderBy('created_at')
    .limit(limit)
    .execute();
}

/** Deliveries that failed for good since `since`, newest first: /healthz shows them. */
export async function recentFailures(
  db: Db,
  since: number,
  limit: number,
): Promise<Pick<DeliveryTable, 'id' | 'rate_key' | 'last_error' | 'updated_at'>[]> {
  return db
    .selectFrom('deliveries')
    .select(['id', 'rate_key', 'last_error', 'updated_at'])
    .where('state', '=', 'failed')
    .where('updated_at', '>=', since)
    .orderBy('updated_at', 'desc')
    .limit(limit)
    .execute();
}

/** A claimed delivery that must wait for its robot goes back to queued, free to be merged meanwhile. */
export async function releaseDelivery(db: Db, id: string, now: number): Promise<void> {
  await db
    .updateTable('deliveries')
    .set({ state: 'queued', updated_at: now })
    .where('id', '=', id)
    .where('state', '=', 'sending')
    .execute();
}
