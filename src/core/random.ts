import { randomBytes, randomFillSync } from 'node:crypto';

// Random bytes drawn ahead, from the same generator: a call to it for a few bytes cost more than
// what a message did with them (8 for an id; 16 for each WeCom reply's envelope, 5% of the CPU of
// a WeCom 汇报 under load).

const pool = Buffer.alloc(4096);
let used = pool.length;

/** `n` random bytes, never handed out before. */
export function drawRandom(n: number): Buffer {
  if (n > pool.length) return randomBytes(n);
  if (used + n > pool.length) {
    randomFillSync(pool);
    used = 0;
  }
  // A copy: the pool is filled again in place.
  const bytes = Buffer.from(pool.subarray(used, used + n));
  used += n;
  return bytes;
}
