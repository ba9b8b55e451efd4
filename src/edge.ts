import { type Context, Hono } from 'hono';
import { systemClock } from './core/clock.ts';
import { dingtalkCallbackValid, wecomSignatureValid } from './platforms/shared/web-crypto.ts';

// The Cloudflare Workers ingress (the third receiving mode): it checks each callback
// with Web Crypto before forwarding it to the core at CORE_URL — a DingTalk callback's `sign` with
// the channel's AppSecret, a WeCom callback's `msg_signature` with its Token — given as Worker
// secrets (`wrangler secret put DINGTALK_APP_SECRET_DT1`, `WECOM_TOKEN_WA1`: the channel id in
// capitals, other characters as _). A bad one gets 401 here; a channel with no secret here is not
// forwarded at all (404): only checked requests reach the core, which checks them again.

type Bindings = { CORE_URL: string } & Record<string, string | undefined>;
type EdgeContext = Context<{ Bindings: Bindings }>;

const app = new Hono<{ Bindings: Bindings }>();

export const secretName = (kind: 'DINGTALK_APP_SECRET' | 'WECOM_TOKEN', channel: string) =>
  `${kind}_${channel.replace(/[^A-Za-z0-9]/g, '_').toUpperCase()}`;

const forward = (c: EdgeContext, body?: string) => {
  const url = new URL(c.req.url);
  const target = new URL(url.pathname + url.search, c.env.CORE_URL);
  return fetch(new Request(target, body === undefined ? c.req.raw : new Request(c.req.raw, { body })));
};

const unknown = (c: EdgeContext) => c.json({ error: 'unknown channel' }, 404);
const refused = (c: EdgeContext) => c.json({ error: 'bad signature or timestamp' }, 401);

app.post('/webhooks/dingtalk/:channel', async (c) => {
  const secret = c.env[secretName('DINGTALK_APP_SECRET', c.req.param('channel'))];
  if (!secret) return unknown(c);
  const valid = await dingtalkCallbackValid(c.req.header('timestamp'), c.req.header('sign'), secret, systemClock.now());
  return valid ? forward(c) : refused(c);
});

/** The ciphertext a WeCom callback signs: echostr on the URL check; the body's Encrypt (app, XML) or encrypt (AI bot, JSON). */
function encryptedOf(method: string, echostr: string | undefined, body: string): string | undefined {
  if (method === 'GET') return echostr;
  const xml = /<Encrypt>\s*(?:<!\[CDATA\[)?([^<\]]+)(?:\]\]>)?\s*<\/Encrypt>/.exec(body)?.[1];
  if (xml) return xml;
  try {
    const json = JSON.parse(body) as { encrypt?: unknown };
    return typeof json.encrypt === 'string' ? json.encrypt : undefined;
  } catch {
    return undefined;
  }
}

app.on(['GET', 'POST'], '/webhooks/wecom/:channel', async (c) => {
  const token = c.env[secretName('WECOM_TOKEN', c.req.param('channel'))];
  if (!token) return unknown(c);
  const { msg_signature: signature, timestamp, nonce, echostr } = c.req.query();
  const body = c.req.method === 'POST' ? await c.req.text() : '';
  const encrypted = encryptedOf(c.req.method, echostr, body);
  if (!signature || !timestamp || !nonce || !encrypted) return refused(c);
  const valid = await wecomSignatureValid(token, timestamp, nonce, encrypted, signature, systemClock.now());
  if (!valid) return refused(c);
  return forward(c, c.req.method === 'POST' ? body : undefined);
});

export default app;
