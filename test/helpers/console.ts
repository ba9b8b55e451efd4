import type { Hono } from 'hono';
import { startWorkers } from '../../jobs/workers.ts';
import { type TestApp, startTestApp } from './app.ts';
import { viaDingtalk } from './chat.ts';
import type { TestDialect } from './db.ts';
import { type FakePlatform, type RecordedRequest, startFakePlatform } from './fake-platform.ts';

// The console as people reach it: 控制台 sent to the bot, the link that then arrives privately in
// the robot's one-to-one message (sent by the outbound worker, which these tests run), and a
// browser that keeps its cookie.

export const PUBLIC_URL = 'https://tongxin.example.gov.cn';

const LINK = /https?:\/\/[^/\s]+(\/console\/login\?t=([\w-]+))/;

export interface SignInLink {
  reply: string;
  /** The private message that carried the link. */
  message: RecordedRequest;
  text: string;
  path: string;
  token: string;
}

/** The markdown text of a DingTalk robot one-to-one message. */
export const privateText = (req: RecordedRequest): string =>
  (JSON.parse((req.body as { msgParam: string }).msgParam) as { text: string }).text;

/** 控制台 sent one-to-one on DingTalk by `staffId`, and the sign-in link that then reaches her account. */
export async function signInLink(t: TestApp, fake: FakePlatform, staffId: string, channel = 'dt1'): Promise<SignInLink> {
  const before = new Set(fake.requests);
  const reply = await viaDingtalk(t, channel, staffId, '控制台', { direct: true });
  const [message] = await fake.waitFor(
    (r) => !before.has(r) && r.path === '/v1.0/robot/oToMessages/batchSend' && (r.body as { userIds: string[] }).userIds.includes(staffId),
    15_000,
  );
  const text = privateText(message!);
  const match = LINK.exec(text);
  if (!match) throw new Error(`no sign-in link in: ${text}`);
  return { reply, message: message!, text, path: match[1]!, token: match[2]! };
}

export type Browser = ReturnType<typeof browser>;

/** A browser of its own: keeps every cookie it is given, as a browser would; `jar` shares another's. */
export function browser(app: { app: Hono }, jar = new Map<string, string>()) {
  return {
    jar,
    async request(path: string, init: RequestInit = {}) {
      const headers = new Headers(init.headers);
      if (jar.size) headers.set('cookie', [...jar].map(([k, v]) => `${k}=${v}`).join('; '));
      const res = await app.app.request(path, { ...init, headers });
      for (const set of res.headers.getSetCookie()) {
        const [name, value] = set.split(';')[0]!.split('=') as [string, string];
        if (value) jar.set(name, value);
        else jar.delete(name);
      }
      return res;
    },
    post(path: string, form: Record<string, string>, headers: Record<string, string> = {}) {
      return this.request(path, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
        body: new URLSearchParams(form).toString(),
      });
    },
  };
}

/** A browser signed in with the link 控制台 sent `staffId`; throws unless the sign-in worked. */
export async function signIn(t: TestApp, fake: FakePlatform, staffId: string): Promise<Browser> {
  const b = browser(t);
  const { token } = await signInLink(t, fake, staffId);
  const res = await b.post('/console/login', { t: token });
  if (res.status !== 303) throw new Error(`sign-in of ${staffId} answered ${res.status}`);
  return b;
}

/** The CSRF token a console page's forms carry. */
export const csrfOf = async (res: Response) => /name="_csrf" value="([^"]+)"/.exec(await res.text())![1]!;

export interface ConsoleRig {
  t: TestApp;
  fake: FakePlatform;
  close(): Promise<void>;
}

/** The service with the console on, a platform that records what it is sent, and the workers that send. */
export async function startConsole(dialect: TestDialect, now: number, seed: (t: TestApp) => Promise<void>): Promise<ConsoleRig> {
  const fake = await startFakePlatform();
  const api = { DINGTALK_OAPI_BASE: fake.url, DINGTALK_API_BASE: fake.url, WECOM_API_BASE: fake.url, PUBLIC_URL };
  const t = await startTestApp(dialect, { now, env: api });
  await seed(t);
  const workers = await startWorkers({ ...t });
  return {
    t,
    fake,
    async close() {
      await workers.close();
      await t.close();
      await fake.close();
    },
  };
}
