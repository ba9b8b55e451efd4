import { randomBytes } from 'node:crypto';
import { getSignature } from '@wecom/crypto';
import { dingtalkSign } from '../src/platforms/dingtalk/sign.ts';
import { openEnvelope, sealEnvelope } from '../src/platforms/wecom/crypto.ts';
import { dingtalkCallback } from '../test/helpers/dingtalk.ts';
import { botCallback, sealedBotBody, signedPost } from '../test/helpers/wecom.ts';
import { ORG, type Outgoing, type Scenario } from './webhook.ts';

// One scenario per figure: the WeCom URL check (verify and decrypt, nothing stored), and per platform
// a 汇报 from a bound group chat by a known member, the path that really stores a report. Each seeds
// its own channel, branch and member, so that all of them can share one service.

const REPORT = '@党建助手 汇报 企业 走访某公司，协调解决用电难题';
const MEMBER = '张三';

function must(ok: boolean, what: string): void {
  if (!ok) throw new Error(what);
}

/** DingTalk's `timestamp` and `sign` headers, each pair at a millisecond of its own, going back from now (the service takes them for an hour). */
export function signer(appSecret: string): () => Record<string, string> {
  const start = Date.now();
  let n = 0;
  return () => {
    const timestamp = String(start - n++);
    return { timestamp, sign: dingtalkSign(timestamp, appSecret) };
  };
}

/** POST /webhooks/dingtalk/:channel — a plain JSON body; the sign covers only the timestamp. */
export function dingtalk(): Scenario {
  const channel = 'dt-bench';
  const appSecret = randomBytes(24).toString('base64url');
  const callback = dingtalkCallback(REPORT);
  // DingTalk signs each callback at its own millisecond, and the service takes a signature for one
  // message only: each request is signed at the next millisecond back from the figure's start.
  const signed = signer(appSecret);
  return {
    name: 'DingTalk 汇报',
    id: 'dingtalk',
    route: 'POST /webhooks/dingtalk/:channel (JSON, header sign)',
    method: 'POST',
    floor: 'insert',
    floorPath: '/webhooks/dingtalk/x',
    headers: { 'content-type': 'application/json' },
    stores: true,
    async seed(put) {
      await put(`/orgs/${ORG}/channels/${channel}`, { platform: 'dingtalk', appKey: 'bench-key', appSecret, robotCode: 'bench-robot' });
      await put(`/orgs/${ORG}/branches/b-dt`, { name: '第一党支部', chats: [{ channel, chatId: callback.conversationId }] });
      await put(`/orgs/${ORG}/members/m-dt`, { name: MEMBER, branch: 'b-dt', role: 'member', dingtalkUserId: callback.senderStaffId });
      return `/webhooks/dingtalk/${channel}`;
    },
    request: (msgId) => ({ query: '', body: JSON.stringify({ ...callback, msgId }), headers: signed() }),
    checkProbe(status, body) {
      must(status === 200, 'expected 200');
      const answer = JSON.parse(body) as { msgtype?: string; markdown?: { text?: string } };
      must(answer.msgtype === 'markdown', 'expected a markdown answer');
      must(answer.markdown?.text?.includes(MEMBER) === true, `expected the answer to name ${MEMBER}`);
    },
  };
}

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** A WeCom callback Token and EncodingAESKey, new for each scenario. */
function wecomSecrets() {
  return {
    token: randomBytes(16).toString('hex'),
    encodingAESKey: Array.from(randomBytes(43), (b) => ALNUM[b % ALNUM.length]).join(''),
  };
}

/**
 * GET /webhooks/wecom/:channel?msg_signature=…&timestamp=…&nonce=…&echostr=… — the check WeCom sends
 * when a callback URL is saved: signature, clock and decryption of echostr, answered with the plain
 * echostr, nothing stored. The receiver answers it for the app and the AI bot alike; the AI bot's
 * channel is used here, as in the 汇报 (receiveid "").
 */
export function wecomUrlCheck(): Scenario {
  const channel = 'wc-check';
  const secrets = wecomSecrets();
  const timestamp = Math.floor(Date.now() / 1000);
  return {
    name: 'WeCom URL check',
    id: 'wecom-check',
    route: 'GET /webhooks/wecom/:channel?msg_signature…&echostr=… (URL check)',
    method: 'GET',
    floor: 'bare',
    floorPath: '/webhooks/wecom/x',
    headers: {},
    stores: false,
    async seed(put) {
      await put(`/orgs/${ORG}/channels/${channel}`, { platform: 'wecom-bot', ...secrets });
      return `/webhooks/wecom/${channel}`;
    },
    request(msgId): Outgoing {
      // The echostr WeCom sends is sealed like a message, its plaintext a random string: the msgId here.
      const echostr = sealEnvelope(secrets, msgId, '', String(timestamp), 'unused').encrypt;
      const { query } = signedPost(secrets.token, echostr, timestamp);
      return { query: `?${query}&echostr=${encodeURIComponent(echostr)}`, body: '' };
    },
    checkProbe(status, body, _sent, msgId) {
      must(status === 200, 'expected 200');
      must(body === msgId, 'expected the decrypted echostr, nothing else');
    },
  };
}

/**
 * POST /webhooks/wecom/:channel?msg_signature=…&timestamp=…&nonce=… — the 智能机器人: a JSON body
 * {encrypt}, sealed and signed per request with a new nonce; answered by an encrypted passive reply.
 */
export function wecom(): Scenario {
  const channel = 'wc-bench';
  const secrets = wecomSecrets();
  const callback = botCallback(REPORT);
  // Within the receiver's hour of clock skew for the whole figure.
  const timestamp = Math.floor(Date.now() / 1000);
  return {
    name: 'WeCom 汇报',
    id: 'wecom',
    route: 'POST /webhooks/wecom/:channel?msg_signature… (智能机器人, sealed JSON)',
    method: 'POST',
    floor: 'insert',
    floorPath: '/webhooks/wecom/x',
    headers: { 'content-type': 'application/json' },
    stores: true,
    async seed(put) {
      await put(`/orgs/${ORG}/channels/${channel}`, { platform: 'wecom-bot', ...secrets });
      await put(`/orgs/${ORG}/branches/b-wc`, { name: '第二党支部', chats: [{ channel, chatId: callback.chatid }] });
      await put(`/orgs/${ORG}/members/m-wc`, { name: MEMBER, branch: 'b-wc', role: 'member', wecomUserId: callback.from.userid });
      return `/webhooks/wecom/${channel}`;
    },
    request(msgId): Outgoing {
      const encrypt = sealedBotBody(secrets, { ...callback, msgid: msgId }, timestamp);
      return { query: `?${signedPost(secrets.token, encrypt, timestamp).query}`, body: JSON.stringify({ encrypt }) };
    },
    checkProbe(status, body, sent, msgId) {
      must(status === 200, 'expected 200');
      const answer = JSON.parse(body) as { encrypt: string; msgsignature: string; timestamp: number; nonce: string };
      must(answer.nonce === new URLSearchParams(sent.query).get('nonce'), 'expected the callback’s nonce back');
      must(answer.msgsignature === getSignature(secrets.token, String(answer.timestamp), answer.nonce, answer.encrypt), 'bad msgsignature');
      const inner = JSON.parse(openEnvelope(secrets.encodingAESKey, answer.encrypt, '')) as {
        msgtype?: string;
        stream?: { id?: string; finish?: boolean; content?: string };
      };
      must(
        inner.msgtype === 'stream' && inner.stream?.finish === true && inner.stream.id === msgId,
        'expected a finished stream for the msgid',
      );
      must(inner.stream?.content?.includes(MEMBER) === true, `expected the stream to name ${MEMBER}`);
    },
  };
}
