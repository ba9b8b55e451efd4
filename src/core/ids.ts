import { randomBytes } from 'node:crypto';

/** A time-sortable unique id: 9 base-36 chars of epoch ms, then 12 random ones (≈62 bits). */
export function newId(now: number): string {
  const random = BigInt(`0x${randomBytes(8).toString('hex')}`)
    .toString(36)
    .padStart(13, '0')
    .slice(-12);
  return now.toString(36).padStart(9, '0') + random;
}
