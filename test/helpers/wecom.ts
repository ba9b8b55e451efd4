import { createCipheriv, randomBytes } from 'node:crypto';
import { encrypt as wecomEncrypt, getSignature } from '@wecom/crypto';
import { sealEnvelope } from '../../src/platforms/wecom/crypto.ts';

// The official WXBizMsgCrypt sample's secrets.
export const SAMPLE = {
  token: 'QDG6eK',
  encodingAESKey: 'jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C',
  corpId: 'wx5823bf96d3bd56c7',
};

/** AES-CBC over bytes we choose, padding included: for envelopes WeCom would never send. */
export function rawEnvelope(encodingAESKey: string, plaintext: Buffer): string {
  const key = Buffer.from(`${encodingAESKey}=`, 'base64');
  const cipher = createCipheriv('aes-256-cbc', key, key.subarray(0, 16));
  cipher.setAutoPadding(false);
  return Buffer.concat([cipher.update(plaintext), cipher.final()]).toString('base64');
}

/** random | length | message | receiveid, PKCS#7-padded to 32 bytes, the pad bytes optionally set to `padValue`. */
export function plaintext(message: string, receiveId: string, opts: { length?: number; padValue?: number } = {}): Buffer {
  const msg = Buffer.from(message);
  const len = Buffer.alloc(4);
  len.writeUInt32BE(opts.length ?? msg.length);
  const body = Buffer.concat([randomBytes(16), len, msg, Buffer.from(receiveId)]);
  const pad = 32 - (body.length % 32);
  return Buffer.concat([body, Buffer.alloc(pad, opts.padValue ?? pad)]);
}

let counter = 0;

/** An AI-bot text callback's plaintext JSON (group @-message by default). */
export function botCallback(content: string, overrides: Record<string, unknown> = {}) {
  counter += 1;
  return {
    msgid: `CAIQ16HMjQYY${Date.now().toString(36)}${counter}`,
    aibotid: 'AIBOTID',
    chatid: 'wrkGroupA',
    chattype: 'group',
    from: { userid: 'wangwu' },
    response_url: 'https://qyapi.weixin.qq.com/cgi-bin/aibot/response?response_code=CODE',
    msgtype: 'text',
    text: { content },
    ...overrides,
  };
}

/** The query string and body of a signed POST carrying `encrypted`. */
export function signedPost(token: string, encrypted: string, timestamp: number, nonce = String(randomBytes(4).readUInt32BE())) {
  const ts = String(timestamp);
  return { query: `msg_signature=${getSignature(token, ts, nonce, encrypted)}&timestamp=${ts}&nonce=${nonce}`, nonce };
}

export function sealedBotBody(secrets: { token: string; encodingAESKey: string }, payload: unknown, timestamp: number) {
  const { encrypt } = sealEnvelope(secrets, JSON.stringify(payload), '', String(timestamp), 'unused');
  return encrypt;
}

/**
 * An AI-bot template_card_event's body (a group press by default), its key and task id nested under
 * `event.template_card_event` as WeCom's document of the events has them, or, `flat`, on `event`
 * itself as @wecom/aibot-node-sdk's types read them.
 */
export function cardPressEvent(
  key: string,
  taskId: string,
  opts: { userid?: string; chatid?: string | null; flat?: boolean; msgid?: string } = {},
) {
  counter += 1;
  const keys = { event_key: key, task_id: taskId };
  const chat = opts.chatid === null ? { chattype: 'single' } : { chatid: opts.chatid ?? 'wrkGroupA', chattype: 'group' };
  return {
    msgid: opts.msgid ?? `CAIQev${Date.now().toString(36)}${counter}`,
    create_time: Math.floor(Date.now() / 1000),
    aibotid: 'AIBOTID',
    ...chat,
    from: { userid: opts.userid ?? 'wangwu' },
    msgtype: 'event',
    event: opts.flat
      ? { eventtype: 'template_card_event', ...keys }
      : { eventtype: 'template_card_event', template_card_event: { card_type: 'button_interaction', ...keys } },
  };
}

/**
 * A WeCom app's contact-change callback (通讯录变更事件, `change_contact`) as WeCom posts it to the
 * app's callback URL: the event's XML (`fields` after ChangeType: UserID, Name, Department, …)
 * encrypted for the corp with the official library, in the outer XML, and its signed query.
 */
export function contactChangeCallback(
  secrets: { token: string; encodingAESKey: string; corpId: string; agentId: string },
  changeType: string,
  fields: Record<string, string>,
  timestamp: number,
) {
  const inner =
    `<xml><ToUserName><![CDATA[${secrets.corpId}]]></ToUserName><FromUserName><![CDATA[sys]]></FromUserName>` +
    `<CreateTime>${timestamp}</CreateTime><MsgType><![CDATA[event]]></MsgType><Event><![CDATA[change_contact]]></Event>` +
    `<ChangeType>${changeType}</ChangeType>${Object.entries(fields)
      .map(([k, v]) => `<${k}><![CDATA[${v}]]></${k}>`)
      .join('')}</xml>`;
  const encrypted = wecomEncrypt(secrets.encodingAESKey, inner, secrets.corpId);
  const body =
    `<xml><ToUserName><![CDATA[${secrets.corpId}]]></ToUserName><Encrypt><![CDATA[${encrypted}]]></Encrypt>` +
    `<AgentID><![CDATA[${secrets.agentId}]]></AgentID></xml>`;
  return { query: signedPost(secrets.token, encrypted, timestamp).query, body };
}
