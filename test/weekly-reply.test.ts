import type { Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { putBranch } from '../db/branches.ts';
import { putChannel } from '../db/channels.ts';
import { putMember } from '../db/members.ts';
import { putOrg } from '../db/orgs.ts';
import type { Database } from '../db/schema.ts';
import { startWorkers } from '../jobs/workers.ts';
import { type TestApp, startTestApp } from './helpers/app.ts';
import { viaWecomBot } from './helpers/chat.ts';
import { DIALECTS, memberRow } from './helpers/db.ts';
import { type FakePlatform, startFakePlatform } from './helpers/fake-platform.ts';
import { SAMPLE } from './helpers/wecom.ts';

// A 周报 too long for one reply, asked one-to-one through the WeCom AI bot, which cannot push:
// the rest goes through the org's self-built app, which can; with no such channel, the reply says
// so instead of queueing messages that must fail.

const BOT = { token: 'botToken123', encodingAESKey: 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG' };
const MEMBERS = 200;

async function seed(db: Kysely<Database>, org: string, withApp: boolean) {
  const now = Date.now();
  await putOrg(db, { id: org, name: '机关工委', timezone: 'Asia/Shanghai', digest_cron: null }, now);
  await putChannel(db, org, `wb-${org}`, { platform: 'wecom-bot', ...BOT }, now);
  if (withApp) await putChannel(db, org, `wa-${org}`, { platform: 'wecom-app', agentId: '218', secret: 'app-secret', ...SAMPLE }, now);
  await putBranch(db, org, 'b1', '第一党支部', [], now);
  const member = { org_id: org, branch_id: 'b1' };
  await putMember(db, memberRow({ ...member, id: 'sec', name: '李书记', role: 'secretary', accounts: { wecom: `sec-${org}` } }), now);
  // Members with no report in four weeks are listed by name: enough of them make the digest long.
  for (let i = 0; i < MEMBERS; i++) await putMember(db, memberRow({ ...member, id: `m${i}`, name: `同志${i}号` }), now);
}

describe.each(DIALECTS)('a long 周报 through the WeCom AI bot on %s', (dialect) => {
  let fake: FakePlatform;
  let t: TestApp;
  let workers: { close(): Promise<void> };

  beforeAll(async () => {
    fake = await startFakePlatform();
    t = await startTestApp(dialect, { now: Date.now(), env: { WECOM_API_BASE: fake.url } });
    await seed(t.db, 'org1', true);
    await seed(t.db, 'org2', false);
    workers = await startWorkers({ ...t });
  });
  afterAll(async () => {
    await workers.close();
    await t.close();
    await fake.close();
  });

  it('continues privately through the self-built app, in parts that fit an app message', async () => {
    const reply = await viaWecomBot(t, 'wb-org1', BOT, 'sec-org1', '周报', { direct: true });
    expect(reply).toContain('## 第一党支部五同周报');
    expect(Buffer.byteLength(reply)).toBeLessThanOrEqual(2048);
    const sent = await fake.waitFor((r) => r.path === '/cgi-bin/message/send', 15_000, 1);
    const body = sent[0]!.body as { touser: string; markdown: { content: string } };
    expect(body.touser).toBe('sec-org1');
    expect(body.markdown.content.startsWith('（续 2/')).toBe(true);
    expect(Buffer.byteLength(body.markdown.content)).toBeLessThanOrEqual(2048);
  });

  it('says so in the reply when nothing can reach the secretary privately', async () => {
    const reply = await viaWecomBot(t, 'wb-org2', BOT, 'sec-org2', '周报', { direct: true });
    expect(reply).toContain('## 第一党支部五同周报');
    expect(reply).toContain('其余部分无法私信送达');
    const queued = await t.db.selectFrom('deliveries').select('id').where('org_id', '=', 'org2').execute();
    expect(queued).toEqual([]);
  });
});
