import { randomBytes, randomFillSync } from 'node:crypto';

// Random bytes for ids, drawn ahead from the same generator: a call to it for 8 bytes costs about
// 3 µs, a draw from the pool 0.2 µs. Secrets and envelopes take theirs from the generator itself.

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
