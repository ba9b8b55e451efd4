import { openEnvelope, sealEnvelope } from '../../src/platforms/wecom/crypto.ts';
import { parseFlatXml } from '../../src/platforms/wecom/xml.ts';
import type { TestApp } from './app.ts';
import { dingtalkCallback, signedHeaders } from './dingtalk.ts';
import { SAMPLE, botCallback, sealedBotBody, signedPost } from './wecom.ts';

// Chat as a member would: through the real webhooks, reading back the reply text ('' for silence).

export async function viaDingtalk(
  t: TestApp,
  channel: string,
  staffId: string,
  text: string,
  opts: { direct?: boolean; chat?: string } = {},
): Promise<string> {
  return (await dingtalkReply(t, channel, staffId, text, opts)).text;
}

/** The same, with the reply's title as a notification shows it ('' and '' for silence). */
export async function dingtalkReply(
  t: TestApp,
  channel: string,
  staffId: string,
  text: string,
  opts: { direct?: boolean; chat?: string } = {},
): Promise<{ title: string; text: string }> {
  const body = dingtalkCallback(text, {
    senderStaffId: staffId,
    conversationType: opts.direct ? '1' : '2',
    ...(opts.chat ? { conversationId: opts.chat } : {}),
  });
  const res = await t.app.request(`/webhooks/dingtalk/${channel}`, {
    method: 'POST',
    headers: signedHeaders(t.clock.now()),
    body: JSON.stringify(body),
  });
  if (res.status !== 200) throw new Error(`DingTalk webhook answered ${res.status}`);
  const reply = (await res.json()) as { msgtype: string; markdown?: { title: string; text: string } };
  return { title: reply.markdown?.title ?? '', text: reply.markdown?.text ?? '' };
}

export async function viaWecomBot(
  t: TestApp,
  channel: string,
  secrets: { token: string; encodingAESKey: string },
  userid: string,
  text: string,
  opts: { direct?: boolean; chat?: string } = {},
): Promise<string> {
  const ts = Math.floor(t.clock.now() / 1000);
  const payload = botCallback(`@党建助手 ${text}`, {
    from: { userid },
    chattype: opts.direct ? 'single' : 'group',
    ...(opts.chat ? { chatid: opts.chat } : {}),
  });
  const encrypted = sealedBotBody(secrets, payload, ts);
  const { query } = signedPost(secrets.token, encrypted, ts);
  const res = await t.app.request(`/webhooks/wecom/${channel}?${query}`, { method: 'POST', body: JSON.stringify({ encrypt: encrypted }) });
  if (res.status !== 200) throw new Error(`WeCom webhook answered ${res.status}`);
  const raw = await res.text();
  if (!raw) return '';
  const reply = JSON.parse(openEnvelope(secrets.encodingAESKey, (JSON.parse(raw) as { encrypt: string }).encrypt, '')) as {
    stream: { content: string };
  };
  return reply.stream.content;
}

let appMessages = 0;

/** One-to-one through a WeCom self-built app (XML callback, the official sample's secrets): the reply's text. */
export async function viaWecomApp(t: TestApp, channel: string, userid: string, text: string): Promise<string> {
  const ts = Math.floor(t.clock.now() / 1000);
  const inner =
    `<xml><ToUserName><![CDATA[${SAMPLE.corpId}]]></ToUserName><FromUserName><![CDATA[${userid}]]></FromUserName>` +
    `<CreateTime>${ts}</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[${text}]]></Content>` +
    `<MsgId>${Date.now()}${++appMessages}</MsgId><AgentID>218</AgentID></xml>`;
  const encrypted = sealEnvelope(SAMPLE, inner, SAMPLE.corpId, String(ts), 'n').encrypt;
  const { query } = signedPost(SAMPLE.token, encrypted, ts);
  const body = `<xml><ToUserName><![CDATA[${SAMPLE.corpId}]]></ToUserName><Encrypt><![CDATA[${encrypted}]]></Encrypt><AgentID><![CDATA[218]]></AgentID></xml>`;
  const res = await t.app.request(`/webhooks/wecom/${channel}?${query}`, { method: 'POST', headers: { 'content-type': 'text/xml' }, body });
  if (res.status !== 200) throw new Error(`WeCom app webhook answered ${res.status}`);
  const raw = await res.text();
  if (!raw) return '';
  const outer = parseFlatXml(raw);
  return parseFlatXml(openEnvelope(SAMPLE.encodingAESKey, outer.Encrypt!, SAMPLE.corpId)).Content ?? '';
}
