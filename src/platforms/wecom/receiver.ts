import type { Context } from 'hono';
import type { Channel, WecomAppConfig, WecomBotConfig } from '../../domain/channels.ts';
import { type ChatMessage, RETRY, type Reply, UNAVAILABLE, cleanInput } from '../../chat/message.ts';
import { BodyTimeout, BodyTooLarge, readBody } from '../../core/body.ts';
import { markdownToText } from '../../domain/markdown.ts';
import { directoryChanged } from '../directory.ts';
import type { ReceiverDeps } from '../receiver-deps.ts';
import { CryptoError, openEnvelope, sealEnvelope, signatureMatches } from './crypto.ts';
import { wecomTimestampFresh } from '../shared/callback-time.ts';
import { XmlError, cdata, parseFlatXml } from './xml.ts';
import { NotABotMessage, botChatMessage, botStreamReply } from './bot-message.ts';

/** A channel that takes WeCom callbacks: the app, or the AI bot in HTTP mode (with its Token and key). */
type WecomChannel = Channel & { config: WecomAppConfig | (WecomBotConfig & { token: string; encodingAESKey: string }) };

/** The app decrypts with its corp id as receiveid; the AI bot with "". */
const receiveIdOf = (channel: WecomChannel) => (channel.config.platform === 'wecom-app' ? channel.config.corpId : '');

class Refusal extends Error {
  constructor(readonly status: 400 | 401 | 404 | 408 | 413 | 503) {
    super(String(status));
  }
}

async function wecomChannel(deps: ReceiverDeps, id: string): Promise<WecomChannel> {
  const channel = await deps.channels.get(id).catch(() => {
    throw new Refusal(503);
  });
  if (!channel || (channel.config.platform !== 'wecom-app' && channel.config.platform !== 'wecom-bot')) throw new Refusal(404);
  // An AI bot on the long connection has no callback secrets: it takes no callbacks.
  if (channel.config.platform === 'wecom-bot' && (!channel.config.token || !channel.config.encodingAESKey)) throw new Refusal(404);
  return channel as WecomChannel;
}

interface Query {
  signature: string;
  timestamp: string;
  nonce: string;
}

function signedQuery(c: Context): Query {
  const q = { signature: c.req.query('msg_signature'), timestamp: c.req.query('timestamp'), nonce: c.req.query('nonce') };
  if (!q.signature || !q.timestamp || !q.nonce) throw new Refusal(401);
  return q as Query;
}

/** Checks the signature and the clock, then decrypts: 401 for the first two, 400 for the last. */
function open(channel: WecomChannel, query: Query, encrypted: string, now: number): string {
  if (!wecomTimestampFresh(query.timestamp, now)) throw new Refusal(401);
  if (!signatureMatches(channel.config.token, query.timestamp, query.nonce, encrypted, query.signature)) throw new Refusal(401);
  try {
    return openEnvelope(channel.config.encodingAESKey, encrypted, receiveIdOf(channel));
  } catch (err) {
    if (err instanceof CryptoError) throw new Refusal(400);
    throw err;
  }
}

function refused(c: Context, err: unknown): Response {
  if (!(err instanceof Refusal)) throw err;
  const reasons = {
    400: 'bad body',
    401: 'bad signature or timestamp',
    404: 'unknown channel',
    408: 'body not received in time',
    413: 'body over 64 KiB',
    503: RETRY.error,
  };
  return c.json({ error: reasons[err.status] }, err.status);
}

/** GET /webhooks/wecom/:channel — URL verification: answer the decrypted echostr, nothing else. */
export function wecomUrlCheck(deps: ReceiverDeps) {
  return async (c: Context) => {
    try {
      const channel = await wecomChannel(deps, c.req.param('channel') ?? '');
      const query = signedQuery(c);
      // Hono's query() has URL-decoded echostr exactly once, as WeCom requires.
      const echostr = c.req.query('echostr');
      if (!echostr) throw new Refusal(400);
      const plain = open(channel, query, echostr, deps.clock.now());
      return c.body(plain, 200, { 'content-type': 'text/plain; charset=utf-8' });
    } catch (err) {
      return refused(c, err);
    }
  };
}

/** POST /webhooks/wecom/:channel — the self-built app (XML) or the 智能机器人 (JSON). */
export function wecomReceiver(deps: ReceiverDeps) {
  return async (c: Context) => {
    try {
      const channel = await wecomChannel(deps, c.req.param('channel') ?? '');
      let raw: string;
      try {
        raw = await readBody(c.req.raw);
      } catch (err) {
        if (err instanceof BodyTooLarge) throw new Refusal(413);
        throw err instanceof BodyTimeout ? new Refusal(408) : err;
      }
      const query = signedQuery(c);
      const now = deps.clock.now();
      const isApp = channel.config.platform === 'wecom-app';
      const plain = open(channel, query, isApp ? appEnvelope(raw) : botEnvelope(raw), now);
      const fields = isApp ? appFields(plain) : null;
      if (fields && isContactChange(fields)) {
        await contactChanged(deps, channel, now);
        return c.body(null, 200);
      }
      const message = fields ? appMessage(channel, fields, now) : botMessage(channel, plain, now);
      if (!message) return c.body(null, 200);

      const reply = await deps.handle(message);
      if (reply === UNAVAILABLE) return c.json(RETRY, 503);
      if (!reply) return c.body(null, 200);
      const timestamp = String(Math.floor(now / 1000));
      return isApp
        ? c.body(appReply(channel.config as WecomAppConfig, message, reply, timestamp, query.nonce), 200, {
            'content-type': 'application/xml; charset=utf-8',
          })
        : c.json(botReply(channel.config, message, reply, timestamp, query.nonce));
    } catch (err) {
      return refused(c, err);
    }
  };
}

function appEnvelope(raw: string): string {
  try {
    const encrypted = parseFlatXml(raw).Encrypt;
    if (!encrypted) throw new Refusal(400);
    return encrypted;
  } catch (err) {
    throw err instanceof XmlError ? new Refusal(400) : err;
  }
}

function botEnvelope(raw: string): string {
  try {
    const body = JSON.parse(raw) as { encrypt?: unknown };
    if (typeof body.encrypt !== 'string' || !body.encrypt) throw new Refusal(400);
    return body.encrypt;
  } catch (err) {
    throw err instanceof SyntaxError ? new Refusal(400) : err;
  }
}

function appFields(plain: string): Record<string, string> {
  try {
    return parseFlatXml(plain);
  } catch (err) {
    throw err instanceof XmlError ? new Refusal(400) : err;
  }
}

/** The contact changes (通讯录变更) that change a directory: a member or a department created, changed or deleted. */
const CONTACT_CHANGES = new Set(['create_user', 'update_user', 'delete_user', 'create_party', 'update_party', 'delete_party']);

const isContactChange = (fields: Record<string, string>) =>
  fields.MsgType === 'event' && fields.Event === 'change_contact' && CONTACT_CHANGES.has(fields.ChangeType ?? '');

/**
 * A change of the app's directory: recorded as a sync wanted for the org (the sync reads the
 * directory again, whatever the event says) before WeCom is answered; 503 when the database cannot
 * take it, so that WeCom sends it again.
 */
async function contactChanged(deps: ReceiverDeps, channel: WecomChannel, now: number): Promise<void> {
  try {
    await directoryChanged(deps.db, channel, now);
  } catch {
    throw new Refusal(503);
  }
}

/** A text message to the app is a one-to-one chat; events and other kinds get an empty answer. */
function appMessage(channel: WecomChannel, fields: Record<string, string>, now: number): ChatMessage | null {
  if (fields.MsgType !== 'text') return null;
  const { FromUserName: from, MsgId: msgId, Content: content } = fields;
  if (!from || !msgId || content === undefined) throw new Refusal(400);
  return {
    platform: 'wecom',
    channelId: channel.id,
    orgId: channel.orgId,
    chatType: 'direct',
    chatId: from,
    senderId: from,
    senderName: null,
    text: cleanInput(content),
    messageId: msgId,
    receivedAt: now,
    replyFormat: 'wecom-app',
  };
}

function botMessage(channel: WecomChannel, plain: string, now: number): ChatMessage | null {
  try {
    return botChatMessage(channel, JSON.parse(plain), now);
  } catch (err) {
    if (err instanceof SyntaxError || err instanceof NotABotMessage) throw new Refusal(400);
    throw err;
  }
}

/** The app's passive reply: a text message (apps cannot passively answer markdown), encrypted in XML. */
function appReply(config: WecomAppConfig, message: ChatMessage, reply: Reply, timestamp: string, nonce: string): string {
  const inner =
    `<xml><ToUserName>${cdata(message.senderId)}</ToUserName><FromUserName>${cdata(config.corpId)}</FromUserName>` +
    `<CreateTime>${timestamp}</CreateTime><MsgType>${cdata('text')}</MsgType>` +
    `<Content>${cdata(markdownToText(reply.markdown))}</Content></xml>`;
  const sealed = sealEnvelope(config, inner, config.corpId, timestamp, nonce);
  return (
    `<xml><Encrypt>${cdata(sealed.encrypt)}</Encrypt><MsgSignature>${cdata(sealed.signature)}</MsgSignature>` +
    `<TimeStamp>${timestamp}</TimeStamp><Nonce>${cdata(nonce)}</Nonce></xml>`
  );
}

/** The AI bot's passive reply to a message is a finished stream whose content is markdown. */
function botReply(config: { token: string; encodingAESKey: string }, message: ChatMessage, reply: Reply, timestamp: string, nonce: string) {
  const inner = JSON.stringify(botStreamReply(message, reply));
  const sealed = sealEnvelope(config, inner, '', timestamp, nonce);
  return { encrypt: sealed.encrypt, msgsignature: sealed.signature, timestamp: Number(timestamp), nonce };
}
