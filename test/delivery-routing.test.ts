import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { putBranch } from '../db/branches.ts';
import { putChannel } from '../db/channels.ts';
import { DELIVERY_ID_MAX, recordDelivery } from '../db/deliveries.ts';
import { putMember } from '../db/members.ts';
import { putOrg } from '../db/orgs.ts';
import { enqueueDelivery } from '../jobs/outbound.ts';
import { startWorkers } from '../jobs/workers.ts';
import type { Target } from '../src/domain/outbound.ts';
import { type TestApp, startTestApp } from './helpers/app.ts';
import { DIALECTS, memberRow } from './helpers/db.ts';
import { eventually } from './helpers/eventually.ts';
import { type FakePlatform, startFakePlatform } from './helpers/fake-platform.ts';

// A group push goes only through the robot bound to that chat: never another chat's,
// never the channel's; a robot's limit is counted per robot, whichever chats share it; delivery
// ids fit their column or are refused, never cut.

const AES = 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG';
const OWN: Target = { kind: 'chat', channelId: 'wb1', chatId: 'chat-b1' };
const BOUND: Target = { kind: 'chat', channelId: 'wb1', chatId: 'chat-b2' };
const SHARED_A: Target = { kind: 'chat', channelId: 'wb1', chatId: 'chat-s1' };
const SHARED_B: Target = { kind: 'chat', channelId: 'wb1', chatId: 'chat-s2' };
const WINDOW_MS = 3_000;
const LIMIT = 5;

describe.each(DIALECTS)('delivery routing on %s', (dialect) => {
  let fake: FakePlatform;
  let t: TestApp;
  let workers: { close(): Promise<void> };
  const pushes = () => fake.requests.filter((r) => r.path === '/cgi-bin/webhook/send');
  const enqueue = (id: string, target: Target, mentions?: string[]) =>
    enqueueDelivery(
      t.db,
      t.queues.outbound,
      { id, orgId: 'org1', target, message: { title: id, markdown: `内容 ${id}`, ...(mentions ? { mentions } : {}) } },
      Date.now(),
    );

  beforeAll(async () => {
    fake = await startFakePlatform();
    t = await startTestApp(dialect, { now: Date.now(), env: { WECOM_API_BASE: fake.url } });
    const now = Date.now();
    await putOrg(t.db, { id: 'org1', name: '机关工委', timezone: 'Asia/Shanghai', digest_cron: null }, now);
    await putChannel(t.db, 'org1', 'wb1', { platform: 'wecom-bot', token: 'tok', encodingAESKey: AES, webhookKey: 'channel-key' }, now);
    await putBranch(t.db, 'org1', 'b1', '第一党支部', [{ channel_id: 'wb1', chat_id: 'chat-b1', webhook: 'key-b1', secret: null }], now);
    // As 绑定 binds a group: no robot key of its own.
    await putBranch(t.db, 'org1', 'b2', '第二党支部', [{ channel_id: 'wb1', chat_id: 'chat-b2', webhook: null, secret: null }], now);
    const shared = [
      { channel_id: 'wb1', chat_id: 'chat-s1', webhook: 'key-shared', secret: null },
      { channel_id: 'wb1', chat_id: 'chat-s2', webhook: 'key-shared', secret: null },
    ];
    await putBranch(t.db, 'org1', 'b3', '第三党支部', shared, now);
    await putMember(t.db, memberRow({ id: 'w2', branch_id: 'b2', name: '王二', accounts: { wecom: 'wang2' } }), now);
    workers = await startWorkers({ ...t }, { outbound: { rate: { limit: LIMIT, windowMs: WINDOW_MS }, rateLimitedDelayMs: 1_000 } });
  });
  afterAll(async () => {
    await workers.close();
    await t.close();
    await fake.close();
  });
  afterEach(() => fake.clear());

  it("pushes to a chat without a robot of its own go nowhere, and admins see why; a chat's own robot is used", async () => {
    await enqueue('route-b2', BOUND, ['w2']);
    await enqueue('route-b1', OWN);
    await fake.waitFor((r) => r.path === '/cgi-bin/webhook/send', 10_000, 1);
    await eventually(async () => {
      const row = await t.db.selectFrom('deliveries').selectAll().where('id', '=', 'route-b2').executeTakeFirstOrThrow();
      expect(row.state).toBe('failed');
    }, 10_000);
    await new Promise((r) => setTimeout(r, 500));
    expect(pushes().map((r) => r.query.key)).toEqual(['key-b1']);
    expect(JSON.stringify(fake.requests)).not.toContain('wang2');
    const health = (await (await t.admin('GET', '/admin/health')).json()) as {
      failedDeliveries: { id: string; chat?: string; error: string }[];
    };
    expect(health.failedDeliveries).toEqual([
      { id: 'route-b2', chat: 'chat-b2', error: expect.stringContaining('has no group robot of its own'), at: expect.any(Number) },
    ]);
  });

  it('counts the limit per robot: two chats sharing one robot key share its 5 a window', async () => {
    const ids = Array.from({ length: 12 }, (_, i) => `shared-${i}`);
    for (const [i, id] of ids.entries()) await enqueue(id, i % 2 ? SHARED_B : SHARED_A);
    await eventually(async () => {
      const rows = await t.db.selectFrom('deliveries').select('state').where('id', 'like', 'shared-%').execute();
      expect(rows.every((r) => r.state === 'sent' || r.state === 'merged')).toBe(true);
    }, 10_000);
    const times = pushes()
      .filter((r) => r.query.key === 'key-shared')
      .map((r) => r.at)
      .sort((a, b) => a - b);
    for (const [i, at] of times.entries()) {
      expect(times.filter((other) => other >= at && other < at + WINDOW_MS).length, `sends from #${i}`).toBeLessThanOrEqual(LIMIT);
    }
    const delivered = pushes()
      .filter((r) => r.query.key === 'key-shared')
      .map((r) => (r.body as { markdown: { content: string } }).markdown.content)
      .join('\n');
    for (const id of ids) expect(delivered).toContain(`内容 ${id}`);
  }, 30_000);

  it('refuses a delivery id over the column instead of cutting it, and records an id once', async () => {
    const long = `x${'y'.repeat(DELIVERY_ID_MAX)}`;
    const message = { title: 't', markdown: 'm' };
    await expect(recordDelivery(t.db, { id: long, orgId: 'org1', target: OWN, message }, Date.now())).rejects.toThrow(/over 64 characters/);
    expect(await t.db.selectFrom('deliveries').select('id').where('id', 'like', 'xyyy%').execute()).toEqual([]);
    const exact = 'z'.repeat(DELIVERY_ID_MAX);
    expect(await recordDelivery(t.db, { id: exact, orgId: 'org1', target: OWN, message }, Date.now())).toBe(true);
    expect(await recordDelivery(t.db, { id: exact, orgId: 'org1', target: OWN, message }, Date.now())).toBe(false);
    const rows = await t.db.selectFrom('deliveries').select('id').where('id', '=', exact).execute();
    expect(rows.map((r) => r.id)).toEqual([exact]);
  });
});
