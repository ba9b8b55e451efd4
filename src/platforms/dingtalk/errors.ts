import type { SendFailure } from '../send-result.ts';

// What a DingTalk answer means for the sender: the outbound queue delays on 'rate-limited', fails
// fast on 'permanent' and backs off on 'retry'; 'token' is handled inside the app API (refresh once).

export type DingtalkOutcome =
  | { kind: 'ok' }
  | { kind: 'rate-limited'; reason: string }
  | { kind: 'token'; reason: string }
  | { kind: 'permanent'; reason: string }
  | { kind: 'retry'; reason: string };

export type DingtalkFailureOutcome = Exclude<DingtalkOutcome, { kind: 'ok' }>;

/** UTF-8 byte limit of a robot message's JSON body (SPEC §6). */
export const DINGTALK_BODY_LIMIT = 20_000;

export const TIMEOUT_MS = 10_000;

const RATE_LIMITED = 'DingTalk blocks a robot for 10 minutes after more than 20 messages a minute';

// Custom-robot errcodes that retrying cannot fix; 130101/410100 are the rate limit.
const ROBOT_KNOWN: Record<number, DingtalkFailureOutcome> = {
  130101: { kind: 'rate-limited', reason: `sending too fast (130101): ${RATE_LIMITED}` },
  410100: { kind: 'rate-limited', reason: `sending too fast (410100): ${RATE_LIMITED}` },
  310000: {
    kind: 'permanent',
    reason: "the custom robot refused the message (310000): its keyword, signing secret or IP allow-list does not match this server's message",
  },
  300001: { kind: 'permanent', reason: 'the custom robot access token is invalid (300001)' },
  300005: { kind: 'permanent', reason: 'the custom robot access token does not exist (300005)' },
  400013: { kind: 'permanent', reason: 'the group of this custom robot was dissolved (400013)' },
  400101: { kind: 'permanent', reason: 'the custom robot access token does not exist (400101)' },
  400102: { kind: 'permanent', reason: 'the custom robot is disabled (400102)' },
  400105: { kind: 'permanent', reason: 'the custom robot does not support this message type (400105)' },
  400106: { kind: 'permanent', reason: 'the custom robot does not exist (400106)' },
  430101: { kind: 'permanent', reason: 'DingTalk refused the message content (430101: unsafe link)' },
  430102: { kind: 'permanent', reason: 'DingTalk refused the message content (430102)' },
  430103: { kind: 'permanent', reason: 'DingTalk refused the message content (430103)' },
  430104: { kind: 'permanent', reason: 'DingTalk refused the message content (430104)' },
};

/** A custom robot's errcode from a 200 answer; unknown codes are retried, so the queue's attempt limit ends them. */
export function classifyRobotErrcode(errcode: number, errmsg = ''): DingtalkOutcome {
  if (errcode === 0) return { kind: 'ok' };
  return ROBOT_KNOWN[errcode] ?? { kind: 'retry', reason: `DingTalk errcode ${errcode}: ${errmsg}`.trim() };
}

// 403 also covers permission and IP allow-list refusals, which a new token does not fix.
const TOKEN_CODE = /InvalidAuthentication|(invalid|expired?)\W?access\W?token|access\W?token\W?(invalid|expired?)/i;

/**
 * A non-200 answer: the v1.0 API puts its errors there as `{code, message}`, the custom robot only
 * at its edge. Any 401, or a 403 whose code names the token, is a token problem.
 */
export function classifyStatus(status: number, code = '', message = ''): DingtalkFailureOutcome {
  const reason = `HTTP ${status}${code ? ` ${code}` : ''}${message ? `: ${message}` : ''}`.slice(0, 300);
  if (status === 401 || (status === 403 && TOKEN_CODE.test(code))) return { kind: 'token', reason };
  if (status === 429 || /^Throttling/i.test(code)) return { kind: 'rate-limited', reason };
  if (status >= 500 || status === 408) return { kind: 'retry', reason };
  return { kind: 'permanent', reason };
}

/** A network failure without fetch's error text, which can carry the URL (and its token). */
export function networkFailure(err: unknown): DingtalkFailureOutcome {
  const code = (err as { cause?: { code?: unknown } }).cause?.code ?? (err as Error).name;
  return { kind: 'retry', reason: `network error (${String(code)})` };
}

/** A failed call as a SendResult; a 'token' outcome that survived its refresh counts as 'retry'. */
export function failure(outcome: DingtalkFailureOutcome, errcode?: number): SendFailure {
  const kind = outcome.kind === 'token' ? 'retry' : outcome.kind;
  return { delivered: false, kind, reason: outcome.reason, ...(errcode !== undefined ? { errcode } : {}) };
}

/** Replaces each secret in text the platform echoed back, so that it can be logged and returned. */
export function redact(text: string, secrets: readonly (string | undefined)[]): string {
  return secrets.reduce<string>((out, secret) => (secret ? out.split(secret).join('[redacted]') : out), text);
}

/** The JSON body, refused when over DingTalk's limit: splitting is the caller's job. */
export function jsonWithinLimit(body: unknown, what: string): string {
  const json = JSON.stringify(body);
  const bytes = Buffer.byteLength(json, 'utf8');
  if (bytes > DINGTALK_BODY_LIMIT) {
    throw new Error(`${what} is ${bytes} bytes, over DingTalk's ${DINGTALK_BODY_LIMIT}-byte limit: split it before sending`);
  }
  return json;
}

export function assertNotEmpty(text: string, what: string): void {
  if (text.trim() === '') throw new Error(`${what} is empty`);
}
