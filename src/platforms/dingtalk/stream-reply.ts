import type { Logger } from 'pino';
import type { Reply } from '../../chat/message.ts';
import type { QuotaKind } from '../../domain/quota.ts';
import { callForErrcode, failure } from '../shared/api.ts';
import type { SendResult } from '../shared/send-result.ts';
import type { DingtalkAppApi } from './app-api.ts';
import { type RobotMessage, renderReply } from './callback.ts';
import { classifyRobotErrcode, jsonWithinLimit } from './errors.ts';

// A reply to a message that came over Stream, which cannot carry it back: through the message's
// sessionWebhook while it lasts and only when it points at DingTalk's own host (a forged one would
// otherwise make us post anywhere), else through the robot's API — the group, or the sender alone.

export interface StreamReplyDeps {
  oapiBase: string;
  api: DingtalkAppApi;
  logger: Logger;
  now: number;
  /** Counts a call against the org's quota. */
  count(kind: QuotaKind): Promise<void>;
}

/** Whether a sessionWebhook may be followed: on the configured DingTalk host, over its scheme, not expired. */
export function usableSessionWebhook(
  body: Pick<RobotMessage, 'sessionWebhook' | 'sessionWebhookExpiredTime'>,
  oapiBase: string,
  now: number,
) {
  if (!body.sessionWebhook) return null;
  let url: URL;
  try {
    url = new URL(body.sessionWebhook);
  } catch {
    return null;
  }
  const own = new URL(oapiBase);
  if (url.origin !== own.origin) return null;
  if (body.sessionWebhookExpiredTime !== undefined && body.sessionWebhookExpiredTime <= now) return null;
  return url.toString();
}

export async function sendStreamReply(deps: StreamReplyDeps, body: RobotMessage, reply: Reply): Promise<SendResult> {
  const webhook = usableSessionWebhook(body, deps.oapiBase, deps.now);
  if (webhook) {
    await deps.count('webhook');
    const json = jsonWithinLimit(renderReply(reply), 'DingTalk session reply');
    const { outcome, answer } = await callForErrcode(
      'DingTalk',
      webhook,
      { method: 'POST', json, contentType: 'application/json; charset=utf-8' },
      classifyRobotErrcode,
    );
    if (outcome.kind === 'ok') return { delivered: true };
    deps.logger.warn({ errcode: answer?.errcode }, `DingTalk session reply failed (${outcome.reason}); replying through the robot API`);
  }
  const message = { title: reply.title, markdown: reply.markdown };
  await deps.count('api');
  if (body.conversationType === '2') return deps.api.sendGroup({ openConversationId: body.conversationId, message });
  const userId = body.senderStaffId;
  if (!userId)
    return failure({ kind: 'permanent', reason: 'a one-to-one message without senderStaffId cannot be answered through the API' });
  return deps.api.sendPrivate({ userIds: [userId], message });
}
