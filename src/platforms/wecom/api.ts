import { type ErrcodeCall, type FailureOutcome, type Outcome, callForErrcode } from '../shared/api.ts';

// WeCom's API answers 200 with an errcode; what each code means for a send, and the call itself.

export const TRUSTED_IP_REASON =
  "WeCom refused the call because this server's IP is not trusted (60020): add this server's egress IP to the app's 企业可信IP";

/**
 * WeCom's answer to a template card whose task_id it already holds, or one empty or over 128 bytes
 * (the service makes neither): "taskid has existed or empty or exceed max len". Its documents of the
 * AI bot name no code for a repeated task_id; this is the code its API answers one with.
 */
export const TASK_ID_TAKEN = 42014;

const KNOWN: Record<number, FailureOutcome> = {
  [-1]: { kind: 'retry', reason: 'WeCom is busy (-1)' },
  40014: { kind: 'token', reason: 'access_token is invalid (40014)' },
  42001: { kind: 'token', reason: 'access_token has expired (42001)' },
  [TASK_ID_TAKEN]: { kind: 'permanent', reason: `WeCom refused the card's task_id as taken, empty or too long (${TASK_ID_TAKEN})` },
  45009: { kind: 'rate-limited', reason: 'WeCom rate limit reached (45009)' },
  60020: { kind: 'permanent', reason: TRUSTED_IP_REASON },
  93000: { kind: 'permanent', reason: 'the group robot webhook key is invalid (93000): the robot was removed or the key is wrong' },
};

/** Classifies an errcode from a 200 answer; unknown codes are retried, so the queue's attempt limit ends them. */
export function classifyErrcode(errcode: number, errmsg = ''): Outcome {
  if (errcode === 0) return { kind: 'ok' };
  return KNOWN[errcode] ?? { kind: 'retry', reason: `WeCom errcode ${errcode}: ${errmsg}`.trim() };
}

/** One call to `{apiBase}{path}?{query}`; the query carries a secret (key, corpsecret or access_token). */
export function callWecom(
  apiBase: string,
  path: string,
  query: Record<string, string>,
  init: { method: 'GET' } | { method: 'POST'; json: unknown } | { method: 'POST'; form: FormData },
): Promise<ErrcodeCall> {
  const url = `${apiBase.replace(/\/+$/, '')}${path}?${new URLSearchParams(query)}`;
  const request =
    init.method === 'POST' && 'json' in init
      ? { method: 'POST' as const, json: JSON.stringify(init.json), contentType: 'application/json' }
      : init;
  return callForErrcode('WeCom', url, request, classifyErrcode);
}

/** WeCom cuts or rejects longer content; we refuse it (and empty content) instead: splitting is the caller's job. */
export function assertWithinBytes(content: string, limit: number, what: string): void {
  const bytes = Buffer.byteLength(content, 'utf8');
  if (bytes === 0) throw new Error(`${what} is empty`);
  if (bytes > limit) throw new Error(`${what} is ${bytes} bytes, over WeCom's ${limit}-byte limit: split it before sending`);
}
