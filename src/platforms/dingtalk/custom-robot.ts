import type { Logger } from 'pino';
import type { SendResult } from '../send-result.ts';
import {
  TIMEOUT_MS,
  assertNotEmpty,
  classifyRobotErrcode,
  classifyStatus,
  failure,
  jsonWithinLimit,
  networkFailure,
  redact,
} from './errors.ts';
import { dingtalkSign } from './sign.ts';

// Group pushes through a group's custom robot webhook (SPEC §3); 20 a minute per robot, which the
// outbound queue enforces, not this module.

export type CustomRobotMessage =
  | { kind: 'markdown'; title: string; text: string; atUserIds?: string[] }
  | { kind: 'text'; content: string; atUserIds?: string[] };

export interface CustomRobotOptions {
  oapiBase: string;
  /** The robot's access_token (a secret). */
  accessToken: string;
  /** The robot's signing secret (加签), when it has one. */
  secret?: string;
  message: CustomRobotMessage;
  /** Makes a retried send idempotent: pass the same value on every attempt of one message. */
  msgUuid?: string;
  logger?: Logger;
  /** Clock of the signature's timestamp (ms). */
  now?: () => number;
}

/** How a robot is named in logs and errors: its access token is a secret. */
export const customRobotLabel = (accessToken: string) => `${accessToken.slice(0, 4)}…`;

/** `timestamp=…&sign=…` of a signed robot; the sign is percent-encoded as DingTalk documents it. */
export function customRobotSignQuery(timestamp: number, secret: string): string {
  const ts = String(timestamp);
  return `timestamp=${ts}&sign=${encodeURIComponent(dingtalkSign(ts, secret))}`;
}

// DingTalk mentions only users named both in at.atUserIds and as `@userid` in the text.
function withMentions(text: string, ids: readonly string[], separator: string): string {
  const missing = ids.filter((id) => !new RegExp(`@${escapeRegExp(id)}(?![\\w-])`).test(text));
  return missing.length ? `${text}${separator}${missing.map((id) => `@${id}`).join(' ')}` : text;
}

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The request body; `@id` is appended for each mentioned user the text does not already name. */
export function customRobotBody(message: CustomRobotMessage, msgUuid?: string) {
  const ids = [...new Set(message.atUserIds ?? [])];
  const at = { atUserIds: ids, isAtAll: false };
  const uuid = msgUuid === undefined ? {} : { msgUuid };
  if (message.kind === 'markdown') {
    assertNotEmpty(message.title, 'DingTalk markdown title');
    assertNotEmpty(message.text, 'DingTalk markdown text');
    return { msgtype: 'markdown', markdown: { title: message.title, text: withMentions(message.text, ids, '\n\n') }, at, ...uuid };
  }
  assertNotEmpty(message.content, 'DingTalk text content');
  return { msgtype: 'text', text: { content: withMentions(message.content, ids, ' ') }, at, ...uuid };
}

/**
 * Sends one message through a custom robot. Throws, before any request, when the body is over
 * 20,000 bytes or empty; otherwise never throws for HTTP or network trouble.
 */
export async function sendCustomRobot(opts: CustomRobotOptions): Promise<SendResult> {
  const { oapiBase, accessToken, secret, message, msgUuid, logger, now = Date.now } = opts;
  const robot = customRobotLabel(accessToken);
  const json = jsonWithinLimit(customRobotBody(message, msgUuid), `DingTalk custom-robot ${message.kind} for robot ${robot}`);
  const signed = secret ? `&${customRobotSignQuery(now(), secret)}` : '';
  const url = `${oapiBase.replace(/\/+$/, '')}/robot/send?access_token=${encodeURIComponent(accessToken)}${signed}`;

  const result = await post(url, json, [accessToken, secret]);
  if (!result.delivered) logger?.warn({ robot, errcode: result.errcode }, `DingTalk custom robot push failed: ${result.reason}`);
  return result;
}

async function post(url: string, json: string, secrets: (string | undefined)[]): Promise<SendResult> {
  let res: Response;
  try {
    res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json; charset=utf-8' },
      body: json,
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
  } catch (err) {
    return failure(networkFailure(err));
  }
  if (res.status !== 200) {
    await res.body?.cancel();
    return failure(classifyStatus(res.status));
  }
  let answer: { errcode?: unknown; errmsg?: unknown } | null;
  try {
    answer = (await res.json()) as typeof answer;
  } catch {
    return failure({ kind: 'retry', reason: 'DingTalk answered 200 with a body that is not JSON' });
  }
  const errcode = answer?.errcode;
  if (typeof errcode !== 'number') return failure({ kind: 'retry', reason: 'DingTalk answered 200 without an errcode' });
  const outcome = classifyRobotErrcode(errcode, redact(String(answer?.errmsg ?? ''), secrets));
  return outcome.kind === 'ok' ? { delivered: true } : failure(outcome, errcode);
}
