import type { Logger } from 'pino';
import type { Clock } from '../core/clock.ts';
import type { ChatMessage, Reply } from './message.ts';
import type { Db, Member, OrgTable } from '../../db/schema.ts';
import type { MeetingPresent } from '../../db/meetings.ts';
import type { RosterBranch, RosterCache } from './roster-cache.ts';
import type { Config } from '../core/config.ts';
import type { ReminderTiming } from '../domain/reminders.ts';
import type { ChannelRef } from '../domain/targets.ts';
import type { Effect } from './effects.ts';
import { SAY } from './replies.ts';

/** The rules a handler reads from configuration. */
export interface Settings {
  /** How long before a meeting's start check-in opens, and after it closes (ms). */
  checkinOpens: number;
  checkinCloses: number;
  reminders: ReminderTiming;
  /** The user guide's address, when PUBLIC_URL says where the service is reachable. */
  guideUrl?: string;
  /** PUBLIC_URL: where the console is, and so whether 控制台 can give a link at all. */
  publicUrl?: string;
}

/** Where the service serves the user guide (docs/guide.md). */
export const GUIDE_PATH = '/guide';
/** Where the web console's pages are served. */
export const CONSOLE_PATH = '/console';

export const settingsFrom = (
  config: Pick<Config, 'CHECKIN_OPENS' | 'CHECKIN_CLOSES' | 'REMINDER_OFFSETS' | 'ABSENT_NUDGE_AFTER' | 'PUBLIC_URL'>,
): Settings => ({
  checkinOpens: config.CHECKIN_OPENS,
  checkinCloses: config.CHECKIN_CLOSES,
  reminders: reminderTiming(config),
  ...(config.PUBLIC_URL ? { guideUrl: `${config.PUBLIC_URL}${GUIDE_PATH}`, publicUrl: config.PUBLIC_URL } : {}),
});

/** The reminder rules of the configuration. */
export const reminderTiming = (
  config: Pick<Config, 'REMINDER_OFFSETS' | 'ABSENT_NUDGE_AFTER' | 'CHECKIN_OPENS' | 'CHECKIN_CLOSES'>,
): ReminderTiming => ({
  offsets: config.REMINDER_OFFSETS,
  nudgeAfter: config.ABSENT_NUDGE_AFTER,
  checkinOpens: config.CHECKIN_OPENS,
  checkinCloses: config.CHECKIN_CLOSES,
});

/** What a handler gets: the message, who sent it, a transaction, and `reply()`. */
export interface CommandContext {
  db: Db;
  clock: Clock;
  logger: Logger;
  settings: Settings;
  message: ChatMessage;
  /** Org, members and branch rosters as read a moment ago (roster-cache.ts): not the transaction's view. */
  roster: RosterCache;
  org: OrgTable;
  /** Undefined when the sender is not in the roster. */
  member: Member | undefined;
  reply(reply: Reply): void;
  /** Relays `effect`, written to the outbox in this transaction, once it has committed (never if it rolls back). */
  after(effect: Effect): void;
  /** The org's channels as the targets see them: what each can reach, told by its platform (given by the assembly). */
  channelRefs(db: Db, orgId: string): Promise<ChannelRef[]>;
}

/** What a batch reads for its commands together before they run (db/inbound-batch.ts `beforeBatch`). */
export interface BatchReads {
  /** The branch's meetings starting in [from, to) with who is present, earliest first; undefined when not read for the batch. */
  meetingsPresent(orgId: string, branchId: string, from: number, to: number): readonly MeetingPresent[] | undefined;
}

/** What a command will read, said before its batch runs so that the batch reads it with its neighbours'. */
export interface BatchHint extends RosterBranch {
  /** The sender's branch roster (roster-cache.ts). */
  roster: boolean;
  /** The branch's meetings that 签到 may mean, with who is present (meeting-lookup.ts). */
  checkinMeetings: boolean;
}

/** The context of every command but 帮助: the sender is a rostered member. */
export type MemberContext = CommandContext & { member: Member };

/** A refusal a member should read: the transaction is rolled back and nothing is stored. */
export class UserError extends Error {
  constructor(
    message: string,
    readonly usage?: string,
  ) {
    super(message);
  }
}

/** Lists of who missed what are told privately, never in the group. */
export function requireDirect(ctx: CommandContext, command: string): void {
  if (ctx.message.chatType !== 'direct') throw new UserError(SAY.privateOnly(command));
}
