import { once } from 'node:events';
import { type IncomingMessage, createServer } from 'node:http';
import { getSignature } from '@wecom/crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { unstable_dev } from 'wrangler';
import edge, { secretName } from '../src/edge.ts';
import { dingtalkSign } from '../src/platforms/dingtalk/sign.ts';
import { dingtalkCallbackValid, wecomSignatureValid } from '../src/platforms/shared/web-crypto.ts';
import { SAMPLE } from './helpers/wecom.ts';

// The Workers ingress: callbacks checked with Web Crypto before they are forwarded —
// against the official vectors and the Node checks, in Node, and offline in workerd through
// wrangler's API (unstable_dev), as it runs on Cloudflare.

const DT_SECRET = 'dingtalk-app-secret-at-the-edge';
const WECOM_TOKEN = SAMPLE.token;
// The official WXBizMsgCrypt sample: its message, signature, timestamp and nonce.
const MSG_ENCRYPT =
  'RypEvHKD8QQKFhvQ6QleEB4J58tiPdvo+rtK1I9qca6aM/wvqnLSV5zEPeusUiX5L5X/0lWfrf0QADHHhGd3QczcdCUpj911L3vg3W/sYYvuJTs3TUUkSUXxaccAS0qhxchrRYt66wiSpGLYL42aM6A8dTT+6k4aSknmPj48kzJs8qLjvd4Xgpue06DOdnLxAUHzM6+kDZ+HMZfJYuR+LtwGc2hgf5gsijff0ekUNXZiqATP7PF5mZxZ3Izoun1s4zG4LUMnvw2r+KqCKIw+3IQH03v+BCA9nMELNqbSf6tiWSrXJB3LAVGUcallcrw8V2t9EL4EhzJWrQUax5wLVMNS0+rUPA3k22Ncx4XXZS9o0MBH27Bo6BpNelZpS+/uh9KsNlY6bHCmJU9p8g7m3fVKn28H3KDYA5Pl/T8Z1ptDAVe0lXdQ2YoyyH2uyPIGHBZZIs2pDBS8R07+qN+E7Q==';

describe('the edge’s Web Crypto checks', () => {
  it('match the official vectors', async () => {
    // DingTalk's documented example; its sign is shown percent-encoded in the URL.
    const sign = decodeURIComponent('hmPWwU%2B7lVdm3ZZz0r9tSfx0L4Q26jWOZr9%2BGs6EZQM%3D');
    expect(await dingtalkCallbackValid('1577262236757', sign, 'this is secret', 1577262236757)).toBe(true);
    expect(
      await wecomSignatureValid(
        SAMPLE.token,
        '1409659813',
        '1372623149',
        MSG_ENCRYPT,
        '477715d11cdb4164915debcba66cb864d751f3e6',
        1409659813_000,
      ),
    ).toBe(true);
  });

  it('agree with the Node checks, and refuse a wrong key, a changed text or a stale time', async () => {
    const now = Date.now();
    const ts = String(now);
    expect(await dingtalkCallbackValid(ts, dingtalkSign(ts, DT_SECRET), DT_SECRET, now)).toBe(true);
    expect(await dingtalkCallbackValid(ts, dingtalkSign(ts, 'other'), DT_SECRET, now)).toBe(false);
    expect(await dingtalkCallbackValid(ts, dingtalkSign(ts, DT_SECRET), DT_SECRET, now + 3_600_001)).toBe(false);
    expect(await dingtalkCallbackValid(undefined, 'x', DT_SECRET, now)).toBe(false);
    const secs = String(Math.floor(now / 1000));
    const signature = getSignature(WECOM_TOKEN, secs, 'n1', 'cipher');
    expect(await wecomSignatureValid(WECOM_TOKEN, secs, 'n1', 'cipher', signature, now)).toBe(true);
    expect(await wecomSignatureValid(WECOM_TOKEN, secs, 'n1', 'cipher2', signature, now)).toBe(false);
    expect(await wecomSignatureValid('other', secs, 'n1', 'cipher', signature, now)).toBe(false);
    expect(await wecomSignatureValid(WECOM_TOKEN, secs, 'n1', 'cipher', signature, now + 3_600_001)).toBe(false);
  });
});

/** The core's stand-in: records what the edge forwards. */
function startCore() {
  const seen: { method: string; url: string; body: string }[] = [];
  const server = createServer(async (req: IncomingMessage, res) => {
    let body = '';
    for await (const chunk of req) body += chunk;
    seen.push({ method: req.method!, url: req.url!, body });
    res.writeHead(200, { 'content-type': 'application/json' }).end('{"msgtype":"empty"}');
  });
  return { server, seen };
}

const dingtalkHeaders = (secret: string) => {
  const ts = String(Date.now());
  return { 'content-type': 'application/json', timestamp: ts, sign: dingtalkSign(ts, secret) };
};

const wecomQuery = (encrypted: string, token = WECOM_TOKEN) => {
  const ts = String(Math.floor(Date.now() / 1000));
  return `msg_signature=${getSignature(token, ts, 'n9', encrypted)}&timestamp=${ts}&nonce=n9`;
};

const appXml = (encrypted: string) => `<xml><ToUserName><![CDATA[corp]]></ToUserName><Encrypt><![CDATA[${encrypted}]]></Encrypt></xml>`;

describe('the Workers ingress', () => {
  const core = startCore();
  let env: Record<string, string>;
  beforeAll(async () => {
    core.server.listen(0, '127.0.0.1');
    await once(core.server, 'listening');
    env = {
      CORE_URL: `http://127.0.0.1:${(core.server.address() as { port: number }).port}`,
      [secretName('DINGTALK_APP_SECRET', 'dt1')]: DT_SECRET,
      [secretName('WECOM_TOKEN', 'wa-1')]: WECOM_TOKEN,
    };
  });
  afterAll(() => core.server.close());

  it('names each channel’s Worker secret in capitals', () => {
    expect(secretName('DINGTALK_APP_SECRET', 'dt1')).toBe('DINGTALK_APP_SECRET_DT1');
    expect(secretName('WECOM_TOKEN', 'wa-1')).toBe('WECOM_TOKEN_WA_1');
  });

  it('forwards a signed DingTalk callback unchanged; refuses a forged one (401) and an unknown channel (404)', async () => {
    core.seen.length = 0;
    const ok = await edge.fetch(
      new Request('https://edge.example/webhooks/dingtalk/dt1?x=1', {
        method: 'POST',
        headers: dingtalkHeaders(DT_SECRET),
        body: '{"msgId":"1"}',
      }),
      env,
    );
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual({ msgtype: 'empty' });
    const forged = await edge.fetch(
      new Request('https://edge.example/webhooks/dingtalk/dt1', { method: 'POST', headers: dingtalkHeaders('guess'), body: '{}' }),
      env,
    );
    expect(forged.status).toBe(401);
    const other = await edge.fetch(
      new Request('https://edge.example/webhooks/dingtalk/dt9', { method: 'POST', headers: dingtalkHeaders(DT_SECRET), body: '{}' }),
      env,
    );
    expect(other.status).toBe(404);
    expect(core.seen).toEqual([{ method: 'POST', url: '/webhooks/dingtalk/dt1?x=1', body: '{"msgId":"1"}' }]);
  });

  it('checks a WeCom URL check, an app (XML) and an AI-bot (JSON) callback by msg_signature', async () => {
    core.seen.length = 0;
    const check = `https://edge.example/webhooks/wecom/wa-1?${wecomQuery('ECHO')}&echostr=ECHO`;
    expect((await edge.fetch(new Request(check), env)).status).toBe(200);
    const xml = appXml('CIPHER1');
    expect(
      (
        await edge.fetch(
          new Request(`https://edge.example/webhooks/wecom/wa-1?${wecomQuery('CIPHER1')}`, { method: 'POST', body: xml }),
          env,
        )
      ).status,
    ).toBe(200);
    const json = JSON.stringify({ encrypt: 'CIPHER2' });
    expect(
      (
        await edge.fetch(
          new Request(`https://edge.example/webhooks/wecom/wa-1?${wecomQuery('CIPHER2')}`, { method: 'POST', body: json }),
          env,
        )
      ).status,
    ).toBe(200);
    // Signed for another ciphertext, or by another token.
    expect(
      (await edge.fetch(new Request(`https://edge.example/webhooks/wecom/wa-1?${wecomQuery('OTHER')}`, { method: 'POST', body: xml }), env))
        .status,
    ).toBe(401);
    expect(
      (
        await edge.fetch(
          new Request(`https://edge.example/webhooks/wecom/wa-1?${wecomQuery('CIPHER1', 'x')}`, { method: 'POST', body: xml }),
          env,
        )
      ).status,
    ).toBe(401);
    expect(core.seen.map((s) => [s.method, s.body])).toEqual([
      ['GET', ''],
      ['POST', xml],
      ['POST', json],
    ]);
  });

  it('serves nothing but webhooks', async () => {
    expect((await edge.fetch(new Request('https://edge.example/admin/orgs/x'), env)).status).toBe(404);
  });
});

describe('the Workers ingress in workerd (wrangler dev, offline)', () => {
  const core = startCore();
  let worker: Awaited<ReturnType<typeof unstable_dev>>;
  beforeAll(async () => {
    core.server.listen(0, '127.0.0.1');
    await once(core.server, 'listening');
    worker = await unstable_dev('src/edge.ts', {
      vars: { CORE_URL: `http://127.0.0.1:${(core.server.address() as { port: number }).port}`, DINGTALK_APP_SECRET_DT1: DT_SECRET },
      ip: '127.0.0.1',
      logLevel: 'none',
      experimental: { disableExperimentalWarning: true },
    });
  }, 60_000);
  afterAll(async () => {
    await worker?.stop();
    core.server.close();
  });

  it('forwards what it can check and refuses the rest, as on Cloudflare', async () => {
    const ok = await worker.fetch('/webhooks/dingtalk/dt1', {
      method: 'POST',
      headers: dingtalkHeaders(DT_SECRET),
      body: '{"msgId":"w1"}',
    });
    expect(ok.status).toBe(200);
    expect(core.seen).toEqual([{ method: 'POST', url: '/webhooks/dingtalk/dt1', body: '{"msgId":"w1"}' }]);
    expect((await worker.fetch('/webhooks/dingtalk/dt1', { method: 'POST', headers: dingtalkHeaders('guess'), body: '{}' })).status).toBe(
      401,
    );
    expect((await worker.fetch('/webhooks/wecom/wa1', { method: 'POST', body: '{}' })).status).toBe(404);
    expect(core.seen).toHaveLength(1);
  });
});
