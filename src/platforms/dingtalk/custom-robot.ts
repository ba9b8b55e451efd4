import type { Logger } from 'pino';
import { systemClock } from '../../core/clock.ts';
import { callForErrcode, failure, redact } from '../shared/api.ts';
import type { SendResult } from '../shared/send-result.ts';
import { assertNotEmpty, classifyRobotErrcode, jsonWithinLimit } from './errors.ts';
import { dingtalkSign } from './sign.ts';

// Group pushes through a group's custom robot webhook; 20 a minute per robot, which the
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
  const { oapiBase, accessToken, secret, message, msgUuid, logger, now = () => systemClock.now() } = opts;
  const robot = customRobotLabel(accessToken);
  const json = jsonWithinLimit(customRobotBody(message, msgUuid), `DingTalk custom-robot ${message.kind} for robot ${robot}`);
  const signed = secret ? `&${customRobotSignQuery(now(), secret)}` : '';
  const url = `${oapiBase.replace(/\/+$/, '')}/robot/send?access_token=${encodeURIComponent(accessToken)}${signed}`;

  const secrets = [accessToken, secret];
  const { outcome, answer } = await callForErrcode(
    'DingTalk',
    url,
    { method: 'POST', json, contentType: 'application/json; charset=utf-8' },
    (code, msg) => classifyRobotErrcode(code, redact(msg, secrets)),
  );
  const result = outcome.kind === 'ok' ? { delivered: true as const } : failure(outcome, answer?.errcode);
  if (!result.delivered) logger?.warn({ robot, errcode: result.errcode }, `DingTalk custom robot push failed: ${result.reason}`);
  return result;
}
