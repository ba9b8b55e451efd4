import { createHash, randomBytes, randomFillSync } from 'node:crypto';

/** Random bytes drawn ahead, 8 per id: a call to the generator per id cost more than the rest of newId. */
const pool = Buffer.alloc(4096);
let used = pool.length;

/** A time-sortable unique id: 9 base-36 chars of epoch ms, then 12 random ones (62 bits). */
export function newId(now: number): string {
  if (used + 8 > pool.length) {
    randomFillSync(pool);
    used = 0;
  }
  // Two 31-bit numbers, six base-36 characters each (36^6 > 2^31).
  const high = pool.readUInt32BE(used) >>> 1;
  const low = pool.readUInt32BE(used + 4) >>> 1;
  used += 8;
  return now.toString(36).padStart(9, '0') + high.toString(36).padStart(6, '0') + low.toString(36).padStart(6, '0');
}

/** A secret for a link (192 random bits, URL-safe) and the hash under which it is stored. */
export function newLinkToken(): { token: string; hash: string } {
  const token = randomBytes(24).toString('base64url');
  return { token, hash: linkTokenHash(token) };
}

/** What is stored of a link's token: a leaked table gives no working link. */
export const linkTokenHash = (token: string) => createHash('sha256').update(token).digest('hex');
