import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QUEUE_NAMES, type Queues, createQueues } from '../jobs/queues.ts';
import { createLogger } from '../src/core/logger.ts';

/** A port nothing listens on: taken from the OS, then let go. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('queues while Redis is unreachable', () => {
  const text: string[] = [];
  let queues: Queues;
  let errors = 0;

  beforeAll(async () => {
    const logger = createLogger('info', { write: (s: string) => void text.push(s) });
    queues = createQueues(`redis://127.0.0.1:${await closedPort()}`, 'tongxin-test-down', logger);
    queues.reminders.on('error', () => errors++);
    await new Promise((resolve) => setTimeout(resolve, 2_200));
  });

  afterAll(async () => {
    await queues?.close();
  });

  it('log one warn line per queue, naming it and the error, without a stack', () => {
    // BullMQ retries about once a second: the queue did error more than once.
    expect(errors).toBeGreaterThanOrEqual(2);
    const lines = text.map((s) => JSON.parse(s) as { level: number; queue: string; code: string; msg: string });
    expect(lines.map((l) => l.queue).sort()).toEqual([...QUEUE_NAMES].sort());
    for (const line of lines) {
      expect(line.level).toBe(40);
      expect(line.code).toBe('ECONNREFUSED');
      expect(line.msg).toMatch(new RegExp(`^queue ${line.queue}: connect ECONNREFUSED`));
    }
    expect(text.join('')).not.toMatch(/\n\s+at |"stack"/);
  });
});
