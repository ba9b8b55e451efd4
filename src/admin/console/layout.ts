import { html } from 'hono/html';
import type { HtmlEscapedString } from 'hono/utils/html';
import { CONSOLE_PATH } from '../../chat/context.ts';
import { ASSET_PATH } from './assets.ts';

// The frame of every console page: a header (who is signed in, sign-out), the tabs of the place
// shown, and the body. `html` escapes every value put into it; only our own markup goes in raw.
// Pages are views (views/): functions of a view model that return the page, with no request or
// database in reach; the routes load, ask the policy, and hand the model over.

export type Html = HtmlEscapedString | Promise<HtmlEscapedString>;

export interface Tab {
  label: string;
  href: string;
  on?: boolean;
}

/** Who is signed in, with the session's CSRF token for the sign-out form. */
export interface PageViewer {
  name: string;
  csrf: string;
}

/** What frames an org's page: who views it, the org's name, the org's tabs. */
export interface OrgFrame {
  viewer: PageViewer;
  orgName: string;
  tabs: Tab[];
}

/** What frames a branch's page: who views it, the org's and the branch's names, the branch's tabs. */
export interface BranchFrame extends OrgFrame {
  branchName: string;
}

/** What a page says after a write: done (ok) or not (error). */
export interface Notice {
  kind: 'ok' | 'error';
  text: string;
}

export const notice = (n: Notice | null): Html | '' => (n ? html`<div class="${n.kind}">${n.text}</div>` : '');

export interface PageOptions {
  title: string;
  body: Html;
  /** Absent on sign-in pages. */
  viewer?: PageViewer;
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

/** A branch page in its frame: the org above, `第一党支部 · 会议` as its heading, the branch's tabs. */
export function branchPage(frame: BranchFrame, heading: string, body: Html): Html {
  return page({
    title: `${frame.branchName}${heading}`,
    viewer: frame.viewer,
    tabs: frame.tabs,
    body: html`<div class="crumbs">${frame.orgName}</div>
      <h1>${frame.branchName} · ${heading}</h1>
      ${body}`,
  });
}

/** What a viewer gets for a place they may not see: the same as for one that does not exist. */
export const notFoundPage = (viewer: PageViewer) =>
  page({ title: '未找到', viewer, body: html`<h1>未找到</h1><p>没有这个页面，或你无权查看。</p>` });

/** A write whose CSRF token or Origin does not hold: nothing was written. */
export const formExpiredPage = (viewer: PageViewer) =>
  page({ title: '请求已过期', viewer, body: html`<div class="error">请求已过期，请返回刷新页面后重试。</div>` });
