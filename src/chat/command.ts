import type { Member } from '../../db/schema.ts';
import { ACTIONS, type Action, type ActingMember, type Decision, type Refusal, decide } from '../domain/policy.ts';
import { type BatchHint, type CommandContext, type MemberContext, UserError } from './context.ts';
import { type ArgsRead, type ParseEnv, commandReader, suggester } from './parse.ts';
import { SAY } from './replies.ts';

// A chat command is one definition (a file under handlers/); the tables the dispatcher reads are
// derived from the list of them, so a command cannot be half added.

/** A parsed command: its kind and its arguments. */
export type CommandOf<K extends string, A> = { kind: K } & A;

/** What a command's batch reads for it together with its neighbours' (db/inbound-batch.ts). */
export interface BatchReading<C> {
  /** Its handler reads the sender's branch roster (roster-cache.ts). */
  roster?: boolean;
  /**
   * It reads attendance and reports only through the repositories that count the rows its batch holds
   * back (db/staging.ts), so that its writes are held back too and a burst of it shares them; any
   * other command runs after those rows are written, and its writes go at once.
   */
  heldRows?: boolean;
  /** It reads the meetings 签到 may mean, with who is present (meeting-lookup.ts). */
  checkinMeetings?(command: C): boolean;
}

interface Parts<K extends string, A> {
  kind: K;
  /** The words that start it; the first is the Chinese one that replies name. */
  words: readonly [string, ...string[]];
  /** How to write it, as 帮助 and a refusal show it. */
  usage: string;
  /** The title of its refusal, as a notification shows it: what did not happen. */
  refusalTitle: string;
  /** Its arguments, from the rest of the line after its word. */
  parse(rest: string, env: ParseEnv): ArgsRead<A>;
  /** Nothing, when absent: the handler reads for itself, after what its batch held back is written. */
  reads?: BatchReading<CommandOf<K, A>>;
}

/**
 * One chat command. Who may run it is the policy's `action` on the sender's own records or branch;
 * `anyone` (帮助 alone) also answers those not in the roster.
 */
export type CommandDefinition<K extends string = string, A = object> = Parts<K, A> &
  (
    | { action: Action; handle(ctx: MemberContext, command: CommandOf<K, A>): Promise<void> }
    | { action: 'anyone'; handle(ctx: CommandContext, command: CommandOf<K, A>): Promise<void> }
  );

export const defineCommand = <K extends string, A>(definition: CommandDefinition<K, A>): CommandDefinition<K, A> => definition;

/** Any parsed command. */
export type AnyCommand = { kind: string };

export type Parsed<C extends AnyCommand = AnyCommand> =
  | { ok: true; command: C }
  /** The command word was understood, the rest was not. */
  | { ok: false; kind: C['kind']; reason: string };

const REFUSED: Partial<Record<Refusal, string>> = { 'needs-secretary': SAY.secretaryOnly, left: SAY.leftRoster };

/** Whether `member` may take `action`: on her own records, or on her own branch. */
export function actionDecision(member: ActingMember, action: Action): Decision {
  const target =
    ACTIONS[action] === 'self' ? { kind: 'self' as const } : { kind: 'branch' as const, orgId: member.org_id, branchId: member.branch_id };
  return decide({ kind: 'member', member }, action, target);
}

/** What the dispatcher reads of the commands, derived from their definitions. */
export interface CommandTable {
  /** The command a line starts with, or undefined when the line is not a command (cheap; no env needed). */
  kindOf(line: string): string | undefined;
  /** Null when the line is not a command at all. */
  parse(line: string, env: ParseEnv): Parsed | null;
  /** The command word a line that is not a command most likely meant. */
  suggest(line: string): string | undefined;
  usage(kind: string): string;
  refusalTitle(kind: string): string;
  /** Whether the command reads the rows its batch holds back, and so holds back its own (`reads.heldRows`). */
  seesHeld(command: AnyCommand): boolean;
  /** What the command will read that its batch can read with its neighbours', if anything. */
  batchHint(member: Member, command: AnyCommand): BatchHint | undefined;
  /** Runs a parsed command after the roster check and the policy's, on the sender's own branch. */
  run(ctx: CommandContext, command: AnyCommand): Promise<void>;
}

/** The dispatcher's tables from the list of definitions; throws when two commands claim one word. */
export function commandTable(definitions: readonly CommandDefinition[]): CommandTable {
  const byKind = new Map<string, CommandDefinition>();
  const byWord = new Map<string, CommandDefinition>();
  for (const definition of definitions) {
    if (byKind.has(definition.kind)) throw new Error(`two commands are named ${definition.kind}`);
    byKind.set(definition.kind, definition);
    for (const word of definition.words) {
      const other = byWord.get(word);
      if (other) throw new Error(`「${word}」 starts both ${other.kind} and ${definition.kind}`);
      byWord.set(word, definition);
    }
  }
  const words = [...byWord.keys()];
  const readWord = commandReader(words);
  const split = (line: string) => {
    const said = readWord(line);
    const definition = said && byWord.get(said.word);
    return definition && { definition, rest: said.rest };
  };
  const of = (kind: string) => {
    const definition = byKind.get(kind);
    if (!definition) throw new Error(`no command ${kind}`);
    return definition;
  };
  return {
    kindOf: (line) => split(line)?.definition.kind,
    parse(line, env) {
      const found = split(line);
      if (!found) return null;
      const { kind } = found.definition;
      const args = found.definition.parse(found.rest, env);
      return args.ok ? { ok: true, command: { kind, ...args.args } } : { ok: false, kind, reason: args.reason };
    },
    suggest: suggester(words),
    usage: (kind) => of(kind).usage,
    refusalTitle: (kind) => of(kind).refusalTitle,
    seesHeld: (command) => of(command.kind).reads?.heldRows === true,
    batchHint(member, command) {
      const reads = of(command.kind).reads;
      const roster = reads?.roster === true;
      const checkinMeetings = reads?.checkinMeetings?.(command) === true;
      return roster || checkinMeetings ? { orgId: member.org_id, branchId: member.branch_id, roster, checkinMeetings } : undefined;
    },
    async run(ctx, command) {
      const definition = of(command.kind);
      if (definition.action === 'anyone') return definition.handle(ctx, command);
      const member = ctx.member;
      if (!member) throw new UserError(SAY.notInRoster);
      const decision = actionDecision(member, definition.action);
      if (!decision.ok) throw new UserError(REFUSED[decision.why] ?? SAY.secretaryOnly);
      return definition.handle({ ...ctx, member }, command);
    },
  };
}
