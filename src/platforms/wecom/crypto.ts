import { createDecipheriv, timingSafeEqual } from 'node:crypto';
import { encrypt, getSignature } from '@wecom/crypto';

// WXBizMsgCrypt. @wecom/crypto signs and encrypts; decryption is done here because its decrypt()
// hides the padding and the length field, and ignores the receiveid: exactly what must be checked.

export class CryptoError extends Error {}

/** msg_signature = sha1(sort([token, timestamp, nonce, encrypt]).join('')), compared in constant time. */
export function signatureMatches(token: string, timestamp: string, nonce: string, encrypted: string, given: string): boolean {
  const expected = Buffer.from(getSignature(token, timestamp, nonce, encrypted));
  const actual = Buffer.from(given.toLowerCase());
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

function aesKey(encodingAESKey: string): Buffer {
  const key = Buffer.from(`${encodingAESKey}=`, 'base64');
  if (key.length !== 32) throw new CryptoError('EncodingAESKey is not 43 base64 characters');
  return key;
}

/** AES-256-CBC with the key's first 16 bytes as IV; the padding is checked by openEnvelope, so the cipher's own is off. */
function decryptCbc(encodingAESKey: string, data: Buffer): Buffer {
  if (data.length === 0 || data.length % 16 !== 0) throw new CryptoError('ciphertext is not whole AES blocks');
  const key = aesKey(encodingAESKey);
  const decipher = createDecipheriv('aes-256-cbc', key, key.subarray(0, 16));
  decipher.setAutoPadding(false);
  return Buffer.concat([decipher.update(data), decipher.final()]);
}

/**
 * Decrypts `random(16) | length(4, BE) | message | receiveid` + PKCS#7 (pad 1–32), checking the
 * padding bytes, that the length field stays inside the plaintext, and the receiveid.
 */
export function openEnvelope(encodingAESKey: string, encrypted: string, receiveId: string): string {
  const plain = decryptCbc(encodingAESKey, Buffer.from(encrypted, 'base64'));
  const pad = plain[plain.length - 1]!;
  if (pad < 1 || pad > 32 || pad > plain.length) throw new CryptoError('bad padding');
  for (let i = plain.length - pad; i < plain.length; i++) if (plain[i] !== pad) throw new CryptoError('bad padding');
  const body = plain.subarray(0, plain.length - pad);
  if (body.length < 20) throw new CryptoError('plaintext too short');
  const length = body.readUInt32BE(16);
  if (20 + length > body.length) throw new CryptoError('length field past the end');
  const id = body.subarray(20 + length).toString('utf8');
  if (id !== receiveId) throw new CryptoError('receiveid does not match');
  return body.subarray(20, 20 + length).toString('utf8');
}

/** Encrypts a passive reply and signs it with the callback's nonce. */
export function sealEnvelope(
  secrets: { token: string; encodingAESKey: string },
  message: string,
  receiveId: string,
  timestamp: string,
  nonce: string,
): { encrypt: string; signature: string } {
  const sealed = encrypt(secrets.encodingAESKey, message, receiveId);
  return { encrypt: sealed, signature: getSignature(secrets.token, timestamp, nonce, sealed) };
}
