import { Hono } from 'hono';

// The Cloudflare Workers entry: for now an ingress that forwards webhook callbacks, unchanged, to
// the core service at CORE_URL. Verifying at the edge comes with the edge issue (SPEC §1).

type Bindings = { CORE_URL: string };

const app = new Hono<{ Bindings: Bindings }>();

app.all('/webhooks/*', (c) => {
  const url = new URL(c.req.url);
  const target = new URL(url.pathname + url.search, c.env.CORE_URL);
  return fetch(new Request(target, c.req.raw));
});

export default app;
