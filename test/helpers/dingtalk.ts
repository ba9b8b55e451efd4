import { dingtalkSign } from '../../src/platforms/dingtalk/sign.ts';

export const DT_SECRET = 'dingtalk-app-secret-for-tests';

let counter = 0;

/** A DingTalk robot callback body as the platform sends it (group @-message by default). */
export function dingtalkCallback(content: string, overrides: Record<string, unknown> = {}) {
  counter += 1;
  return {
    msgId: `msg${Date.now().toString(36)}${counter}`,
    msgtype: 'text',
    text: { content },
    conversationId: 'cidGroupA==',
    conversationType: '2',
    conversationTitle: '第一党支部',
    senderId: '$:LWCP_v1:$abc',
    senderStaffId: 'zhangsan',
    senderNick: '张三',
    chatbotUserId: '$:LWCP_v1:$bot',
    isAdmin: false,
    sessionWebhook: 'https://oapi.dingtalk.com/robot/sendBySession?session=abc',
    sessionWebhookExpiredTime: Date.now() + 5_400_000,
    createAt: Date.now(),
    ...overrides,
  };
}

const signedAt = new Set<number>();

/**
 * Headers of a correctly signed callback at `timestamp` (ms), or the first millisecond after it not
 * signed for yet: DingTalk signs each callback at its own millisecond, and the service takes a
 * signature for one message only.
 */
export function signedHeaders(timestamp: number, secret = DT_SECRET): Record<string, string> {
  let at = timestamp;
  while (signedAt.has(at)) at++;
  signedAt.add(at);
  return exactlySigned(at, secret);
}

/** Headers signed at exactly `timestamp`, whether or not a callback was signed then before (a replay). */
export function exactlySigned(timestamp: number, secret = DT_SECRET): Record<string, string> {
  return { 'content-type': 'application/json', timestamp: String(timestamp), sign: dingtalkSign(String(timestamp), secret) };
}
