import { type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

// A stand-in for the platforms' APIs: point WECOM_API_BASE etc. at `url`, then assert on
// what arrived. Rules are keyed by method + path, so any platform's endpoints can be served.

export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  headers: IncomingHttpHeaders;
  /** Parsed JSON when the body is JSON, else the raw text ('' when empty). */
  body: unknown;
  /** The files of a multipart/form-data body (a media upload), by field. */
  files: { field: string; name: string; type: string; bytes: Buffer }[];
  at: number;
}

/** `json` is sent as application/json; `text` (for broken answers) as text/plain. */
export interface FakeAnswer {
  status?: number;
  json?: unknown;
  text?: string;
  /** Enqueued: the request is handled as it would be (the platform acts on it), and its answer lost on the way: a 504 instead. */
  lost?: true;
}

export type Responder = (req: RecordedRequest) => FakeAnswer | Promise<FakeAnswer>;

export interface FakePlatform {
  url: string;
  /** The HTTP server, for protocols that upgrade (the DingTalk Stream gateway). */
  server: Server;
  requests: RecordedRequest[];
  /** Answers every `method path` request with `responder` (overrides a default). */
  on(method: string, path: string, responder: Responder): void;
  /** One-shot answers, consumed in order before the `on` rule or default applies. */
  enqueue(method: string, path: string, ...answers: (FakeAnswer | Responder)[]): void;
  /** Forgets recorded requests, `on` rules, unconsumed one-shot answers and the cards made. */
  clear(): void;
  /** Resolves with the matching requests once `count` of them have arrived; rejects after `timeoutMs`. */
  waitFor(predicate: (req: RecordedRequest) => boolean, timeoutMs?: number, count?: number): Promise<RecordedRequest[]>;
  close(): Promise<void>;
}

const ruleKey = (method: string, path: string) => `${method.toUpperCase()} ${path}`;

/**
 * DingTalk's card createAndDeliver for a group, as its API reference and the SDK's response model
 * describe it: a 400 naming the first required field missing, else 200 with a result per space.
 * An outTrackId it holds already (`cards`) is refused with the reference's 400
 * `param.cardAlreadyExist`.
 */
function createAndDeliver(req: RecordedRequest, cards: Set<string>): FakeAnswer {
  const body = (req.body ?? {}) as Record<string, unknown>;
  const space = typeof body.openSpaceId === 'string' ? /^dtv1\.card\/\/IM_GROUP\.(.+)$/.exec(body.openSpaceId) : null;
  const deliver = body.imGroupOpenDeliverModel as { robotCode?: unknown; atUserIds?: unknown } | undefined;
  const at = deliver?.atUserIds;
  // atUserIds, where given: {userid: name}, every value a string.
  const atValid = at === undefined || (typeof at === 'object' && at !== null && Object.values(at).every((v) => typeof v === 'string'));
  const params = (body.cardData as { cardParamMap?: Record<string, unknown> } | undefined)?.cardParamMap;
  const missing = !req.headers['x-acs-dingtalk-access-token']
    ? { status: 401, code: 'InvalidAuthentication' }
    : typeof body.cardTemplateId !== 'string'
      ? { status: 400, code: 'param.cardTemplateIdEmpty' }
      : typeof body.outTrackId !== 'string'
        ? { status: 400, code: 'param.outTrackIdEmpty' }
        : !params || Object.values(params).some((v) => typeof v !== 'string')
          ? { status: 400, code: 'param.cardPublicDataEmpty' }
          : !space || typeof deliver?.robotCode !== 'string' || body.callbackType !== 'STREAM'
            ? { status: 400, code: 'param.openSpaceModelInvalid' }
            : !atValid
              ? { status: 400, code: 'param.openDeliverModelError' }
              : null;
  if (missing) return { status: missing.status, json: { code: missing.code, message: missing.code } };
  const outTrackId = body.outTrackId as string;
  if (cards.has(outTrackId)) return { status: 400, json: { code: 'param.cardAlreadyExist', message: 'param.cardAlreadyExist' } };
  cards.add(outTrackId);
  const spaceId = space![1]!;
  return {
    json: {
      success: true,
      result: {
        outTrackId: body.outTrackId,
        deliverResults: [{ spaceType: 'IM_GROUP', spaceId, success: true, carrierId: `carrier-${body.outTrackId}` }],
      },
    },
  };
}

/** The files of a multipart body, read by the platform's own parser (undici's FormData). */
async function multipartFiles(contentType: string | undefined, raw: Buffer): Promise<RecordedRequest['files']> {
  if (!contentType?.startsWith('multipart/form-data')) return [];
  const form = await new Response(new Uint8Array(raw), { headers: { 'content-type': contentType } }).formData();
  const files: RecordedRequest['files'] = [];
  for (const [field, value] of form.entries()) {
    if (typeof value === 'string') continue;
    files.push({ field, name: value.name, type: value.type, bytes: Buffer.from(await value.arrayBuffer()) });
  }
  return files;
}

export async function startFakePlatform(): Promise<FakePlatform> {
  const requests: RecordedRequest[] = [];
  const rules = new Map<string, Responder>();
  const queues = new Map<string, (FakeAnswer | Responder)[]>();
  const waiters = new Set<() => void>();
  let tokens = 0;
  let media = 0;
  /** The outTrackIds of the DingTalk cards made. */
  const cards = new Set<string>();

  const defaults = new Map<string, Responder>([
    [
      ruleKey('GET', '/cgi-bin/gettoken'),
      () => ({ json: { errcode: 0, errmsg: 'ok', access_token: `tok-${++tokens}`, expires_in: 7200 } }),
    ],
    [ruleKey('POST', '/cgi-bin/webhook/send'), () => ({ json: { errcode: 0, errmsg: 'ok' } })],
    [ruleKey('POST', '/cgi-bin/message/send'), () => ({ json: { errcode: 0, errmsg: 'ok' } })],
    [ruleKey('POST', '/robot/send'), () => ({ json: { errcode: 0, errmsg: 'ok' } })],
    [ruleKey('POST', '/robot/sendBySession'), () => ({ json: { errcode: 0, errmsg: 'ok' } })],
    [
      ruleKey('POST', '/cgi-bin/media/upload'),
      () => ({ json: { errcode: 0, errmsg: 'ok', type: 'file', media_id: `wecom-media-${++media}`, created_at: '1380000000' } }),
    ],
    [
      ruleKey('POST', '/media/upload'),
      () => ({ json: { errcode: 0, errmsg: 'ok', type: 'file', media_id: `@dingtalk-media-${++media}`, created_at: Date.now() } }),
    ],
    [
      ruleKey('GET', '/gettoken'),
      () => ({ json: { errcode: 0, errmsg: 'ok', access_token: `ding-oapi-token-${++tokens}`, expires_in: 7200 } }),
    ],
    [ruleKey('POST', '/v1.0/oauth2/accessToken'), () => ({ json: { accessToken: `ding-token-${++tokens}`, expireIn: 7200 } })],
    [ruleKey('POST', '/v1.0/robot/groupMessages/send'), () => ({ json: { processQueryKey: `pqk-${Date.now()}` } })],
    [ruleKey('POST', '/v1.0/card/instances/createAndDeliver'), (req) => createAndDeliver(req, cards)],
    [
      ruleKey('POST', '/v1.0/robot/oToMessages/batchSend'),
      () => ({ json: { processQueryKey: `pqk-${Date.now()}`, invalidStaffIdList: [], flowControlledStaffIdList: [] } }),
    ],
  ]);

  const answerFor = async (req: RecordedRequest): Promise<FakeAnswer> => {
    const key = ruleKey(req.method, req.path);
    const next = queues.get(key)?.shift();
    const usual = rules.get(key) ?? defaults.get(key);
    if (next && typeof next !== 'function' && next.lost) {
      await usual?.(req);
      return { status: 504, text: 'Gateway Timeout' };
    }
    const responder = next ?? usual;
    if (!responder) return { status: 404, json: { errcode: 404 } };
    return typeof responder === 'function' ? responder(req) : responder;
  };

  const handle = async (incoming: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    for await (const chunk of incoming) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks);
    const text = raw.toString('utf8');
    let body: unknown = text;
    try {
      body = JSON.parse(text);
    } catch {
      // not JSON: keep the text
    }
    const url = new URL(incoming.url ?? '/', 'http://fake');
    const req: RecordedRequest = {
      method: incoming.method ?? 'GET',
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      headers: incoming.headers,
      body,
      files: await multipartFiles(incoming.headers['content-type'], raw),
      at: Date.now(),
    };
    requests.push(req);
    for (const wake of waiters) wake();

    const answer = await answerFor(req);
    const status = answer.status ?? 200;
    if (answer.text !== undefined) {
      res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8' }).end(answer.text);
    } else {
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(answer.json ?? {}));
    }
  };

  const server = createServer((incoming, res) => {
    handle(incoming, res).catch((err: unknown) => {
      res.writeHead(500, { 'content-type': 'text/plain' }).end(String(err));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    server,
    requests,
    on(method, path, responder) {
      rules.set(ruleKey(method, path), responder);
    },
    enqueue(method, path, ...answers) {
      const key = ruleKey(method, path);
      queues.set(key, [...(queues.get(key) ?? []), ...answers]);
    },
    clear() {
      requests.length = 0;
      rules.clear();
      queues.clear();
      cards.clear();
    },
    waitFor(predicate, timeoutMs = 5_000, count = 1) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const matching = requests.filter(predicate);
          if (matching.length < count) return false;
          done();
          resolve(matching);
          return true;
        };
        const timer = setTimeout(() => {
          done();
          const seen = requests.map((r) => `${r.method} ${r.path}`).join(', ') || 'none';
          reject(new Error(`fake platform: expected ${count} matching request(s) within ${timeoutMs} ms; received: ${seen}`));
        }, timeoutMs);
        const wake = () => void check();
        const done = () => {
          clearTimeout(timer);
          waiters.delete(wake);
        };
        if (!check()) waiters.add(wake);
      });
    },
    close() {
      // fetch keeps connections alive; without this close() would wait for them to idle out.
      server.closeAllConnections();
      return new Promise((resolve, reject) => server.close((err) => (err ? reject(err) : resolve())));
    },
  };
}
