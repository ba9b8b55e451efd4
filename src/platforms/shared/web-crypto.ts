import { dingtalkTimestampFresh, wecomTimestampFresh } from './callback-time.ts';

// The platforms' callback checks in Web Crypto, for the Workers ingress (src/edge.ts), which has no
// node:crypto: the same rules as dingtalk/sign.ts and wecom/crypto.ts, which the tests compare.

const encoder = new TextEncoder();

const toHex = (bytes: ArrayBuffer) => [...new Uint8Array(bytes)].map((b) => b.toString(16).padStart(2, '0')).join('');

const toBase64 = (bytes: ArrayBuffer) => btoa(String.fromCharCode(...new Uint8Array(bytes)));

/** Equal strings, compared without stopping at the first difference. */
function sameText(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}

/** base64(HMAC-SHA256(secret, `${timestamp}\n${secret}`)) = `sign`, and the timestamp (ms) within an hour of now. */
export async function dingtalkCallbackValid(
  timestamp: string | undefined,
  sign: string | undefined,
  secret: string,
  now: number,
): Promise<boolean> {
  if (!timestamp || !sign || !dingtalkTimestampFresh(timestamp, now)) return false;
  const key = await crypto.subtle.importKey('raw', encoder.encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  const mac = await crypto.subtle.sign('HMAC', key, encoder.encode(`${timestamp}\n${secret}`));
  return sameText(toBase64(mac), sign);
}

/** sha1(sort([token, timestamp, nonce, encrypted]).join('')) = `signature`, and the timestamp (s) within an hour of now. */
export async function wecomSignatureValid(
  token: string,
  timestamp: string,
  nonce: string,
  encrypted: string,
  signature: string,
  now: number,
) {
  if (!wecomTimestampFresh(timestamp, now)) return false;
  const digest = await crypto.subtle.digest('SHA-1', encoder.encode([token, timestamp, nonce, encrypted].sort().join('')));
  return sameText(toHex(digest), signature.toLowerCase());
}
