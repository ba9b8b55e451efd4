import { recordDelivery } from '../../db/deliveries.ts';
import { writeReminderPlan } from '../../db/reminders.ts';
import type { Delivery } from '../domain/outbound.ts';
import type { Meeting } from '../domain/records.ts';
import { remindersAhead } from '../domain/reminders.ts';
import type { MemberContext } from './context.ts';

// What a command promises ("已提醒", a meeting's reminders) is written in its own transaction, so a
// crash after the reply loses nothing; the queue gets it when the transaction has committed.

/** Plans a meeting's reminders anew after 安排, 改期 or 取消: those still ahead, none for a cancelled meeting. */
export async function planMeetingReminders(
  ctx: MemberContext,
  meeting: Pick<Meeting, 'id' | 'org_id' | 'starts_at' | 'status'>,
): Promise<void> {
  const now = ctx.clock.now();
  await writeReminderPlan(ctx.db, meeting, remindersAhead(meeting, ctx.settings.reminders, now), now);
  ctx.after({ kind: 'reminders', meetingId: meeting.id });
}

/** Records a message to send beyond the reply. */
export async function sendLater(ctx: MemberContext, delivery: Delivery): Promise<void> {
  await recordDelivery(ctx.db, delivery, ctx.clock.now());
  ctx.after({ kind: 'delivery', id: delivery.id });
}
