import { html } from 'hono/html';
import type { HtmlEscapedString } from 'hono/utils/html';
import { CONSOLE_PATH } from '../../chat/context.ts';
import { ASSET_PATH } from './assets.ts';

// The frame of every console page: a header (who is signed in, sign-out), the tabs of the place
// shown, and the body. `html` escapes every value put into it; only our own markup goes in raw.

export type Html = HtmlEscapedString | Promise<HtmlEscapedString>;

export interface Tab {
  label: string;
  href: string;
  on?: boolean;
}

export interface PageOptions {
  title: string;
  body: Html;
  /** Who is signed in, with the session's CSRF token for the sign-out form; absent on sign-in pages. */
  viewer?: { name: string; csrf: string };
  tabs?: Tab[];
  /** Scripts of our own to load (paths under the asset route). */
  scripts?: string[];
}

export const assetUrl = (file: string) => `${CONSOLE_PATH}${ASSET_PATH}/${file}`;

export function page(opts: PageOptions): Html {
  const who = opts.viewer
    ? html`<span class="who">${opts.viewer.name}</span
        ><form method="post" action="${CONSOLE_PATH}/logout">
          <input type="hidden" name="_csrf" value="${opts.viewer.csrf}" /><button type="submit">退出</button>
        </form>`
    : '';
  const tabs = opts.tabs?.length
    ? html`<nav class="tabs">
        <div class="bar">${opts.tabs.map((t) => html`<a href="${t.href}" class="${t.on ? 'on' : ''}">${t.label}</a>`)}</div>
      </nav>`
    : '';
  return html`<!doctype html>
    <html lang="zh-CN">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width,initial-scale=1" />
        <meta name="referrer" content="same-origin" />
        <title>${opts.title} · 同心控制台</title>
        <link rel="icon" type="image/svg+xml" href="${assetUrl('favicon.svg')}" />
        <link rel="stylesheet" href="${assetUrl('console.css')}" />
        ${(opts.scripts ?? []).map((s) => html`<script src="${assetUrl(s)}"></script>`)}
      </head>
      <body>
        <header class="top">
          <div class="bar"><a class="brand" href="${CONSOLE_PATH}">同心 · 党建控制台</a>${who}</div>
        </header>
        ${tabs}
        <main>${opts.body}</main>
        <footer>同心：三会一课、四服务、五同周报，从群聊中来。</footer>
      </body>
    </html>`;
}
