import { type Delivery, rateKeyOf } from '../src/domain/outbound.ts';
import type { Db, DeliveryState, DeliveryTable } from './schema.ts';
import { isMysqlDb } from './upsert.ts';

// The outbox: each message the service is to send, one row of `deliveries`, written with what
// promised it, relayed to the outbound queue (jobs/relay.ts) and marked as it is sent.

/** The width of `deliveries.id`: a longer id is refused, never cut (MariaDB would cut it under IGNORE). */
export const DELIVERY_ID_MAX = 64;

function deliveryRow(delivery: Delivery, now: number): DeliveryTable {
  if (delivery.id.length > DELIVERY_ID_MAX) throw new Error(`delivery id ${delivery.id} is over ${DELIVERY_ID_MAX} characters`);
  return {
    id: delivery.id,
    org_id: delivery.orgId,
    target: JSON.stringify(delivery.target),
    rate_key: rateKeyOf(delivery.target),
    body: JSON.stringify(delivery.message),
    state: 'queued',
    merged_into: null,
    attempts: 0,
    last_error: null,
    created_at: now,
    updated_at: now,
    relayed_at: null,
  };
}

/** Records many new deliveries in one statement; a duplicate id fails it (the caller's transaction with it). */
export async function recordDeliveries(db: Db, deliveries: Delivery[], now: number): Promise<void> {
  if (deliveries.length)
    await db
      .insertInto('deliveries')
      .values(deliveries.map((d) => deliveryRow(d, now)))
      .execute();
}

/**
 * Records one message to send (in the caller's transaction, if any): the outbox row its queue job
 * is relayed from. Recording the same id again changes nothing; false then.
 */
export async function recordDelivery(db: Db, delivery: Delivery, now: number): Promise<boolean> {
  const row = deliveryRow(delivery, now);
  // Only a duplicate id is passed over: INSERT IGNORE would also turn any other error into a warning.
  if (!isMysqlDb(db)) {
    const result = await db
      .insertInto('deliveries')
      .values(row)
      .onConflict((oc) => oc.column('id').doNothing())
      .executeTakeFirst();
    return Number(result.numInsertedOrUpdatedRows ?? 0) === 1;
  }
  try {
    await db.insertInto('deliveries').values(row).execute();
    return true;
  } catch (err) {
    if ((err as { code?: string }).code === 'ER_DUP_ENTRY') return false;
    throw err;
  }
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

/** Unfinished deliveries whose job is not known to be in the queue, oldest first; these ids only when given. */
export async function unrelayedDeliveries(db: Db, limit: number, ids?: readonly string[]): Promise<Pick<DeliveryTable, 'id'>[]> {
  let query = db.selectFrom('deliveries').select('id').where('relayed_at', 'is', null).where('state', 'in', ['queued', 'sending']);
  if (ids !== undefined) {
    if (ids.length === 0) return [];
    query = query.where('id', 'in', [...ids]);
  }
  return query.orderBy('created_at').limit(limit).execute();
}

export async function markDeliveriesRelayed(db: Db, ids: readonly string[], now: number): Promise<void> {
  if (ids.length)
    await db
      .updateTable('deliveries')
      .set({ relayed_at: now })
      .where('id', 'in', [...ids])
      .execute();
}

/** Unfinished deliveries untouched since `before`: their job may have been lost without Redis losing its data. */
export async function staleDeliveries(db: Db, before: number, limit: number): Promise<Pick<DeliveryTable, 'id'>[]> {
  return db
    .selectFrom('deliveries')
    .select('id')
    .where('state', 'in', ['queued', 'sending'])
    .where('updated_at', '<', before)
    .orderBy('updated_at')
    .limit(limit)
    .execute();
}

/** Redis lost the queue: every unfinished delivery must be relayed again. */
export async function forgetDeliveryRelays(db: Db): Promise<void> {
  await db.updateTable('deliveries').set({ relayed_at: null }).where('state', 'in', ['queued', 'sending']).execute();
}

/** Deliveries that failed for good since `since`, newest first: GET /admin/health shows them. */
export async function recentFailures(
  db: Db,
  since: number,
  limit: number,
): Promise<Pick<DeliveryTable, 'id' | 'target' | 'last_error' | 'updated_at'>[]> {
  return db
    .selectFrom('deliveries')
    .select(['id', 'target', 'last_error', 'updated_at'])
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
