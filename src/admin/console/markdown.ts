import { Marked } from 'marked';
import { escapeHtml } from '../../core/html.ts';

// Our markdown (the digest) as HTML for a console page. The user text in it is already escaped for
// markdown (src/domain/markdown.ts), and this renderer adds a second guard: raw HTML is shown as
// text, and links and images as their text only, so nothing in it can run or lead elsewhere.

const safe = new Marked({
  gfm: true,
  renderer: {
    html: ({ text }) => escapeHtml(text),
    link({ tokens }) {
      return this.parser.parseInline(tokens);
    },
    image: ({ text }) => escapeHtml(text),
  },
});

export const markdownHtml = (markdown: string): string => safe.parse(markdown, { async: false });
