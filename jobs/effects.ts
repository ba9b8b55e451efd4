import type { Kysely } from 'kysely';
import { unrelayedDeliveries } from '../db/deliveries.ts';
import { unrelayedReminders } from '../db/reminders.ts';
import type { Database } from '../db/schema.ts';
import type { EffectRunner } from '../src/chat/effects.ts';
import type { Clock } from '../src/core/clock.ts';
import { relayDeliveries } from './outbound.ts';
import type { Queues } from './queues.ts';
import { relayReminders } from './reminders.ts';

/** Relays what a command wrote to the outbox, once its transaction has committed. */
export function createEffectRunner(deps: {
  db: Kysely<Database>;
  queues: Pick<Queues, 'reminders' | 'outbound'>;
  clock: Clock;
}): EffectRunner {
  return async (effects) => {
    const now = deps.clock.now();
    const deliveries = effects.flatMap((e) => (e.kind === 'delivery' ? [e.id] : []));
    const relayable = await unrelayedDeliveries(deps.db, deliveries.length, deliveries);
    await relayDeliveries(
      deps.db,
      deps.queues.outbound,
      relayable.map((d) => d.id),
      now,
    );
    for (const effect of effects) {
      if (effect.kind === 'reminders')
        await relayReminders(deps.db, deps.queues.reminders, await unrelayedReminders(deps.db, 50, effect.meetingId), now);
    }
  };
}
