import { type Context, Hono } from 'hono';

// The console's only assets, served by the service itself (no CDN, no web font: it may run on an
// intranet). Fonts are the system's Chinese faces.

const CSS = `
:root{--red:#b71c1c;--ink:#222;--muted:#666;--line:#e3e3e3;--bg:#f6f6f4;--card:#fff}
*{box-sizing:border-box}
body{margin:0;background:var(--bg);color:var(--ink);font:15px/1.7 system-ui,"PingFang SC","Hiragino Sans GB","Microsoft YaHei","Noto Sans CJK SC","Source Han Sans SC",sans-serif}
a{color:var(--red);text-decoration:none}a:hover{text-decoration:underline}
header.top{background:var(--red);color:#fff}
header.top .bar{max-width:1100px;margin:0 auto;padding:.6rem 1.2rem;display:flex;align-items:center;gap:1.2rem}
header.top .brand{font-size:1.15rem;font-weight:600;letter-spacing:.08em;color:#fff}
header.top .who{margin-left:auto;font-size:.9rem;opacity:.95}
header.top form{display:inline}
header.top button{background:transparent;border:1px solid rgba(255,255,255,.7);color:#fff;border-radius:4px;padding:.15rem .7rem;cursor:pointer;font:inherit;font-size:.85rem}
nav.tabs{background:#fff;border-bottom:1px solid var(--line)}
nav.tabs .bar{max-width:1100px;margin:0 auto;padding:0 1.2rem;display:flex;gap:1.4rem;flex-wrap:wrap}
nav.tabs a{display:inline-block;padding:.55rem 0;color:var(--ink);border-bottom:2px solid transparent}
nav.tabs a.on{border-color:var(--red);color:var(--red);font-weight:600}
main{max-width:1100px;margin:0 auto;padding:1.2rem}
h1{font-size:1.35rem;margin:.2rem 0 1rem;font-weight:600}
h2{font-size:1.05rem;margin:0 0 .7rem;font-weight:600}
.crumbs{color:var(--muted);font-size:.88rem;margin-bottom:.2rem}
.grid{display:grid;grid-template-columns:repeat(auto-fit,minmax(330px,1fr));gap:1rem}
.card{background:var(--card);border:1px solid var(--line);border-radius:6px;padding:1rem 1.1rem;margin-bottom:1rem}
.card svg{max-width:100%;height:auto}
table{border-collapse:collapse;width:100%;font-size:.93rem}
th,td{border-bottom:1px solid var(--line);padding:.45rem .5rem;text-align:left;vertical-align:top}
th{background:#fafafa;font-weight:600;color:#444;white-space:nowrap}
td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}
.muted{color:var(--muted)}
.tag{display:inline-block;white-space:nowrap;border-radius:3px;padding:0 .4rem;font-size:.82rem;background:#f1f1f1;color:#555}
.tag.done{background:#e8f3ea;color:#1f6b2c}.tag.overdue{background:#fbe9e7;color:#a32b17}
.login{max-width:420px;margin:4rem auto}
.login .card{padding:1.6rem}
label{display:block;margin:.6rem 0 .25rem;font-weight:600;font-size:.92rem}
input[type=password],input[type=text],input[type=date],select{width:100%;padding:.45rem .6rem;border:1px solid #ccc;border-radius:4px;font:inherit}
button.primary{background:var(--red);color:#fff;border:0;border-radius:4px;padding:.5rem 1.2rem;font:inherit;cursor:pointer;margin-top:.9rem}
.notice{background:#fff8e1;border:1px solid #f3e0a5;border-radius:4px;padding:.6rem .8rem;margin-bottom:1rem}
.error{background:#fdecea;border:1px solid #f5c2bd;border-radius:4px;padding:.6rem .8rem;margin-bottom:1rem}
footer{max-width:1100px;margin:1rem auto 2rem;padding:0 1.2rem;color:#999;font-size:.8rem}
.actions{display:flex;gap:.6rem;margin:.4rem 0 1rem}
.actions button,a.button,button.plain{background:#fff;border:1px solid #ccc;border-radius:4px;padding:.35rem .9rem;font:inherit;color:var(--ink);cursor:pointer}
a.button:hover{text-decoration:none;border-color:var(--red)}
.record{max-width:760px}
.record-title{text-align:center;font-size:1.5rem;letter-spacing:.1em;margin:.4rem 0 1.2rem}
.record-table th{width:8.5em;background:#fafafa;white-space:nowrap}
.record-table td div+div{margin-top:.2rem}
.filters{display:flex;flex-wrap:wrap;gap:.8rem;align-items:flex-end;margin-bottom:1rem}
.filters label{margin:0 0 .2rem}
.filters.spaced{margin-top:.8rem}
.filters input,.filters select{width:auto;min-width:8rem}
form.inline{display:inline}
.form-grid{display:grid;grid-template-columns:repeat(auto-fit,minmax(220px,1fr));gap:0 1.2rem}
.ok{background:#e8f3ea;border:1px solid #b7dcbf;border-radius:4px;padding:.6rem .8rem;margin-bottom:1rem}
.digest h2{font-size:1.15rem;margin:.2rem 0 .4rem}.digest h3{font-size:1rem;margin:1rem 0 .3rem}.digest ul{margin:.2rem 0;padding-left:1.3rem}.digest blockquote{margin:.4rem 0;padding-left:.8rem;border-left:3px solid #ddd;color:#555}.digest p{margin:.3rem 0}
ul.downloads{padding-left:1.2rem}
p.value{margin:.45rem 0}
.scroll{max-height:24rem;overflow:auto;margin-bottom:1rem}
.table-wrap{overflow-x:auto}
.table-wrap th,.table-wrap td,.scroll th,.scroll td{white-space:nowrap}
.table-wrap td.text{white-space:normal;min-width:12em}
code{overflow-wrap:anywhere}
@media screen and (max-width:640px){main{padding:.8rem}.card{padding:.8rem}header.top .bar,nav.tabs .bar{padding-left:.8rem;padding-right:.8rem}nav.tabs .bar{gap:0 1rem}table.kv tr{display:block;border-bottom:1px solid var(--line);padding:.3rem 0}table.kv th,table.kv td{display:block;width:auto;border:0;padding:0 .2rem;background:none}}
@page{size:A4;margin:20mm 18mm}
@media print{header.top,nav.tabs,footer,.noprint{display:none}body{background:#fff;font-size:12pt}main{padding:0;max-width:none}.card{border:0;padding:0}.record{max-width:none}.record-table th,.record-table td{border:1px solid #000}}
`;

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
