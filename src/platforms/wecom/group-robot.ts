import type { Logger } from 'pino';
import { failure } from '../shared/api.ts';
import type { SendResult } from '../shared/send-result.ts';
import { assertWithinBytes, callWecom } from './api.ts';

// Pushes to a WeCom group go through the group's webhook robot; 20 a minute per robot,
// which the outbound queue enforces, not this module.

export type RobotMessage = { kind: 'markdown'; content: string } | { kind: 'text'; content: string; mentions?: string[] };

/** UTF-8 byte limits of a robot message's content. */
export const ROBOT_LIMITS = { text: 2048, markdown: 4096 } as const;

/** How a robot is named in logs and errors: its key is a secret. */
export const robotLabel = (key: string) => `${key.slice(0, 4)}…`;

function body(message: RobotMessage) {
  if (message.kind === 'markdown') return { msgtype: 'markdown', markdown: { content: message.content } };
  const mentions = message.mentions?.length ? { mentioned_list: message.mentions } : {};
  return { msgtype: 'text', text: { content: message.content, ...mentions } };
}

/** Sends one message through a group robot. Throws, before any request, when the content is over its limit. */
export async function sendGroupRobot(opts: { apiBase: string; key: string; message: RobotMessage; logger?: Logger }): Promise<SendResult> {
  const { apiBase, key, message, logger } = opts;
  assertWithinBytes(message.content, ROBOT_LIMITS[message.kind], `WeCom group-robot ${message.kind} for robot ${robotLabel(key)}`);
  const { outcome, answer } = await callWecom(apiBase, '/cgi-bin/webhook/send', { key }, { method: 'POST', json: body(message) });
  if (outcome.kind === 'ok') return { delivered: true };
  logger?.warn({ robot: robotLabel(key), errcode: answer?.errcode }, `WeCom group robot push failed: ${outcome.reason}`);
  return failure(outcome, answer?.errcode);
}
