import type { Kysely } from 'kysely';
import { writeReminderPlan } from '../../db/reminders.ts';
import type { Database, MeetingTable } from '../../db/schema.ts';
import type { Queues } from '../../jobs/queues.ts';
import { relayOutbox } from '../../jobs/relay.ts';
import { type ReminderTiming, remindersAhead } from '../../src/domain/reminders.ts';

/** What 安排 / 改期 / 取消 do for a meeting's reminders, then the relay: planned in the database, copied to the queue. */
export async function planAndRelay(
  db: Kysely<Database>,
  queues: Pick<Queues, 'reminders' | 'outbound'>,
  meeting: Pick<MeetingTable, 'id' | 'org_id' | 'starts_at' | 'status'>,
  timing: Pick<ReminderTiming, 'offsets' | 'nudgeAfter'>,
  now: number,
): Promise<void> {
  await writeReminderPlan(db, meeting, remindersAhead(meeting, timing, now), now);
  await relayOutbox({ db, queues, clock: { now: () => now } });
}
