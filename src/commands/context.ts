import type { Logger } from 'pino';
import type { Clock } from '../clock.ts';
import type { ChatMessage, Reply } from '../chat.ts';
import type { Db, MemberTable, OrgTable } from '../../db/schema.ts';

/** What a handler gets: the message, who sent it, a transaction, and `reply()`. */
export interface CommandContext {
  db: Db;
  clock: Clock;
  logger: Logger;
  message: ChatMessage;
  org: OrgTable;
  /** Undefined when the sender is not in the roster. */
  member: MemberTable | undefined;
  reply(reply: Reply): void;
}

/** A refusal a member should read: the transaction is rolled back and nothing is stored. */
export class UserError extends Error {
  constructor(
    message: string,
    readonly usage?: string,
  ) {
    super(message);
  }
}

export const NOT_IN_ROSTER = '还没有找到你的党员信息：请联系支部书记把你的账号登记到同心，之后再试。';
