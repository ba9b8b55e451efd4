import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { putOrg } from '../db/orgs.ts';
import { putChannel } from '../db/channels.ts';
import { putBranch } from '../db/branches.ts';
import { putMember } from '../db/members.ts';
import type { Database } from '../db/schema.ts';
import type { Kysely } from 'kysely';
import { DIALECTS, countRows } from './helpers/db.ts';
import { type TestApp, startTestApp } from './helpers/app.ts';
import { DT_SECRET, dingtalkCallback, signedHeaders } from './helpers/dingtalk.ts';

const NOW = Date.UTC(2026, 10, 28, 2, 0, 0);

async function seed(db: Kysely<Database>, appSecret = DT_SECRET) {
  await putOrg(db, { id: 'org1', name: '某市机关工委', timezone: 'Asia/Shanghai', digest_cron: null }, NOW);
  await putChannel(db, 'org1', 'dt1', { platform: 'dingtalk', appKey: 'ding-key', appSecret, robotCode: 'ding-robot' }, NOW);
  await putBranch(db, 'org1', 'b1', '第一党支部', [{ channel_id: 'dt1', chat_id: 'cidGroupA==', webhook: null, secret: null }], NOW);
  const base = { org_id: 'org1', branch_id: 'b1', party_group: null, probationary: false, mobile: null, accounts: {} };
  await putMember(db, { ...base, id: 'm1', name: '张三', role: 'member', accounts: { dingtalk: 'zhangsan' } }, NOW);
  await putMember(db, { ...base, id: 'm0', name: '李书记', role: 'secretary', accounts: { dingtalk: 'lisj' } }, NOW);
}

function post(t: TestApp, body: unknown, headers: Record<string, string> = signedHeaders(t.clock.now()), channel = 'dt1') {
  return t.app.request(`/webhooks/dingtalk/${channel}`, {
    method: 'POST',
    headers,
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

describe.each(DIALECTS)('DingTalk webhook on %s', (dialect) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(dialect, { now: NOW });
    await seed(t.db);
  });
  afterAll(() => t.close());

  it('stores a 汇报 once and answers the same markdown to every retry', async () => {
    const text = '走访某公司，协调解决用电难题';
    const callback = dingtalkCallback(`@党建助手 汇报 企业 ${text}`);
    const replies = [];
    for (let i = 0; i < 4; i++) {
      const res = await post(t, callback);
      expect(res.status).toBe(200);
      replies.push(await res.json());
    }
    const first = replies[0] as { msgtype: string; markdown: { title: string; text: string } };
    expect(first.msgtype).toBe('markdown');
    expect(first.markdown.text).toContain('张三');
    expect(first.markdown.text).toContain('服务企业');
    for (const r of replies) expect(r).toEqual(first);
    const rows = await t.db.selectFrom('service_reports').selectAll().where('source', '=', callback.msgId).execute();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ member_id: 'm1', branch_id: 'b1', category: 'enterprise', text, tags: '[]', at: NOW });
  });

  it('answers a retry read after its time has passed with the stored reply, not a refusal', async () => {
    const callback = dingtalkCallback('安排 支委会 今天12:00 议题 研究重试', { senderStaffId: 'lisj' });
    const first = await post(t, callback);
    expect(first.status).toBe(200);
    const answer = await first.json();
    expect(JSON.stringify(answer)).toContain('研究重试');
    // The platform's retry comes after the meeting's time: read afresh, 今天12:00 is past.
    t.clock.advance(3 * 3_600_000);
    try {
      const retry = await post(t, callback);
      expect(retry.status).toBe(200);
      expect(await retry.json()).toEqual(answer);
      expect(await t.db.selectFrom('meetings').select('id').where('topic', '=', '研究重试').execute()).toHaveLength(1);
    } finally {
      t.clock.set(NOW);
    }
  });

  it('accepts full-width separators and keeps the report text exactly as written', async () => {
    const callback = dingtalkCallback('汇报：服务群众　为社区老人代办社保认证，  共 3 户 #同部署 ＃同讲评');
    const res = await post(t, callback);
    expect(res.status).toBe(200);
    const row = await t.db.selectFrom('service_reports').selectAll().where('source', '=', callback.msgId).executeTakeFirstOrThrow();
    expect(row.category).toBe('public');
    expect(row.text).toBe('为社区老人代办社保认证，  共 3 户');
    expect(JSON.parse(row.tags)).toEqual(['deploy', 'review']);
  });

  it('stores SQL-looking text verbatim and the tables survive', async () => {
    const text = "'); DROP TABLE members;--";
    const callback = dingtalkCallback(`汇报 项目 ${text}`);
    expect((await post(t, callback)).status).toBe(200);
    const row = await t.db.selectFrom('service_reports').select('text').where('source', '=', callback.msgId).executeTakeFirstOrThrow();
    expect(row.text).toBe(text);
    expect((await t.db.selectFrom('members').selectAll().execute()).length).toBe(2);
  });

  describe('refuses bad input and stores nothing', () => {
    let before: Record<string, number>;
    beforeAll(async () => {
      before = await countRows(t.db);
    });
    afterAll(async () => {
      expect(await countRows(t.db)).toEqual(before);
    });

    it('wrong sign → 401', async () => {
      const headers = { ...signedHeaders(NOW), sign: signedHeaders(NOW, 'another-secret').sign! };
      expect((await post(t, dingtalkCallback('汇报 企业 走访某公司，协调解决用电难题'), headers)).status).toBe(401);
    });

    it('missing sign headers → 401', async () => {
      expect((await post(t, dingtalkCallback('帮助'), { 'content-type': 'application/json' })).status).toBe(401);
    });

    it('stale or future timestamp → 401', async () => {
      const body = dingtalkCallback('汇报 企业 走访某公司，协调解决用电难题');
      expect((await post(t, body, signedHeaders(NOW - 3_601_000))).status).toBe(401);
      expect((await post(t, body, signedHeaders(NOW + 3_601_000))).status).toBe(401);
    });

    it('body over 64 KiB → 413, with Content-Length and chunked', async () => {
      const big = JSON.stringify(dingtalkCallback(`汇报 企业 ${'长'.repeat(30_000)}`));
      expect(Buffer.byteLength(big)).toBeGreaterThan(65_536);
      const sized = await post(t, big, { ...signedHeaders(NOW), 'content-length': String(Buffer.byteLength(big)) });
      expect(sized.status).toBe(413);
      const bytes = new TextEncoder().encode(big);
      const stream = new ReadableStream<Uint8Array>({
        start(controller) {
          for (let i = 0; i < bytes.length; i += 8192) controller.enqueue(bytes.slice(i, i + 8192));
          controller.close();
        },
      });
      const chunked = await t.app.request('/webhooks/dingtalk/dt1', {
        method: 'POST',
        headers: signedHeaders(NOW),
        body: stream,
        duplex: 'half',
      } as RequestInit);
      expect(chunked.status).toBe(413);
    });

    it('non-JSON or not a callback → 400', async () => {
      expect((await post(t, '{not json')).status).toBe(400);
      expect((await post(t, { hello: 'world' })).status).toBe(400);
    });

    it('unknown channel → 404', async () => {
      expect((await post(t, dingtalkCallback('帮助'), signedHeaders(NOW), 'nope')).status).toBe(404);
    });

    it('unknown category → a Chinese reason and the usage', async () => {
      const res = await post(t, dingtalkCallback('汇报 未知类别 走访某公司，协调解决用电难题'));
      expect(res.status).toBe(200);
      const { markdown } = (await res.json()) as { markdown: { text: string } };
      expect(markdown.text).toContain('未知的服务类别「未知类别」');
      expect(markdown.text).toContain('用法：汇报 类别 内容');
    });

    it('text too short or too long → its own message', async () => {
      const short = (await (await post(t, dingtalkCallback('汇报 企业 走访'))).json()) as { markdown: { text: string } };
      expect(short.markdown.text).toContain('太短');
      const long = (await (await post(t, dingtalkCallback(`汇报 企业 ${'长'.repeat(501)}`))).json()) as { markdown: { text: string } };
      expect(long.markdown.text).toContain('太长');
    });

    it('a sender not in the roster is told to ask the branch secretary', async () => {
      const res = await post(t, dingtalkCallback('汇报 企业 走访某公司，协调解决用电难题', { senderStaffId: 'stranger' }));
      const { markdown } = (await res.json()) as { markdown: { text: string } };
      expect(markdown.text).toContain('请联系支部书记');
    });

    it('a group message that is not a command is answered with what was not understood (it @-mentioned the bot)', async () => {
      const res = await post(t, dingtalkCallback('大家下午好'));
      const { markdown } = (await res.json()) as { markdown: { text: string } };
      expect(markdown.text).toBe('没有看懂「大家下午好」。发送「帮助」查看用法。');
    });
  });

  it('answers a one-to-one message that is not a command in one line, suggesting a close command word', async () => {
    const res = await post(t, dingtalkCallback('签道', { conversationType: '1', senderStaffId: 'zhangsan' }));
    const { markdown } = (await res.json()) as { markdown: { text: string } };
    expect(markdown.text).toBe('没有看懂「签道」。是想发送「签到」吗？发送「帮助」查看用法。');
  });
});

describe.each(DIALECTS)('DingTalk signature on %s', (dialect) => {
  // The vector from DingTalk's documentation.
  const TS = 1577262236757;
  const SIGN = 'DJrE6qdyVGCQz9z5r2MDuNcNAhwYnuAkyj13cx169CA=';
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(dialect, { now: TS });
    await seed(t.db, 'this is a secret');
  });
  afterAll(() => t.close());

  const send = () => post(t, dingtalkCallback('帮助'), { 'content-type': 'application/json', timestamp: String(TS), sign: SIGN });

  it('accepts exactly the documented pair at its own time', async () => {
    expect((await send()).status).toBe(200);
  });

  it('refuses it one hour and one second later', async () => {
    t.clock.set(TS + 3_601_000);
    expect((await send()).status).toBe(401);
  });
});

describe.each(DIALECTS)('DingTalk webhook when the database fails, on %s', (dialect) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(dialect, { now: NOW });
    await seed(t.db);
  });
  afterAll(() => t.close());

  it('answers 503 so that the platform retries, and keeps nothing half-done', async () => {
    // The report insert fails after the message id was claimed: the claim must roll back with it,
    // or the platform's retry would be taken for a duplicate and the report lost.
    await sql`drop table service_reports`.execute(t.db);
    const res = await post(t, dingtalkCallback('汇报 企业 走访某公司，协调解决用电难题'));
    expect(res.status).toBe(503);
    expect(await t.db.selectFrom('inbound_events').selectAll().execute()).toHaveLength(0);
  });
});
