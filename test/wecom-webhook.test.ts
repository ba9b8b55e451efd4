import { getSignature } from '@wecom/crypto';
import type { Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { putOrg } from '../db/orgs.ts';
import { putChannel } from '../db/channels.ts';
import { putBranch } from '../db/branches.ts';
import { putMember } from '../db/members.ts';
import type { Database } from '../db/schema.ts';
import { CryptoError, openEnvelope, sealEnvelope } from '../src/platforms/wecom/crypto.ts';
import { parseFlatXml } from '../src/platforms/wecom/xml.ts';
import { DIALECTS, countRows } from './helpers/db.ts';
import { type TestApp, startTestApp } from './helpers/app.ts';
import { SAMPLE, botCallback, plaintext, rawEnvelope, sealedBotBody, signedPost } from './helpers/wecom.ts';

// The official sample's vectors.
const URL_CHECK =
  'msg_signature=5c45ff5e21c57e6ad56bac8758b79b1d9ac89fd3&timestamp=1409659589&nonce=263014780&echostr=P9nAzCzyDtyTWESHep1vC5X9xho%2FqYX3Zpb4yKa9SKld1DsH3Iyt3tP3zNdtp%2B4RPcs8TgAE7OaBO%2BFZXvnaqQ%3D%3D';
const MSG_QUERY = 'msg_signature=477715d11cdb4164915debcba66cb864d751f3e6&timestamp=1409659813&nonce=1372623149';
const MSG_ENCRYPT =
  'RypEvHKD8QQKFhvQ6QleEB4J58tiPdvo+rtK1I9qca6aM/wvqnLSV5zEPeusUiX5L5X/0lWfrf0QADHHhGd3QczcdCUpj911L3vg3W/sYYvuJTs3TUUkSUXxaccAS0qhxchrRYt66wiSpGLYL42aM6A8dTT+6k4aSknmPj48kzJs8qLjvd4Xgpue06DOdnLxAUHzM6+kDZ+HMZfJYuR+LtwGc2hgf5gsijff0ekUNXZiqATP7PF5mZxZ3Izoun1s4zG4LUMnvw2r+KqCKIw+3IQH03v+BCA9nMELNqbSf6tiWSrXJB3LAVGUcallcrw8V2t9EL4EhzJWrQUax5wLVMNS0+rUPA3k22Ncx4XXZS9o0MBH27Bo6BpNelZpS+/uh9KsNlY6bHCmJU9p8g7m3fVKn28H3KDYA5Pl/T8Z1ptDAVe0lXdQ2YoyyH2uyPIGHBZZIs2pDBS8R07+qN+E7Q==';
const appXml = (encrypted: string) =>
  `<xml><ToUserName><![CDATA[${SAMPLE.corpId}]]></ToUserName><Encrypt><![CDATA[${encrypted}]]></Encrypt><AgentID><![CDATA[218]]></AgentID></xml>`;

const BOT = { token: 'botToken123', encodingAESKey: 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG' };
const NOW = Date.UTC(2026, 10, 28, 2, 0, 0);

async function seed(db: Kysely<Database>) {
  await putOrg(db, { id: 'org1', name: '某市机关工委', timezone: 'Asia/Shanghai', digest_cron: null }, NOW);
  await putOrg(db, { id: 'org2', name: '另一机关工委', timezone: 'Asia/Shanghai', digest_cron: null }, NOW);
  await putChannel(db, 'org1', 'wa1', { platform: 'wecom-app', agentId: '218', secret: 'app-secret', ...SAMPLE }, NOW);
  await putChannel(db, 'org1', 'wb1', { platform: 'wecom-bot', ...BOT }, NOW);
  await putBranch(db, 'org1', 'b1', '第一党支部', [{ channel_id: 'wb1', chat_id: 'wrkGroupA', webhook: 'robot-key', secret: null }], NOW);
  const base = { org_id: 'org1', branch_id: 'b1', party_group: null, probationary: false, mobile: null, accounts: {} };
  await putMember(db, { ...base, id: 'm1', name: '王五', role: 'member', accounts: { wecom: 'wangwu' } }, NOW);
  await putMember(db, { ...base, id: 'm2', name: '赵六', role: 'member', accounts: { wecom: 'mycreate' } }, NOW);
  await putMember(db, { ...base, id: 'm0', name: '李书记', role: 'secretary', accounts: { wecom: 'lisj' } }, NOW);
  await putBranch(db, 'org1', 'b2', '第二党支部', [], NOW);
  await putMember(db, { ...base, branch_id: 'b2', id: 'm20', name: '周书记', role: 'secretary', accounts: { wecom: 'zhousj' } }, NOW);
}

describe('WeCom envelopes', () => {
  it('the official message vector decrypts to a text from mycreate', () => {
    const fields = parseFlatXml(openEnvelope(SAMPLE.encodingAESKey, MSG_ENCRYPT, SAMPLE.corpId));
    expect(fields).toMatchObject({ FromUserName: 'mycreate', MsgType: 'text', Content: 'hello', MsgId: '4561255354251345929' });
  });

  it('refuses a wrong receiveid, bad padding and a length past the end', () => {
    const good = plaintext('hi', SAMPLE.corpId);
    expect(openEnvelope(SAMPLE.encodingAESKey, rawEnvelope(SAMPLE.encodingAESKey, good), SAMPLE.corpId)).toBe('hi');
    expect(() => openEnvelope(SAMPLE.encodingAESKey, rawEnvelope(SAMPLE.encodingAESKey, good), 'another')).toThrow(/receiveid/);
    for (const padValue of [0, 33]) {
      const bad = plaintext('hi', SAMPLE.corpId, { padValue });
      expect(() => openEnvelope(SAMPLE.encodingAESKey, rawEnvelope(SAMPLE.encodingAESKey, bad), SAMPLE.corpId)).toThrow(/padding/);
    }
    const mixed = plaintext('hi', SAMPLE.corpId);
    mixed[mixed.length - 2] = 7;
    expect(() => openEnvelope(SAMPLE.encodingAESKey, rawEnvelope(SAMPLE.encodingAESKey, mixed), SAMPLE.corpId)).toThrow(/padding/);
    const long = plaintext('hi', '', { length: 9999 });
    expect(() => openEnvelope(SAMPLE.encodingAESKey, rawEnvelope(SAMPLE.encodingAESKey, long), '')).toThrow(/length/);
  });
  it('opens what @wecom/crypto sealed, whatever the length, with keys used in turn (one block decipher each, no state carried)', () => {
    const keys = [BOT.encodingAESKey, SAMPLE.encodingAESKey];
    for (let n = 0; n <= 70; n++) {
      const message = '汇报'.repeat(n % 7) + 'x'.repeat(n);
      for (const key of keys) {
        const { encrypt } = sealEnvelope({ token: 't', encodingAESKey: key }, message, SAMPLE.corpId, '1', 'n');
        expect(openEnvelope(key, encrypt, SAMPLE.corpId)).toBe(message);
      }
    }
    const sealed = sealEnvelope({ token: 't', encodingAESKey: BOT.encodingAESKey }, 'hi', '', '1', 'n').encrypt;
    expect(() => openEnvelope(SAMPLE.encodingAESKey, sealed, '')).toThrow(CryptoError);
    expect(() => openEnvelope('short', sealed, '')).toThrow(/EncodingAESKey/);
    // A ciphertext of part of a block is refused before it reaches the shared decipher: the next one still opens.
    expect(() => openEnvelope(BOT.encodingAESKey, sealed.slice(0, 8), '')).toThrow(/whole AES blocks/);
    expect(openEnvelope(BOT.encodingAESKey, sealed, '')).toBe('hi');
  });
});

describe.each(DIALECTS)('WeCom webhooks on %s', (dialect) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(dialect, { now: NOW });
    await seed(t.db);
  });
  afterAll(() => t.close());

  const postApp = (query: string, body: string) =>
    t.app.request(`/webhooks/wecom/wa1?${query}`, { method: 'POST', headers: { 'content-type': 'text/xml' }, body });
  const postBot = (payload: unknown, opts: { channel?: string; secrets?: typeof BOT } = {}) => {
    const encrypted = sealedBotBody(opts.secrets ?? BOT, payload, Math.floor(t.clock.now() / 1000));
    const { query, nonce } = signedPost((opts.secrets ?? BOT).token, encrypted, Math.floor(t.clock.now() / 1000));
    const res = t.app.request(`/webhooks/wecom/${opts.channel ?? 'wb1'}?${query}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ encrypt: encrypted }),
    });
    return { res, nonce };
  };

  it('answers the official URL check with exactly the decrypted echostr', async () => {
    t.clock.set(1409659589_000);
    const res = await t.app.request(`/webhooks/wecom/wa1?${URL_CHECK}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(await res.text()).toBe('1616140317555161061');
  });

  it('takes the official message and answers an encrypted, signed passive reply', async () => {
    t.clock.set(1409659813_000);
    const res = await postApp(MSG_QUERY, appXml(MSG_ENCRYPT));
    expect(res.status).toBe(200);
    const outer = parseFlatXml(await res.text());
    expect(outer.Nonce).toBe('1372623149');
    expect(outer.MsgSignature).toBe(getSignature(SAMPLE.token, outer.TimeStamp!, outer.Nonce!, outer.Encrypt!));
    const inner = parseFlatXml(openEnvelope(SAMPLE.encodingAESKey, outer.Encrypt!, SAMPLE.corpId));
    // "hello" is not a command: the answer says so, as plain text.
    expect(inner).toMatchObject({ ToUserName: 'mycreate', FromUserName: SAMPLE.corpId, MsgType: 'text' });
    expect(inner.Content).toBe('没有看懂「hello」。发送「帮助」查看用法。');
  });

  it('refuses the official vectors as stale with the real clock', async () => {
    t.clock.set(Date.now());
    expect((await t.app.request(`/webhooks/wecom/wa1?${URL_CHECK}`)).status).toBe(401);
    expect((await postApp(MSG_QUERY, appXml(MSG_ENCRYPT))).status).toBe(401);
    t.clock.set(NOW);
  });

  it('stores an AI-bot group 汇报 once and answers an encrypted markdown stream', async () => {
    const callback = botCallback('@党建助手 汇报 群众 为社区老人代办社保认证');
    const replies: string[] = [];
    for (let i = 0; i < 2; i++) {
      const { res, nonce } = postBot(callback);
      const response = await res;
      expect(response.status).toBe(200);
      const body = (await response.json()) as { encrypt: string; msgsignature: string; timestamp: number; nonce: string };
      expect(body.nonce).toBe(nonce);
      expect(body.msgsignature).toBe(getSignature(BOT.token, String(body.timestamp), body.nonce, body.encrypt));
      replies.push(openEnvelope(BOT.encodingAESKey, body.encrypt, ''));
    }
    const reply = JSON.parse(replies[0]!) as { msgtype: string; stream: { finish: boolean; content: string } };
    expect(reply.msgtype).toBe('stream');
    expect(reply.stream.finish).toBe(true);
    expect(reply.stream.content).toContain('王五');
    expect(reply.stream.content).toContain('服务群众');
    expect(JSON.parse(replies[1]!)).toEqual(reply);
    const rows = await t.db.selectFrom('service_reports').selectAll().where('source', '=', callback.msgid).execute();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ member_id: 'm1', category: 'public', text: '为社区老人代办社保认证' });
  });

  it('answers a group message that is not a command, which @-mentioned the bot', async () => {
    const { res } = postBot(botCallback('@党建助手 大家好'));
    const response = await res;
    expect(response.status).toBe(200);
    const body = (await response.json()) as { encrypt: string };
    const reply = JSON.parse(openEnvelope(BOT.encodingAESKey, body.encrypt, '')) as { stream: { content: string } };
    expect(reply.stream.content).toBe('没有看懂「大家好」。发送「帮助」查看用法。');
  });

  it('binds a group chat to the branch of the secretary who sends 绑定, keeping its push key', async () => {
    const decrypt = async (res: Response | Promise<Response>) => {
      const body = (await (await res).json()) as { encrypt: string };
      return (JSON.parse(openEnvelope(BOT.encodingAESKey, body.encrypt, '')) as { stream: { content: string } }).stream.content;
    };
    const chat = (chatid: string) => ({ chatid, from: { userid: 'lisj' } });
    expect(await decrypt(postBot(botCallback('@党建助手 绑定 第一党支部', chat('wrkGroupB'))).res)).toContain(
      '已将本群绑定到「第一党支部」',
    );
    expect(await decrypt(postBot(botCallback('@党建助手 绑定 第一党支部', chat('wrkGroupA'))).res)).toContain('无需重复绑定');
    // Another branch's secretary cannot take the group over with a message.
    const takeover = postBot(botCallback('@党建助手 绑定 第二党支部', { chatid: 'wrkGroupB', from: { userid: 'zhousj' } })).res;
    expect(await decrypt(takeover)).toContain('本群已绑定到「第一党支部」，不能再绑定到「第二党支部」；如需改绑，请联系管理员。');
    const rows = await t.db.selectFrom('branch_chats').selectAll().where('channel_id', '=', 'wb1').orderBy('chat_id').execute();
    expect(rows.map((r) => [r.chat_id, r.branch_id, r.webhook])).toEqual([
      ['wrkGroupA', 'b1', 'robot-key'],
      ['wrkGroupB', 'b1', null],
    ]);
  });

  it('lists 绑定 in 帮助 to secretaries only', async () => {
    const helpFor = async (userid: string) => {
      const { res } = postBot(botCallback('@党建助手 帮助', { from: { userid } }));
      const body = (await (await res).json()) as { encrypt: string };
      return (JSON.parse(openEnvelope(BOT.encodingAESKey, body.encrypt, '')) as { stream: { content: string } }).stream.content;
    };
    expect(await helpFor('lisj')).toContain('绑定 支部名称');
    expect(await helpFor('wangwu')).not.toContain('绑定');
  });

  describe('refuses bad input and stores nothing', () => {
    let before: Record<string, number>;
    beforeAll(async () => {
      t.clock.set(NOW);
      before = await countRows(t.db);
    });
    afterAll(async () => {
      expect(await countRows(t.db)).toEqual(before);
    });
    const report = () => botCallback('@党建助手 汇报 企业 走访某公司，协调解决用电难题');
    const ts = () => Math.floor(t.clock.now() / 1000);

    it('wrong signature → 401', async () => {
      const encrypted = sealedBotBody(BOT, report(), ts());
      const { query } = signedPost('not-the-token', encrypted, ts());
      const res = await t.app.request(`/webhooks/wecom/wb1?${query}`, { method: 'POST', body: JSON.stringify({ encrypt: encrypted }) });
      expect(res.status).toBe(401);
    });

    it('receiveid not empty for the AI bot → 400; not the corp id for the app → 400', async () => {
      const botEnc = sealEnvelope(BOT, JSON.stringify(report()), 'wx-someone', String(ts()), 'n').encrypt;
      const bot = signedPost(BOT.token, botEnc, ts());
      expect(
        (await t.app.request(`/webhooks/wecom/wb1?${bot.query}`, { method: 'POST', body: JSON.stringify({ encrypt: botEnc }) })).status,
      ).toBe(400);
      const inner = `<xml><FromUserName>wangwu</FromUserName><MsgType>text</MsgType><Content>汇报 企业 走访某公司协调用电</Content><MsgId>1</MsgId></xml>`;
      const appEnc = sealEnvelope(SAMPLE, inner, 'wx-other-corp', String(ts()), 'n').encrypt;
      expect((await postApp(signedPost(SAMPLE.token, appEnc, ts()).query, appXml(appEnc))).status).toBe(400);
    });

    it('bad padding or a length past the end → 400', async () => {
      const payload = JSON.stringify(report());
      for (const bytes of [plaintext(payload, '', { padValue: 0 }), plaintext(payload, '', { length: 99_999 })]) {
        const encrypted = rawEnvelope(BOT.encodingAESKey, bytes);
        const { query } = signedPost(BOT.token, encrypted, ts());
        const res = await t.app.request(`/webhooks/wecom/wb1?${query}`, { method: 'POST', body: JSON.stringify({ encrypt: encrypted }) });
        expect(res.status).toBe(400);
      }
    });

    it('XML with a DTD or an entity declaration → 400', async () => {
      const xxe = `<?xml version="1.0"?><!DOCTYPE xml [<!ENTITY x SYSTEM "file:///etc/passwd">]><xml><Encrypt>&x;</Encrypt></xml>`;
      expect((await postApp(signedPost(SAMPLE.token, '&x;', ts()).query, xxe)).status).toBe(400);
      const inner = `<!DOCTYPE xml [<!ENTITY a "汇报 企业 走访某公司协调用电">]><xml><FromUserName>wangwu</FromUserName><MsgType>text</MsgType><Content>&a;</Content><MsgId>2</MsgId></xml>`;
      const enc = sealEnvelope(SAMPLE, inner, SAMPLE.corpId, String(ts()), 'n').encrypt;
      expect((await postApp(signedPost(SAMPLE.token, enc, ts()).query, appXml(enc))).status).toBe(400);
    });

    it('body over 64 KiB → 413; not JSON → 400; unknown channel → 404', async () => {
      const big = JSON.stringify({ encrypt: 'A'.repeat(70_000) });
      const { query } = signedPost(BOT.token, 'A'.repeat(70_000), ts());
      expect((await t.app.request(`/webhooks/wecom/wb1?${query}`, { method: 'POST', body: big })).status).toBe(413);
      expect((await t.app.request(`/webhooks/wecom/wb1?${query}`, { method: 'POST', body: '{nope' })).status).toBe(400);
      expect((await postBot(report(), { channel: 'nope' }).res).status).toBe(404);
    });

    it('绑定 by a member, to an unknown branch, or one-to-one is refused', async () => {
      for (const [content, extra, reason] of [
        ['绑定 第一党支部', { from: { userid: 'wangwu' }, chatid: 'wrkGroupC' }, '只有支部书记可以使用这条命令'],
        ['绑定 第九党支部', { from: { userid: 'lisj' }, chatid: 'wrkGroupC' }, '没有名为「第九党支部」的支部'],
        ['绑定 第一党支部', { from: { userid: 'lisj' }, chattype: 'single', chatid: undefined }, '请在要绑定的群聊里'],
      ] as const) {
        const { res } = postBot(botCallback(`@党建助手 ${content}`, extra));
        const body = (await (await res).json()) as { encrypt: string };
        expect(openEnvelope(BOT.encodingAESKey, body.encrypt, '')).toContain(reason);
      }
    });

    it('a channel of another platform is not a WeCom channel → 404', async () => {
      await putChannel(t.db, 'org2', 'dt9', { platform: 'dingtalk', appKey: 'k', appSecret: 's', robotCode: 'r' }, NOW);
      expect((await postBot(report(), { channel: 'dt9' }).res).status).toBe(404);
    });
  });
});
