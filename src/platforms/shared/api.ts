import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { SendFailure } from './send-result.ts';
import { type SharedToken, expirySeconds } from './token.ts';

// What every platform call shares: one timeout, errors that never carry the URL (it holds keys and
// tokens), answers whose errcode decides, one token refresh, and what a failure means for a send.

/**
 * What an answer means for the sender: the outbound queue delays on 'rate-limited', fails fast on
 * 'permanent' and backs off on 'retry'; 'token' is handled by the caller (refresh once).
 */
export type Outcome = { kind: 'ok' } | { kind: 'rate-limited' | 'token' | 'permanent' | 'retry'; reason: string };
export type FailureOutcome = Exclude<Outcome, { kind: 'ok' }>;

export const CALL_TIMEOUT_MS = 10_000;

/** A non-200 answer that says nothing more: the platforms' own errors come with a 200, so these are an edge's or a proxy's. */
export function statusOutcome(status: number, reason = `HTTP ${status}`): FailureOutcome {
  if (status === 429) return { kind: 'rate-limited', reason };
  if (status >= 500 || status === 408) return { kind: 'retry', reason };
  return { kind: 'permanent', reason };
}

/** A network failure without fetch's error text, which can carry the URL (and its token). */
export function networkFailure(err: unknown): FailureOutcome {
  const code = (err as { cause?: { code?: unknown } }).cause?.code ?? (err as Error).name;
  return { kind: 'retry', reason: `network error (${String(code)})` };
}

/** A failed call as a SendResult; a 'token' outcome that survived its refresh counts as 'retry'. */
export function failure(outcome: FailureOutcome, errcode?: number): SendFailure {
  const kind = outcome.kind === 'token' ? 'retry' : outcome.kind;
  return { delivered: false, kind, reason: outcome.reason, ...(errcode !== undefined ? { errcode } : {}) };
}

/** Replaces each secret in text the platform echoed back, so that it can be logged and returned. */
export function redact(text: string, secrets: readonly (string | undefined)[]): string {
  return secrets.reduce<string>((out, secret) => (secret ? out.split(secret).join('[redacted]') : out), text);
}

export interface ErrcodeAnswer {
  errcode?: number;
  errmsg?: string;
  [field: string]: unknown;
}

export interface ErrcodeCall {
  outcome: Outcome;
  /** The parsed answer of a 200 with an errcode, else null. */
  answer: ErrcodeAnswer | null;
}

/**
 * One call to an API that answers 200 with an `errcode` (WeCom, DingTalk's custom robot), which
 * `classify` reads; never throws for HTTP or network trouble. `platform` names it in reasons.
 */
export async function callForErrcode(
  platform: string,
  url: string,
  init: { method: 'GET' } | { method: 'POST'; json: string; contentType: string } | { method: 'POST'; form: FormData },
  classify: (errcode: number, errmsg: string) => Outcome,
): Promise<ErrcodeCall> {
  let res: Response;
  const body =
    init.method === 'GET' ? {} : 'form' in init ? { body: init.form } : { headers: { 'content-type': init.contentType }, body: init.json };
  try {
    res = await fetch(url, { method: init.method, signal: AbortSignal.timeout(CALL_TIMEOUT_MS), ...body });
  } catch (err) {
    return { outcome: networkFailure(err), answer: null };
  }
  if (res.status !== 200) {
    await res.body?.cancel();
    return { outcome: statusOutcome(res.status), answer: null };
  }
  let answer: unknown;
  try {
    answer = await res.json();
  } catch {
    return { outcome: { kind: 'retry', reason: `${platform} answered 200 with a body that is not JSON` }, answer: null };
  }
  const typed = answer !== null && typeof answer === 'object' ? (answer as ErrcodeAnswer) : null;
  if (typeof typed?.errcode !== 'number')
    return { outcome: { kind: 'retry', reason: `${platform} answered 200 without an errcode` }, answer: null };
  return { outcome: classify(typed.errcode, String(typed.errmsg ?? '')), answer: typed };
}

/** A file to upload, as both platforms' media upload takes it: the multipart field `media`. */
export interface UploadFile {
  name: string;
  contentType: string;
  bytes: Buffer;
}

/** Both platforms refuse files under 5 bytes and over 20 MB; a 台账 file is far inside. */
export const UPLOAD_MAX_BYTES = 20 * 1024 * 1024;

export function mediaForm(file: UploadFile): FormData {
  if (file.bytes.length < 5 || file.bytes.length > UPLOAD_MAX_BYTES) {
    throw new Error(`a file to upload must be 5 bytes to 20 MB, not ${file.bytes.length} bytes`);
  }
  const form = new FormData();
  form.append('media', new Blob([new Uint8Array(file.bytes)], { type: file.contentType }), file.name);
  return form;
}

/** What an app API client of either platform is built with, besides its credentials. */
export interface AppApiOptions {
  apiBase: string;
  redis: Redis;
  logger: Logger;
  /** Redis key prefix (QUEUE_PREFIX), so that test runs and deployments do not share tokens. */
  keyPrefix: string;
}

/** A token that could not be had; its result is what the send it was for returns. */
export class TokenError extends Error {
  constructor(readonly result: SendFailure) {
    super(`could not get an access token: ${result.reason}`);
  }
}

/** Logs a failed call, as an error when retrying cannot help, and returns it. */
export function logFailure(log: Logger, what: string, result: SendFailure): SendFailure {
  log[result.kind === 'permanent' ? 'error' : 'warn']({ errcode: result.errcode }, `${what} failed (${result.kind}): ${result.reason}`);
  return result;
}

/**
 * Runs `call` with the app's access token; when the platform says the token is bad, fetches a new
 * one and runs it once more. Throws TokenError when no token can be had.
 */
export async function withToken<C extends { outcome: Outcome }>(
  token: SharedToken,
  call: (token: string) => Promise<C>,
  log: Logger,
  what: string,
): Promise<C> {
  const first = await token.get();
  const result = await call(first);
  if (result.outcome.kind !== 'token') return result;
  log.info(`${what}: ${result.outcome.reason}; fetching a new token and retrying once`);
  return call(await token.fresh(first));
}

/** The token of a token call's answer; throws TokenError (logged) when it has none. */
export function acceptToken(
  log: Logger,
  what: string,
  call: { outcome: Outcome; errcode?: number },
  token: unknown,
  expiresIn: unknown,
): { token: string; expiresInS: number } {
  if (call.outcome.kind === 'ok' && typeof token === 'string' && token !== '') return { token, expiresInS: expirySeconds(expiresIn) };
  const result: SendFailure =
    call.outcome.kind === 'ok'
      ? { delivered: false, kind: 'retry', reason: `${what} answered without a token` }
      : // a refused key or secret is permanent, not a reason to fetch a token again
        failure(call.outcome.kind === 'token' ? { kind: 'permanent', reason: call.outcome.reason } : call.outcome, call.errcode);
  throw new TokenError(logFailure(log, what, result));
}
