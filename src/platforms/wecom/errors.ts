import type { SendFailure } from '../send-result.ts';

// What a WeCom answer means for the sender: the outbound queue delays on 'rate-limited', fails
// fast on 'permanent' and backs off on 'retry'; 'token' is handled inside the app API (refresh once).

export type WecomOutcome =
  | { kind: 'ok' }
  | { kind: 'rate-limited'; reason: string }
  | { kind: 'token'; reason: string }
  | { kind: 'permanent'; reason: string }
  | { kind: 'retry'; reason: string };


export const TRUSTED_IP_REASON =
  "WeCom refused the call because this server's IP is not trusted (60020): add this server's egress IP to the app's 企业可信IP";

const KNOWN: Record<number, Exclude<WecomOutcome, { kind: 'ok' }>> = {
  [-1]: { kind: 'retry', reason: 'WeCom is busy (-1)' },
  40014: { kind: 'token', reason: 'access_token is invalid (40014)' },
  42001: { kind: 'token', reason: 'access_token has expired (42001)' },
  45009: { kind: 'rate-limited', reason: 'WeCom rate limit reached (45009)' },
  60020: { kind: 'permanent', reason: TRUSTED_IP_REASON },
  93000: { kind: 'permanent', reason: 'the group robot webhook key is invalid (93000): the robot was removed or the key is wrong' },
};

/** Classifies an errcode from a 200 answer; unknown codes are retried, so the queue's attempt limit ends them. */
export function classifyErrcode(errcode: number, errmsg = ''): WecomOutcome {
  if (errcode === 0) return { kind: 'ok' };
  return KNOWN[errcode] ?? { kind: 'retry', reason: `WeCom errcode ${errcode}: ${errmsg}`.trim() };
}

/** Non-200 answers: WeCom itself answers 200, so these come from its edge or a proxy. */
function classifyStatus(status: number): WecomOutcome {
  if (status === 429) return { kind: 'rate-limited', reason: 'HTTP 429' };
  if (status >= 500 || status === 408) return { kind: 'retry', reason: `HTTP ${status}` };
  return { kind: 'permanent', reason: `HTTP ${status}` };
}

export interface WecomAnswer {
  errcode?: number;
  errmsg?: string;
  [field: string]: unknown;
}

export interface WecomCall {
  outcome: WecomOutcome;
  /** The parsed answer of a 200 with an errcode, else null. */
  answer: WecomAnswer | null;
}

const TIMEOUT_MS = 10_000;

/**
 * One call to `{apiBase}{path}?{query}`, classified; never throws for HTTP or network trouble. The
 * query carries a secret (key, corpsecret or access_token), so neither the URL nor fetch's error
 * text goes into the reason.
 */
export async function callWecom(
  apiBase: string,
  path: string,
  query: Record<string, string>,
  init: { method: 'GET' } | { method: 'POST'; json: unknown },
): Promise<WecomCall> {
  const url = `${apiBase.replace(/\/+$/, '')}${path}?${new URLSearchParams(query)}`;
  let res: Response;
  try {
    res = await fetch(url, {
      method: init.method,
      signal: AbortSignal.timeout(TIMEOUT_MS),
      ...(init.method === 'POST' ? { headers: { 'content-type': 'application/json' }, body: JSON.stringify(init.json) } : {}),
    });
  } catch (err) {
    const code = (err as { cause?: { code?: unknown } }).cause?.code ?? (err as Error).name;
    return { outcome: { kind: 'retry', reason: `network error (${String(code)})` }, answer: null };
  }
  if (res.status !== 200) {
    await res.body?.cancel();
    return { outcome: classifyStatus(res.status), answer: null };
  }
  let answer: unknown;
  try {
    answer = await res.json();
  } catch {
    return { outcome: { kind: 'retry', reason: 'WeCom answered 200 with a body that is not JSON' }, answer: null };
  }
  const errcode = (answer as WecomAnswer | null)?.errcode;
  if (typeof errcode !== 'number') {
    return { outcome: { kind: 'retry', reason: 'WeCom answered 200 without an errcode' }, answer: null };
  }
  const typed = answer as WecomAnswer;
  return { outcome: classifyErrcode(errcode, typed.errmsg), answer: typed };
}

/** A failed call as a SendResult; a 'token' outcome that survived its refresh counts as 'retry'. */
export function failure(outcome: Exclude<WecomOutcome, { kind: 'ok' }>, answer: WecomAnswer | null): SendFailure {
  const kind = outcome.kind === 'token' ? 'retry' : outcome.kind;
  return { delivered: false, kind, reason: outcome.reason, ...(answer?.errcode !== undefined ? { errcode: answer.errcode } : {}) };
}

/** WeCom cuts or rejects longer content; we refuse it (and empty content) instead: splitting is the caller's job. */
export function assertWithinBytes(content: string, limit: number, what: string): void {
  const bytes = Buffer.byteLength(content, 'utf8');
  if (bytes === 0) throw new Error(`${what} is empty`);
  if (bytes > limit) throw new Error(`${what} is ${bytes} bytes, over WeCom's ${limit}-byte limit: split it before sending`);
}
