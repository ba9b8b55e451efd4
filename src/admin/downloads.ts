import { type Context, Hono } from 'hono';
import type { ServiceDeps } from './deps.ts';
import { buildFile } from '../chat/files.ts';
import { linkTokenHash } from '../core/ids.ts';
import type { FileRecipe } from '../domain/outbound.ts';
import { getLiveLink, useLink } from '../../db/links.ts';
import { fileResponse } from './http.ts';

// GET /files/:token — 导出's one-time download link, for members no channel can send a file to.
// The token is the only credential: it works once, for 10 minutes, and only its hash is stored.

const GONE_PAGE = (reason: string) =>
  `<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>链接已失效</title></head><body style="max-width:36rem;margin:3rem auto;padding:0 1rem;font:16px/1.7 system-ui,'PingFang SC','Microsoft YaHei',sans-serif;color:#222"><h1 style="font-size:1.3rem">链接已失效</h1><p>${reason}</p></body></html>`;

const EXPIRED = '下载链接只能使用一次，并且 10 分钟内有效。请在私聊中重新发送「导出」获取新的链接。';

const gone = (c: Context, reason = EXPIRED) => {
  c.header('cache-control', 'no-store');
  return c.html(GONE_PAGE(reason), 410);
};

export function downloadRoutes(deps: Pick<ServiceDeps, 'db' | 'clock' | 'config'>): Hono {
  const { db, clock } = deps;
  const app = new Hono();
  app.get('/:token', async (c) => {
    const id = linkTokenHash(c.req.param('token'));
    const link = await getLiveLink(db, id, 'download', clock.now());
    if (!link) return gone(c);
    const file = await buildFile(db, link.org_id, JSON.parse(link.payload) as FileRecipe, deps.config.CHECKIN_CLOSES);
    if (!file) return gone(c, '要导出的支部或会议已不存在。');
    // Used only once the file is in hand, so that a failure does not spend the link; of two
    // requests at once, one gets the file.
    if (!(await useLink(db, id, clock.now()))) return gone(c);
    c.header('cache-control', 'no-store');
    c.header('referrer-policy', 'no-referrer');
    return fileResponse(c, file, `download.${file.type}`);
  });
  return app;
}
