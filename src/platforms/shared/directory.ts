import type { Logger } from 'pino';
import { type Outcome, TokenError, withToken } from './api.ts';
import type { CallRate } from './call-rate.ts';
import type { SharedToken } from './token.ts';

// What a platform's directory (通讯录) reader is to the rest of the service, and what both readers
// share: every call paced to the platform's rate and counted, a token that expires mid-read fetched
// again, a failed page asked again (from its own cursor) before the read gives up.

export interface DirectoryDepartment {
  id: string;
  /** Null where the read did not reach its parent. */
  parentId: string | null;
}

export interface DirectoryEntry {
  userId: string;
  /** Null where the platform does not reveal it. */
  name: string | null;
  /** All her departments, mapped or not. */
  departmentIds: string[];
}

/** A department as an org admin picks it: its name where the platform gives one (WeCom gives ids only). */
export interface NamedDepartment {
  id: string;
  name: string | null;
}

/** Both platforms number the department of the whole organisation 1. */
export const TOP_DEPARTMENT = '1';

/** A channel's directory, read a department at a time. Its methods throw DirectoryError. */
export interface DirectoryReader {
  /** The departments right under this one; DirectoryError `unknown-department` if there is none of that id. */
  children(id: string): Promise<NamedDepartment[]>;
  /** The department and, when `withSub`, every department under it; DirectoryError `unknown-department` if there is none of that id. */
  departments(id: string, withSub: boolean): Promise<DirectoryDepartment[]>;
  /** Everyone in these departments (not those under them), once each. */
  people(departmentIds: readonly string[]): Promise<DirectoryEntry[]>;
}

/**
 * Why a directory could not be read: a department it does not have, a permission the app lacks
 * (the platform's error code, with what to do in `hint`), or the platform not answering well enough.
 */
export class DirectoryError extends Error {
  constructor(
    readonly failure: 'unknown-department' | 'permission' | 'unavailable',
    message: string,
    readonly code: number | null,
    /** What an org admin can do about it, in Chinese; null when nothing but waiting. */
    readonly hint: string | null = null,
    readonly department: string | null = null,
    /** The channel whose directory it was. */
    readonly channel: string | null = null,
  ) {
    super(message);
  }

  /** The same failure, named as the channel's. */
  of(channel: string): DirectoryError {
    return new DirectoryError(this.failure, this.message, this.code, this.hint, this.department, channel);
  }
}

/** Attempts of one call before the read gives up (a page asked again starts from its own cursor). */
export const DIRECTORY_ATTEMPTS = 4;
const RETRY_PAUSE_MS = 1_000;

export interface DirectoryCallOptions {
  token: SharedToken;
  rate: CallRate;
  /** Counts one call in the quota meter. */
  count(): Promise<void>;
  log: Logger;
  /** How long the platform blocks after its rate limit is hit. */
  rateLimitedPauseMs: number;
}

/**
 * One call of a read, paced and counted (each attempt, and the one after a token is fetched again),
 * asked again after a pause while the platform says to retry or to slow down. Returns the last
 * call: the caller reads its outcome. Throws DirectoryError when no token can be had.
 */
export async function directoryCall<C extends { outcome: Outcome }>(
  opts: DirectoryCallOptions,
  what: string,
  call: (token: string) => Promise<C>,
): Promise<C> {
  const paced = async (token: string) => {
    await opts.rate.take();
    await opts.count();
    return call(token);
  };
  let result: C | undefined;
  for (let attempt = 1; attempt <= DIRECTORY_ATTEMPTS; attempt++) {
    try {
      result = await withToken(opts.token, paced, opts.log, what);
    } catch (err) {
      if (!(err instanceof TokenError)) throw err;
      throw new DirectoryError('unavailable', `${what}: ${err.result.reason}`, err.result.errcode ?? null);
    }
    const { kind } = result.outcome;
    if (kind !== 'retry' && kind !== 'rate-limited') return result;
    if (attempt < DIRECTORY_ATTEMPTS) {
      const pause = kind === 'rate-limited' ? opts.rateLimitedPauseMs : RETRY_PAUSE_MS * 2 ** (attempt - 1);
      opts.log.warn(`${what} failed (${result.outcome.reason}); asking again in ${pause} ms`);
      await opts.rate.pacing.sleep(pause);
    }
  }
  return result!;
}

/** A JSON object of an answer, or null for anything else. */
export const objectOf = (value: unknown): Record<string, unknown> | null =>
  value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
