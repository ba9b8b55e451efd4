import { describe, expect, it } from 'vitest';
import { drawRandom } from '../src/core/random.ts';
import { openEnvelope, sealEnvelope } from '../src/platforms/wecom/crypto.ts';

// Random bytes drawn ahead (src/core/random.ts) for ids; WeCom's envelopes draw their own.

describe('random bytes drawn ahead', () => {
  it('are never handed out twice, across the pool’s refills, and stay as handed out', () => {
    const first = drawRandom(16);
    const kept = Buffer.from(first);
    // 1,000 draws of 16 bytes: the 4 KiB pool is filled again three times.
    const seen = new Set([first.toString('hex')]);
    for (let i = 0; i < 1000; i++) seen.add(drawRandom(16).toString('hex'));
    expect(seen.size).toBe(1001);
    expect(first).toEqual(kept);
    expect(drawRandom(4096)).toHaveLength(4096);
    expect(drawRandom(5000)).toHaveLength(5000);
  });

  it('give each WeCom reply its own envelope, which opens to the message', () => {
    const secrets = { token: 'token', encodingAESKey: 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG' };
    const [a, b] = [1, 2].map(() => sealEnvelope(secrets, '已记录。', '', '1700000000', 'nonce'));
    expect(a!.encrypt).not.toBe(b!.encrypt);
    for (const sealed of [a!, b!]) expect(openEnvelope(secrets.encodingAESKey, sealed.encrypt, '')).toBe('已记录。');
  });
});
