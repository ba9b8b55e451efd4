import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { putOrg } from '../db/orgs.ts';
import { putChannel } from '../db/channels.ts';
import { putBranch } from '../db/branches.ts';
import { enqueueDelivery } from '../jobs/outbound.ts';
import { startWorkers } from '../jobs/workers.ts';
import type { Target } from '../src/domain/outbound.ts';
import { DIALECTS } from './helpers/db.ts';
import { type TestApp, startTestApp } from './helpers/app.ts';
import { eventually } from './helpers/eventually.ts';
import { type FakePlatform, type RecordedRequest, startFakePlatform } from './helpers/fake-platform.ts';

// The outbound queue against a fake DingTalk custom robot: a robot's
// limit is never exceeded, nothing is lost, queued messages merge, a 130101 answer delays.

const WINDOW_MS = 3_000;
const LIMIT = 20;
const CHAT: Target = { kind: 'chat', channelId: 'dt1', chatId: 'cidA' };
type Body = { markdown: { title: string; text: string }; msgUuid?: string };
const text = (r: RecordedRequest) => (r.body as Body).markdown.text;

/** The most requests inside any window of `ms` (a sliding window over arrival times). */
function busiestWindow(times: number[], ms: number): number {
  const sorted = [...times].sort((a, b) => a - b);
  let most = 0;
  for (let i = 0, j = 0; j < sorted.length; j++) {
    while (sorted[j]! - sorted[i]! >= ms) i++;
    most = Math.max(most, j - i + 1);
  }
  return most;
}

describe.each(DIALECTS)('outbound delivery on %s', (dialect) => {
  let fake: FakePlatform;
  let t: TestApp;
  let workers: { close(): Promise<void> };
  const sends = () => fake.requests.filter((r) => r.path === '/robot/send');
  const enqueue = (id: string, markdown: string) =>
    enqueueDelivery(t.db, t.queues.outbound, { id, orgId: 'org1', target: CHAT, message: { title: id, markdown } }, Date.now());

  beforeAll(async () => {
    fake = await startFakePlatform();
    t = await startTestApp(dialect, { now: Date.now(), env: { DINGTALK_OAPI_BASE: fake.url, DINGTALK_API_BASE: fake.url } });
    const now = Date.now();
    await putOrg(t.db, { id: 'org1', name: '机关工委', timezone: 'Asia/Shanghai', digest_cron: null }, now);
    await putChannel(t.db, 'org1', 'dt1', { platform: 'dingtalk', appKey: 'k', appSecret: 's', robotCode: 'r' }, now);
    await putBranch(
      t.db,
      'org1',
      'b1',
      '第一党支部',
      [{ channel_id: 'dt1', chat_id: 'cidA', webhook: 'robot-token', secret: 'SECabc' }],
      now,
    );
    workers = await startWorkers({ ...t }, { outbound: { rate: { limit: LIMIT, windowMs: WINDOW_MS }, rateLimitedDelayMs: 1_000 } });
  });
  afterAll(async () => {
    await workers.close();
    await t.close();
    await fake.close();
  });
  afterEach(() => fake.clear());

  it('60 messages to one robot within a second: never over 20 per window, none lost', async () => {
    // Each message alone is near the merge limit, so that the robot's limit, not merging, is tested.
    const filler = '党'.repeat(1_100);
    await Promise.all(Array.from({ length: 60 }, (_, i) => enqueue(`burst-${i}`, `第${i}条 ${filler}`)));
    const got = await fake.waitFor((r) => r.path === '/robot/send', 30_000, 60);
    expect(
      busiestWindow(
        got.map((r) => r.at),
        WINDOW_MS,
      ),
    ).toBeLessThanOrEqual(LIMIT);
    const numbers = got.map((r) => Number(/^第(\d+)条/.exec(text(r))![1]));
    expect([...numbers].sort((a, b) => a - b)).toEqual(Array.from({ length: 60 }, (_, i) => i));
    // Signed custom-robot URL and an idempotency key per delivery.
    expect(got[0]!.query).toMatchObject({ access_token: 'robot-token' });
    expect(got[0]!.query.sign).toBeTruthy();
    expect(new Set(got.map((r) => (r.body as Body).msgUuid)).size).toBe(60);
    // The row is marked after the platform answered: give the last ones a moment.
    await eventually(async () => {
      const states = await t.db.selectFrom('deliveries').select('state').where('id', 'like', 'burst-%').execute();
      expect(states.map((s) => s.state)).toEqual(Array(60).fill('sent'));
    });
  }, 40_000);

  it('merges messages queued for one robot into fewer sends, losing none', async () => {
    // Fill the robot's window first, so that the next messages queue up behind its limit.
    await Promise.all(Array.from({ length: LIMIT }, (_, i) => enqueue(`fill-${i}`, `占位${i} ${'党'.repeat(1_100)}`)));
    await fake.waitFor((r) => r.path === '/robot/send', 10_000, LIMIT);
    await Promise.all(Array.from({ length: 30 }, (_, i) => enqueue(`small-${i}`, `短消息${i}号`)));
    await fake.waitFor((r) => r.path === '/robot/send' && text(r).includes('短消息'), 20_000, 1);
    await new Promise((r) => setTimeout(r, WINDOW_MS + 1_000));
    const merged = sends().filter((r) => text(r).includes('短消息'));
    expect(merged.length).toBeLessThan(30);
    const seen = merged.flatMap((r) => [...text(r).matchAll(/短消息(\d+)号/g)].map((m) => Number(m[1])));
    expect([...seen].sort((a, b) => a - b)).toEqual(Array.from({ length: 30 }, (_, i) => i));
    const rows = await t.db.selectFrom('deliveries').select(['state']).where('id', 'like', 'small-%').execute();
    expect(rows.filter((r) => r.state === 'merged').length).toBe(30 - merged.length);
  }, 40_000);

  it('never merges private messages (each part of a split digest goes alone)', async () => {
    await t.db
      .insertInto('members')
      .values({
        org_id: 'org1',
        id: 'sec',
        branch_id: 'b1',
        name: '李书记',
        role: 'secretary',
        party_group: null,
        probationary: 0,
        mobile: null,
        status: 'active',
        left_at: null,
        left_reason: null,
        org_admin: 0,
        created_at: 0,
        updated_at: 0,
      })
      .execute();
    await t.db
      .insertInto('member_accounts')
      .values({ org_id: 'org1', member_id: 'sec', platform: 'dingtalk', user_id: 'dt-sec' })
      .execute();
    const target: Target = { kind: 'member', channelId: 'dt1', memberId: 'sec' };
    await Promise.all(
      [1, 2, 3].map((i) =>
        enqueueDelivery(
          t.db,
          t.queues.outbound,
          { id: `part-${i}`, orgId: 'org1', target, message: { title: `周报（${i}/3）`, markdown: `第${i}部分` } },
          Date.now(),
        ),
      ),
    );
    const got = await fake.waitFor((r) => r.path === '/v1.0/robot/oToMessages/batchSend', 10_000, 3);
    const parts = got.map((r) => (JSON.parse((r.body as { msgParam: string }).msgParam) as { text: string }).text).sort();
    expect(parts).toEqual(['第1部分', '第2部分', '第3部分']);
    expect(got.every((r) => JSON.stringify((r.body as { userIds: string[] }).userIds) === '["dt-sec"]')).toBe(true);
  });

  it('a 130101 answer delays the message, which then arrives once', async () => {
    await new Promise((r) => setTimeout(r, WINDOW_MS));
    fake.enqueue('POST', '/robot/send', { json: { errcode: 130101, errmsg: 'send too fast' } });
    const queuedAt = Date.now();
    await enqueue('slow-1', '这条消息第一次被限流');
    const got = await fake.waitFor((r) => r.path === '/robot/send' && text(r).includes('第一次被限流'), 10_000, 2);
    expect(got[1]!.at - got[0]!.at).toBeGreaterThanOrEqual(900);
    await new Promise((r) => setTimeout(r, 1_500));
    expect(sends().filter((r) => text(r).includes('第一次被限流'))).toHaveLength(2);
    await eventually(async () => {
      const row = await t.db.selectFrom('deliveries').selectAll().where('id', '=', 'slow-1').executeTakeFirstOrThrow();
      expect(row).toMatchObject({ state: 'sent', attempts: 1 });
    });
    expect(got[0]!.at).toBeGreaterThanOrEqual(queuedAt);
  }, 20_000);

  it('a permanent error fails at once and is recorded', async () => {
    fake.enqueue('POST', '/robot/send', { json: { errcode: 310000, errmsg: 'keywords not in content' } });
    await enqueue('bad-1', '这条消息会被拒绝');
    await fake.waitFor((r) => r.path === '/robot/send' && text(r).includes('会被拒绝'), 10_000, 1);
    await eventually(async () => {
      const row = await t.db.selectFrom('deliveries').selectAll().where('id', '=', 'bad-1').executeTakeFirstOrThrow();
      expect(row).toMatchObject({ state: 'failed', attempts: 1 });
      expect(row.last_error).toContain('310000');
    });
    expect(sends().filter((r) => text(r).includes('会被拒绝'))).toHaveLength(1);
    const health = (await (await t.admin('GET', '/admin/health')).json()) as { failedDeliveries: { id: string; error: string }[] };
    expect(health.failedDeliveries).toEqual([
      { id: 'bad-1', chat: CHAT.chatId, error: expect.stringContaining('310000'), at: expect.any(Number) },
    ]);
    // Without the token only the parts' state, even with ?details.
    expect(await (await t.app.request('/healthz?details')).json()).toEqual({ db: 'ok', redis: 'ok' });
    expect((await t.app.request('/admin/health')).status).toBe(401);
  });
});
