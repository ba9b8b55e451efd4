import { readFileSync } from 'node:fs';
import { type Context, Hono } from 'hono';

// The console's only assets, served by the service itself (no CDN, no web font: it may run on an
// intranet). The stylesheet is a file of its own, read once when the service starts.

const CSS = readFileSync(new URL('./console.css', import.meta.url), 'utf8');

// A one-time sign-in link opens a page whose form this script posts at once: a person
// gets there with one tap, while a chat app's link preview (which runs no script) cannot spend it.
const ENTER_JS = `document.addEventListener('DOMContentLoaded',function(){var f=document.getElementById('enter');if(f)f.submit();});`;

// Buttons that print the page: no inline handler, so that a page needs no script of its own.
const CONSOLE_JS = `document.addEventListener('DOMContentLoaded',function(){document.querySelectorAll('[data-print]').forEach(function(b){b.addEventListener('click',function(){window.print();});});});`;

// The icon of the tab: a white star on the console's red, drawn, so that no font is needed.
const FAVICON_SVG = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><rect width="32" height="32" rx="6" fill="#b71c1c"/><path fill="#fff" d="M16 5l3.1 7.6 8.2.6-6.3 5.3 2 8-7-4.4-7 4.4 2-8-6.3-5.3 8.2-.6z"/></svg>`;

const iconHeaders = { 'cache-control': 'public, max-age=86400', 'content-type': 'image/svg+xml' };

/** The icon at /favicon.ico, which browsers ask for on pages that name none (the guide, the queues). */
export const favicon = (c: Context) => c.body(FAVICON_SVG, 200, iconHeaders);

export const ASSET_PATH = '/assets';

export function assetRoutes(): Hono {
  const app = new Hono();
  const cached = { 'cache-control': 'public, max-age=3600' };
  app.get('/console.css', (c) => c.body(CSS, 200, { ...cached, 'content-type': 'text/css; charset=utf-8' }));
  app.get('/console.js', (c) => c.body(CONSOLE_JS, 200, { ...cached, 'content-type': 'text/javascript; charset=utf-8' }));
  app.get('/favicon.svg', favicon);
  app.get('/enter.js', (c) => c.body(ENTER_JS, 200, { ...cached, 'content-type': 'text/javascript; charset=utf-8' }));
  return app;
}
