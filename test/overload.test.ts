import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RETRY } from '../src/chat/message.ts';
import { type TestApp, startTestApp } from './helpers/app.ts';
import { seedBranches } from './helpers/branches.ts';
import { DIALECTS, countOf } from './helpers/db.ts';
import { DT_SECRET, dingtalkCallback, signedHeaders } from './helpers/dingtalk.ts';

// Past capacity: with MAX_IN_FLIGHT messages in hand a callback is answered 503 at once
// and stores nothing; the platform's retry is then stored once. A message delivered several times
// at once (a platform's retry racing the first delivery) is stored once, and every delivery gets
// the same answer.

const NOW = Date.UTC(2026, 10, 28, 2, 0, 0);
const IN_FLIGHT = 2;

describe.each(DIALECTS)('overload on %s', (dialect) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(dialect, { now: NOW, env: { MAX_IN_FLIGHT: String(IN_FLIGHT) } });
    await seedBranches(t.db, { branches: 1, robot: 'overload-robot-', appSecret: DT_SECRET, members: 30 });
  });
  afterAll(() => t.close());

  const post = (body: string) => t.app.request('/webhooks/dingtalk/dt1', { method: 'POST', headers: signedHeaders(t.clock.now()), body });
  const report = (m: number) =>
    JSON.stringify(dingtalkCallback(`汇报 企业 第${m}次走访园区企业`, { senderStaffId: `dm0-${m}`, conversationId: 'cid-0' }));

  it('answers 503 past MAX_IN_FLIGHT, storing nothing, and stores each retried message once', async () => {
    const bodies = Array.from({ length: 30 }, (_, m) => report(m));
    const first = await Promise.all(bodies.map(post));
    const statuses = first.map((r) => r.status);
    const shed = bodies.filter((_, i) => statuses[i] === 503);
    expect(shed.length).toBeGreaterThanOrEqual(30 - IN_FLIGHT);
    expect(statuses.filter((s) => s === 200)).toHaveLength(30 - shed.length);
    for (const [i, res] of first.entries()) if (statuses[i] === 503) expect(await res.json()).toEqual(RETRY);
    expect(await countOf(t.db, 'service_reports')).toBe(30 - shed.length);

    // The platform retries, one at a time as its backoff spreads them.
    for (const body of shed) expect((await post(body)).status).toBe(200);
    expect(await countOf(t.db, 'service_reports')).toBe(30);
    expect(await countOf(t.db, 'inbound_events')).toBe(30);
  });

  it('stores a message delivered twice at once once, with one answer for both', async () => {
    const before = await countOf(t.db, 'service_reports');
    const body = report(0);
    const answers = await Promise.all([post(body), post(body)]);
    expect(answers.map((a) => a.status)).toEqual([200, 200]);
    const [a, b] = await Promise.all(answers.map((r) => r.json()));
    expect(a).toEqual(b);
    expect(JSON.stringify(a)).toContain('党员0-0');
    expect(await countOf(t.db, 'service_reports')).toBe(before + 1);
  });
});
