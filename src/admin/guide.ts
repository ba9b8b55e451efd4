import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { Hono } from 'hono';
import { Marked } from 'marked';
import { PAGE_POLICY, pageHeaders } from './security-headers.ts';

// The user guide (docs/guide.md) as a page of its own: server-rendered, its style inline, no
// external asset, so that it opens on an intranet. The guide is our own text, not user input.

const GUIDE_FILE = new URL('../../docs/guide.md', import.meta.url);

const STYLE = `body{max-width:46rem;margin:2rem auto;padding:0 1rem;font:16px/1.7 system-ui,"PingFang SC","Microsoft YaHei",sans-serif;color:#222}
h1,h2,h3{line-height:1.3}h1{color:#b71c1c}code{background:#f4f4f4;padding:0 .2em;border-radius:3px}
pre{background:#f4f4f4;padding:.6rem;overflow:auto}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.3rem .6rem}
blockquote{margin:0;padding-left:1rem;border-left:3px solid #ddd;color:#555}`;

// The style stays inline, let through by its hash, so that the guide remains one self-contained page.
const STYLE_HASH = `'sha256-${createHash('sha256').update(STYLE, 'utf8').digest('base64')}'`;

let page: Promise<string> | undefined;

/**
 * A Markdown renderer whose headings carry their own text as id (a repeated one with -2, -3…), so
 * that the guide's table of contents links to `#签到`; marked no longer makes heading ids itself.
 */
function guideRenderer(): Marked {
  const seen = new Map<string, number>();
  return new Marked({
    renderer: {
      heading({ tokens, depth, text }) {
        const base = text
          .trim()
          .replace(/["<>&]/g, '')
          .replace(/\s+/g, '-');
        const n = (seen.get(base) ?? 0) + 1;
        seen.set(base, n);
        const id = n === 1 ? base : `${base}-${n}`;
        return `<h${depth} id="${id}">${this.parser.parseInline(tokens)}</h${depth}>\n`;
      },
    },
  });
}

async function render(): Promise<string> {
  const body = await guideRenderer().parse(await readFile(GUIDE_FILE, 'utf8'));
  return `<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>同心使用指南</title><style>${STYLE}</style></head><body>${body}</body></html>`;
}

/** GET /guide: the user guide, read and rendered once. */
export function guideRoutes(): Hono {
  const app = new Hono();
  app.use('*', pageHeaders({ ...PAGE_POLICY, styleSrc: [STYLE_HASH] }));
  app.get('/', async (c) => {
    page ??= render();
    return c.html(await page);
  });
  return app;
}
