import type { OutboundMessage, Target } from '../domain/outbound.ts';

// What a handler asks to happen once its transaction has committed: queue work is not
// transactional, so it is described here as data and carried out after the commit.

export type Effect =
  /** A meeting was scheduled, moved or cancelled: its reminders follow. */
  | { kind: 'meeting-changed'; meetingId: string }
  /** 提醒: nudge those not checked in, now. */
  | { kind: 'remind-now'; meetingId: string; requestId: string }
  /** A message beyond the reply (e.g. the rest of a long 周报), through the outbound queue. */
  | { kind: 'deliver'; delivery: Delivery };

export type EffectRunner = (effects: Effect[]) => Promise<void>;

export interface Delivery {
  id: string;
  orgId: string;
  target: Target;
  message: OutboundMessage;
}
