import { createHash, randomBytes } from 'node:crypto';
import { drawRandom } from './random.ts';

/** A time-sortable unique id: 9 base-36 chars of epoch ms, then 12 random ones (62 bits). */
export function newId(now: number): string {
  const random = drawRandom(8);
  // Two 31-bit numbers, six base-36 characters each (36^6 > 2^31).
  const high = random.readUInt32BE(0) >>> 1;
  const low = random.readUInt32BE(4) >>> 1;
  return now.toString(36).padStart(9, '0') + high.toString(36).padStart(6, '0') + low.toString(36).padStart(6, '0');
}

/** A secret for a link (192 random bits, URL-safe) and the hash under which it is stored. */
export function newLinkToken(): { token: string; hash: string } {
  const token = randomBytes(24).toString('base64url');
  return { token, hash: linkTokenHash(token) };
}

/** What is stored of a link's token: a leaked table gives no working link. */
export const linkTokenHash = (token: string) => createHash('sha256').update(token).digest('hex');
