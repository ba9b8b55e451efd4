import { once } from 'node:events';
import { type IncomingMessage, createServer } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import edge from '../src/edge.ts';

describe('the Workers ingress (src/edge.ts)', () => {
  const seen: { method: string; url: string; body: string; sign: string | undefined }[] = [];
  const core = createServer(async (req: IncomingMessage, res) => {
    let body = '';
    for await (const chunk of req) body += chunk;
    seen.push({ method: req.method!, url: req.url!, body, sign: req.headers.sign as string | undefined });
    res.writeHead(200, { 'content-type': 'application/json' }).end('{"msgtype":"empty"}');
  });
  let coreUrl: string;
  beforeAll(async () => {
    core.listen(0, '127.0.0.1');
    await once(core, 'listening');
    coreUrl = `http://127.0.0.1:${(core.address() as { port: number }).port}`;
  });
  afterAll(() => core.close());

  it('forwards a webhook unchanged to the core and relays its answer', async () => {
    const res = await edge.fetch(
      new Request('https://edge.example/webhooks/dingtalk/dt1?x=1', { method: 'POST', headers: { sign: 'abc' }, body: '{"msgId":"1"}' }),
      { CORE_URL: coreUrl },
    );
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ msgtype: 'empty' });
    expect(seen).toEqual([{ method: 'POST', url: '/webhooks/dingtalk/dt1?x=1', body: '{"msgId":"1"}', sign: 'abc' }]);
  });

  it('serves nothing but webhooks', async () => {
    expect((await edge.fetch(new Request('https://edge.example/admin/orgs/x'), { CORE_URL: coreUrl })).status).toBe(404);
  });
});
