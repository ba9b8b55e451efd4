import { serve } from '@hono/node-server';
import { Hono } from 'hono';

// The baseline the service is compared with: the same framework and Node adapter,
// answering the same routes without reading the body, verifying, decrypting or storing anything.
const app = new Hono();
app.get('/', (c) => c.text('ok'));
app.get('/webhooks/wecom/x', (c) => c.text('ok'));
app.post('/webhooks/dingtalk/x', (c) => c.json({ ok: true }));
app.post('/webhooks/wecom/x', (c) => c.json({ ok: true }));

serve({ fetch: app.fetch, port: Number(process.env.PORT) });
