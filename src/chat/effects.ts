// What a command wrote to the outbox in its transaction, to be relayed to the queues once it has
// committed. The rows are the record: a relay that never happens (a crash, Redis down) is made good
// by the workers' relay loop, so these only make the relay immediate.

export type Effect =
  /** A meeting's reminders were planned anew (scheduled, moved or cancelled). */
  | { kind: 'reminders'; meetingId: string }
  /** A message was recorded to send (提醒, the rest of a long 周报). */
  | { kind: 'delivery'; id: string };

export type EffectRunner = (effects: Effect[]) => Promise<void>;
