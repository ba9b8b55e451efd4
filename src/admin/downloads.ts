import { type Context, Hono } from 'hono';
import { html } from 'hono/html';
import type { ServiceDeps } from './deps.ts';
import { buildFile } from '../chat/files.ts';
import { FILES_PATH } from '../chat/context.ts';
import { linkTokenHash } from '../core/ids.ts';
import type { FileRecipe } from '../domain/outbound.ts';
import { getLiveLink, useLink } from '../../db/links.ts';
import { fileResponse } from './http.ts';
import { page } from './console/layout.ts';

// /files/:token — 导出's one-time download link, for members no channel can send a file to. The
// token is the only credential: it works once, for 10 minutes, and only its hash is stored. Opening
// it (GET) spends nothing: the page posts its form at once, so a chat app's link preview cannot
// use up the link.

const EXPIRED = '下载链接只能使用一次，并且 10 分钟内有效。请在私聊中重新发送「导出」获取新的链接。';

const gone = (c: Context, reason = EXPIRED) =>
  c.html(page({ title: '链接已失效', body: html`<div class="login"><h1>链接已失效</h1><div class="error">${reason}</div></div>` }), 410, {
    'cache-control': 'no-store',
  });

export function downloadRoutes(deps: Pick<ServiceDeps, 'db' | 'clock' | 'config'>): Hono {
  const { db, clock } = deps;
  const app = new Hono();
  const recipeOf = async (c: Context) => {
    const id = linkTokenHash(c.req.param('token') ?? '');
    const link = await getLiveLink(db, id, 'download', clock.now());
    return link ? { id, recipe: JSON.parse(link.payload) as FileRecipe, orgId: link.org_id } : null;
  };

  app.get('/:token', async (c) => {
    if (!(await recipeOf(c))) return gone(c);
    return c.html(
      page({
        title: '下载文件',
        scripts: ['enter.js'],
        body: html`<div class="login">
          <h1>下载文件</h1>
          <div class="card">
            <form id="enter" method="post" action="${FILES_PATH}/${c.req.param('token')}">
              <p>正在下载……链接只能使用一次。</p>
              <button class="primary" type="submit">下载</button>
            </form>
          </div>
        </div>`,
      }),
      200,
      { 'cache-control': 'no-store', 'referrer-policy': 'no-referrer' },
    );
  });

  app.post('/:token', async (c) => {
    const found = await recipeOf(c);
    if (!found) return gone(c);
    const file = await buildFile(db, found.orgId, found.recipe, deps.config.CHECKIN_CLOSES);
    if (!file) return gone(c, '要导出的支部或会议已不存在。');
    // Used only once the file is in hand, so that a failure does not spend the link; of two
    // requests at once, one gets the file.
    if (!(await useLink(db, found.id, clock.now()))) return gone(c);
    c.header('cache-control', 'no-store');
    return fileResponse(c, file, `download.${file.type}`);
  });
  return app;
}
