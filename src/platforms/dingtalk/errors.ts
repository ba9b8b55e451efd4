import { type FailureOutcome, type Outcome, statusOutcome } from '../shared/api.ts';

// What DingTalk's answers mean for a send (see Outcome), and the limits of its message bodies.

/** UTF-8 byte limit of a robot message's JSON body. */
export const DINGTALK_BODY_LIMIT = 20_000;

const RATE_LIMITED = 'DingTalk blocks a robot for 10 minutes after more than 20 messages a minute';

// Custom-robot errcodes that retrying cannot fix; 130101/410100 are the rate limit.
const ROBOT_KNOWN: Record<number, FailureOutcome> = {
  130101: { kind: 'rate-limited', reason: `sending too fast (130101): ${RATE_LIMITED}` },
  410100: { kind: 'rate-limited', reason: `sending too fast (410100): ${RATE_LIMITED}` },
  310000: {
    kind: 'permanent',
    reason:
      "the custom robot refused the message (310000): its keyword, signing secret or IP allow-list does not match this server's message",
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

/** An errcode from a 200 answer, read by `known`; unknown codes are retried, so the queue's attempt limit ends them. */
const classifyBy =
  (known: Record<number, FailureOutcome>) =>
  (errcode: number, errmsg = ''): Outcome =>
    errcode === 0 ? { kind: 'ok' } : (known[errcode] ?? { kind: 'retry', reason: `DingTalk errcode ${errcode}: ${errmsg}`.trim() });

/** A custom robot's errcode. */
export const classifyRobotErrcode = classifyBy(ROBOT_KNOWN);

// The older API (oapi.dingtalk.com, media upload) answers 200 with an errcode of its own table.
const OAPI_KNOWN: Record<number, FailureOutcome> = {
  40014: { kind: 'token', reason: 'access_token is invalid (40014)' },
  40089: { kind: 'permanent', reason: "DingTalk refused the app's AppKey or AppSecret (40089)" },
  42001: { kind: 'token', reason: 'access_token has expired (42001)' },
  90002: { kind: 'rate-limited', reason: 'DingTalk rate limit of this API reached (90002)' },
  90018: { kind: 'rate-limited', reason: "DingTalk rate limit of this app's calls reached (90018)" },
  90020: { kind: 'permanent', reason: "the org's monthly DingTalk API quota is used up (90020)" },
};

/** An older-API errcode. */
export const classifyOapiErrcode = classifyBy(OAPI_KNOWN);

// 403 also covers permission and IP allow-list refusals, which a new token does not fix.
const TOKEN_CODE = /InvalidAuthentication|(invalid|expired?)\W?access\W?token|access\W?token\W?(invalid|expired?)/i;

// The v1.0 API's rate limits, by its global codes: `Throttling…`, and the 403s
// `Forbidden.AccessDenied.QpsLimitForApi`, `…QpsLimitForAppkeyAndApi`, `…QpmLimitForAppkeyAndApi` and the like.
const RATE_CODE = /^Throttling|^Forbidden\.AccessDenied\.Qp[sm]Limit/i;

/**
 * A non-200 answer: the v1.0 API puts its errors there as `{code, message}`, the custom robot only
 * at its edge. Any 401, or a 403 whose code names the token, is a token problem.
 */
export function classifyStatus(status: number, code = '', message = ''): FailureOutcome {
  const reason = `HTTP ${status}${code ? ` ${code}` : ''}${message ? `: ${message}` : ''}`.slice(0, 300);
  if (status === 401 || (status === 403 && TOKEN_CODE.test(code))) return { kind: 'token', reason };
  if (RATE_CODE.test(code)) return { kind: 'rate-limited', reason };
  return statusOutcome(status, reason);
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
