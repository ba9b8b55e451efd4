import { createHmac, timingSafeEqual } from 'node:crypto';
import { dingtalkTimestampFresh } from '../shared/callback-time.ts';

/** base64(HMAC-SHA256(key secret, `${timestamp}\n${secret}`)): robot callbacks and custom-robot pushes. */
export function dingtalkSign(timestamp: string, secret: string): string {
  return createHmac('sha256', secret).update(`${timestamp}\n${secret}`).digest('base64');
}

/**
 * Checks a callback's `timestamp` (ms) and `sign` headers: the sign in constant time, the timestamp
 * within an hour of now either way. The sign covers only the timestamp: that a pair carries one
 * message only is kept by sign-once.ts.
 */
export function verifyDingtalkCallback(timestamp: string | undefined, sign: string | undefined, appSecret: string, now: number): boolean {
  if (!timestamp || !sign || !dingtalkTimestampFresh(timestamp, now)) return false;
  const expected = Buffer.from(dingtalkSign(timestamp, appSecret));
  const given = Buffer.from(sign);
  return given.length === expected.length && timingSafeEqual(given, expected);
}
