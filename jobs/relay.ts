import type { Kysely } from 'kysely';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { forgetDeliveryRelays, staleDeliveries, unrelayedDeliveries } from '../db/deliveries.ts';
import { forgetReminderRelays, unrelayedReminders } from '../db/reminders.ts';
import type { Database } from '../db/schema.ts';
import { getServiceState, putServiceState } from '../db/service-state.ts';
import { newId } from '../src/core/ids.ts';
import { relayDeliveries } from './outbound.ts';
import type { Queues } from './queues.ts';
import { relayReminders } from './reminders.ts';
import type { Clock } from '../src/core/clock.ts';

// The outbox relay: what the database holds to send (planned reminders, recorded deliveries) and the
// queue does not have yet goes to the queue. Commands relay their own rows at once; this catches
// what a crash or an outage left behind, and rebuilds the queue when Redis lost its data.

const BATCH = 500;

export interface RelayDeps {
  db: Kysely<Database>;
  queues: Pick<Queues, 'reminders' | 'outbound'>;
  clock: Clock;
}

/** Relays the outbox rows not yet in the queue, oldest first; the numbers relayed. */
export async function relayOutbox(deps: RelayDeps): Promise<{ reminders: number; deliveries: number }> {
  const now = deps.clock.now();
  const reminders = await unrelayedReminders(deps.db, BATCH);
  await relayReminders(deps.db, deps.queues.reminders, reminders, now);
  const deliveries = (await unrelayedDeliveries(deps.db, BATCH)).map((d) => d.id);
  await relayDeliveries(deps.db, deps.queues.outbound, deliveries, now);
  return { reminders: reminders.length, deliveries: deliveries.length };
}

/** Re-adds the jobs of deliveries untouched for 10 minutes (a job lost without Redis losing its data); adding a held job is a no-op. */
export async function resendStale(deps: RelayDeps): Promise<number> {
  const stale = (await staleDeliveries(deps.db, deps.clock.now() - 10 * 60_000, BATCH)).map((d) => d.id);
  await relayDeliveries(deps.db, deps.queues.outbound, stale, deps.clock.now());
  return stale.length;
}

const EPOCH_STATE = 'redis-epoch';

/**
 * Redis's epoch: a random value kept in Redis (written when absent) and, once the queue copy has
 * been rebuilt for it, in the database. A Redis that restarted empty or failed over to an empty
 * replica has no value or another one: everything unfinished is relayed again, and `rebuild`
 * recreates what else lives only in Redis (job schedulers). True when it rebuilt.
 */
export async function checkRedisEpoch(
  deps: RelayDeps & { redis: Redis; prefix: string; logger: Logger },
  rebuild: () => Promise<void>,
): Promise<boolean> {
  const key = `${deps.prefix}:epoch`;
  await deps.redis.set(key, newId(deps.clock.now()), 'NX');
  const epoch = await deps.redis.get(key);
  const known = await getServiceState(deps.db, EPOCH_STATE);
  if (!epoch || epoch === known) return false;
  // A first start has nothing to lose; later, an unknown epoch means Redis lost what it held.
  if (known === undefined) deps.logger.info({ epoch }, 'first start on this database: building the schedule in Redis');
  else deps.logger.warn({ epoch }, 'Redis holds no copy of the schedule (new, emptied or failed over): rebuilding it from the database');
  await forgetReminderRelays(deps.db);
  await forgetDeliveryRelays(deps.db);
  await rebuild();
  for (;;) {
    const relayed = await relayOutbox(deps);
    if (relayed.reminders + relayed.deliveries === 0) break;
  }
  await putServiceState(deps.db, EPOCH_STATE, epoch, deps.clock.now());
  return true;
}
