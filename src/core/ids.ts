import { createHash, randomBytes } from 'node:crypto';

/** A time-sortable unique id: 9 base-36 chars of epoch ms, then 12 random ones (≈62 bits). */
export function newId(now: number): string {
  const random = BigInt(`0x${randomBytes(8).toString('hex')}`)
    .toString(36)
    .padStart(13, '0')
    .slice(-12);
  return now.toString(36).padStart(9, '0') + random;
}

/** A secret for a link (192 random bits, URL-safe) and the hash under which it is stored. */
export function newLinkToken(): { token: string; hash: string } {
  const token = randomBytes(24).toString('base64url');
  return { token, hash: linkTokenHash(token) };
}

/** What is stored of a link's token: a leaked table gives no working link. */
export const linkTokenHash = (token: string) => createHash('sha256').update(token).digest('hex');
