import type { Kysely } from 'kysely';
import type { Clock } from '../src/core/clock.ts';
import type { EffectRunner } from '../src/chat/effects.ts';
import type { Database } from '../db/schema.ts';
import { getMeeting } from '../db/meetings.ts';
import type { Queues } from './queues.ts';
import { type ReminderTiming, nudgeNow, syncMeetingReminders } from './reminders.ts';
import { enqueueDelivery } from './outbound.ts';

/** Carries out handlers' effects on the queues, after their transaction committed. */
export function createEffectRunner(deps: { db: Kysely<Database>; queues: Queues; timing: ReminderTiming; clock: Clock }): EffectRunner {
  return async (effects) => {
    for (const effect of effects) {
      if (effect.kind === 'deliver') {
        await enqueueDelivery(deps.db, deps.queues.outbound, effect.delivery, deps.clock.now());
        continue;
      }
      const meeting = await getMeeting(deps.db, effect.meetingId);
      if (!meeting) continue;
      if (effect.kind === 'meeting-changed') await syncMeetingReminders(deps.queues.reminders, meeting, deps.timing, deps.clock.now());
      else await nudgeNow(deps.queues.reminders, meeting, effect.requestId);
    }
  };
}
