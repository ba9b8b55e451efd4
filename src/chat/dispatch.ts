import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { Clock } from '../core/clock.ts';
import type { ChatMessage, Reply } from './message.ts';
import { type BatchHint, type BatchReads, type CommandContext, type Settings, UserError } from './context.ts';
import type { Effect, EffectRunner } from './effects.ts';
import type { AnyCommand, CommandTable } from './command.ts';
import { LEAVE_REASON_WAIT_MS } from './buttons.ts';
import { meetingCard, parseCardTask, pressNote } from '../domain/cards.ts';
import type { Member } from '../domain/records.ts';
import { pleasantry } from './parse.ts';
import { SAY } from './replies.ts';
import { useBatchReads } from './meeting-lookup.ts';
import type { Database, OrgTable } from '../../db/schema.ts';
import { getInboundReply } from '../../db/inbound-events.ts';
import { awaitedLeaveReasons } from '../../db/leave-reasons.ts';
import { getMeeting } from '../../db/meetings.ts';
import { type InboundBatcher, RecordedBefore } from '../../db/inbound-batch.ts';
import { HeldRows, holdWrites } from '../../db/staging.ts';
import type { RosterCache } from './roster-cache.ts';

export interface DispatchDeps {
  db: Kysely<Database>;
  clock: Clock;
  logger: Logger;
  settings: Settings;
  /** The org and the sender, kept briefly (roster-cache.ts). */
  roster: RosterCache;
  /** Runs the commands of messages arriving together in one transaction (db/inbound-batch.ts). */
  writer: InboundBatcher<BatchHint, BatchReads>;
  runEffects: EffectRunner;
  /** The commands (the list in handlers/index.ts), given by the assembly: handlers sit above this layer. */
  commands: CommandTable;
  /** The org's channels as the targets see them, from the platforms' adapters, which sit above this layer. */
  channelRefs: CommandContext['channelRefs'];
}

/** How long a reply waits for its effects (queue writes) before it goes anyway. */
const EFFECTS_WAIT_MS = 300;

const refusal = (commands: CommandTable, kind: string, reason: string, usage?: string): Reply => ({
  title: commands.refusalTitle(kind),
  markdown: usage ? SAY.withUsage(reason, usage) : reason,
});

/**
 * Runs one chat message to its reply (null: stay silent). The handler's writes and the record of
 * (channel, message id) with its reply commit in one transaction, shared with the messages that
 * arrived with it (db/inbound-batch.ts), so a retried callback changes nothing and gets the reply
 * stored the first time; a refusal rolls back and stores nothing. A database failure throws: the
 * receiver answers 503 so that the platform retries. Org and sender come from a short-lived cache
 * (a message costs its command's statements and a share of one transaction).
 */
export async function dispatch(deps: DispatchDeps, message: ChatMessage): Promise<Reply | null> {
  if (message.button) return pressed(deps, message, message.button);
  const { db, commands } = deps;
  // The platforms deliver a group message only when it @-mentions the bot: every one gets an answer.
  if (!commands.kindOf(message.text))
    return (await answeredBefore(db, message)) ?? (await reasonGiven(deps, message)) ?? notUnderstood(commands, message.text);

  const [org, member] = await senderOf(deps, message);
  // Times are read against the moment the message arrived, in the org's zone.
  const parsed = commands.parse(message.text, { now: message.receivedAt, tz: org.timezone })!;
  // A retry read later may be refused where its first delivery was answered (安排 今天23:50 after midnight).
  if (!parsed.ok) return (await answeredBefore(db, message)) ?? refusal(commands, parsed.kind, parsed.reason, commands.usage(parsed.kind));
  return run(deps, message, org, member, parsed.command);
}

async function senderOf(deps: DispatchDeps, message: ChatMessage): Promise<[OrgTable, Member | undefined]> {
  const [org, member] = await Promise.all([
    deps.roster.org(message.orgId),
    deps.roster.member(message.orgId, message.platform === 'console' ? 'id' : message.platform, message.senderId),
  ]);
  if (!org) throw new Error(`channel ${message.channelId} names org ${message.orgId}, which does not exist`);
  return [org, member];
}

/**
 * A button pressed on a meeting's card: its typed command for the card's meeting (签到 K7Q, 请假
 * K7Q with the reason asked for afterwards), under the same rules, and the card as the presser
 * should now see it. A card the service never made, or of another org's meeting, records nothing.
 */
async function pressed(deps: DispatchDeps, message: ChatMessage, button: NonNullable<ChatMessage['button']>): Promise<Reply | null> {
  const { commands } = deps;
  const kind = button.action === 'checkin' ? 'checkin' : 'leave';
  const task = parseCardTask(button.taskId);
  const meeting = task ? await getMeeting(deps.db, task.meetingId) : undefined;
  if (!task || meeting?.org_id !== message.orgId) return refusal(commands, kind, SAY.cardUnknown);
  const [org, member] = await senderOf(deps, message);
  const pinned = { code: meeting.code, meetingId: meeting.id };
  const command = kind === 'checkin' ? { kind, ...pinned } : { kind, ...pinned, reason: null };
  const reply = await run(deps, message, org, member, command);
  if (!reply) return null;
  const note = pressNote(reply, reply.title === commands.refusalTitle(kind));
  return { ...reply, card: meetingCard(task.kind, meeting, org.timezone, deps.clock.now(), deps.settings.checkinOpens, note) };
}

/**
 * A line that is no command, sent privately by a member asked for the reason of a leave she took
 * by button and still without one: that reason, recorded as a typed 请假 of that meeting would
 * record it. Null when the line is not one (a group line, a greeting, nobody asked); with two
 * reasons awaited, she is asked to name the meeting.
 */
async function reasonGiven(deps: DispatchDeps, message: ChatMessage): Promise<Reply | null> {
  const { commands } = deps;
  // A line close to a command word is a reason all the same: 「出差」 is one, though it is a letter from 出勤.
  if (message.chatType !== 'direct' || !message.text.trim() || pleasantry(message.text)) return null;
  const [org, member] = await senderOf(deps, message);
  if (!member) return null;
  const awaited = await awaitedLeaveReasons(deps.db, org.id, member.id, message.receivedAt - LEAVE_REASON_WAIT_MS);
  if (awaited.length === 0) return null;
  if (awaited.length > 1) return refusal(commands, 'leave', SAY.whichLeaveReason(awaited.map((m) => m.code)));
  const meeting = awaited[0]!;
  const parsed = commands.parse(`请假 ${meeting.code} ${message.text}`, { now: message.receivedAt, tz: org.timezone });
  if (!parsed?.ok) return parsed ? refusal(commands, parsed.kind, parsed.reason) : null;
  const command = { ...parsed.command, meetingId: meeting.id };
  return run(deps, message, org, member, command);
}

/**
 * Runs a parsed command: its writes and the record of the message with its reply in one
 * transaction, then its effects; a refusal is the reply and stores nothing.
 */
async function run(
  deps: DispatchDeps,
  message: ChatMessage,
  org: OrgTable,
  member: Member | undefined,
  command: AnyCommand,
): Promise<Reply | null> {
  const { db, commands } = deps;
  let reply: Reply | null;
  let effects: Effect[];
  try {
    const key = { channelId: message.channelId, messageId: message.messageId };
    const seesHeld = commands.seesHeld(command);
    ({ reply, effects } = await deps.writer.submit(
      key,
      async (trx, heldBefore, batchReads) => {
        const replies: Reply[] = [];
        const after: Effect[] = [];
        // Its writes of attendance and reports wait for its batch's, and its reads count them.
        const held = seesHeld ? new HeldRows(heldBefore) : undefined;
        if (held) holdWrites(trx, held);
        if (batchReads) useBatchReads(trx, batchReads);
        const ctx: CommandContext = {
          ...deps,
          db: trx,
          message,
          org,
          member,
          reply: (r) => replies.push(r),
          after: (e) => after.push(e),
        };
        await commands.run(ctx, command);
        const merged = mergeReplies(replies);
        const event = {
          channel_id: message.channelId,
          message_id: message.messageId,
          org_id: org.id,
          received_at: deps.clock.now(),
          reply: merged && JSON.stringify(merged),
        };
        return { value: { reply: merged, effects: after }, staged: held?.own ?? [], event };
      },
      {
        seesHeld,
        hint: member && commands.batchHint(member, command),
      },
    ));
  } catch (err) {
    if (!(err instanceof UserError || err instanceof RecordedBefore)) throw err;
    // A retry of a message answered before gets that answer, even where running it again is refused.
    const before = await answeredBefore(db, message);
    if (before !== undefined) return before;
    return err instanceof UserError ? refusal(commands, command.kind, err.message, err.usage) : null;
  }
  // The event is recorded: a failure or a stall here (Redis down) must not hold the reply nor turn
  // into a 503 and a retry. Reminders are reconciled periodically; the log says what was missed.
  if (effects.length) {
    const done = deps.runEffects(effects).then(
      () => true,
      (err: unknown) => {
        deps.logger.error({ err, effects }, 'could not carry out the effects of a command');
        return true;
      },
    );
    let timer: NodeJS.Timeout | undefined;
    const waited = new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(false), EFFECTS_WAIT_MS);
    });
    if (!(await Promise.race([done, waited])))
      deps.logger.warn({ effects }, `effects still pending after ${EFFECTS_WAIT_MS} ms; the reply goes now`);
    clearTimeout(timer);
  }
  return reply;
}

/** The reply stored for `message` by an earlier delivery (null: it stayed silent); undefined when none was recorded. */
async function answeredBefore(db: Kysely<Database>, message: ChatMessage): Promise<Reply | null | undefined> {
  const stored = await getInboundReply(db, message.channelId, message.messageId);
  return stored === undefined || stored === null ? stored : (JSON.parse(stored) as Reply);
}

/** The answer to a line that is not a command: a friendly line to 你好 or 谢谢, else what was not understood and a close command word if any. */
function notUnderstood(commands: CommandTable, text: string): Reply {
  if (!text.trim()) return { title: '同心', markdown: SAY.empty };
  const said = pleasantry(text);
  if (said) return { title: '同心', markdown: SAY.pleasantry[said] };
  return { title: '没有看懂', markdown: SAY.notUnderstood(text, commands.suggest(text)) };
}

function mergeReplies(replies: Reply[]): Reply | null {
  if (replies.length === 0) return null;
  return { title: replies[0]!.title, markdown: replies.map((r) => r.markdown).join('\n\n---\n\n') };
}
