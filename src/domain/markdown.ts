// User text inside our markdown: it must not change the structure, link anywhere or mention anyone.

// Placed mid-line by our templates, user text needs only inline syntax neutralised, not line-start
// marks. Neither platform documents a backslash escape in its markdown (and WeCom's takes
// `<font>` and `<@userid>` tags), so each mark becomes its full-width form, which no markdown reads
// and which reads naturally in Chinese text.
const FULL_WIDTH: Record<string, string> = {
  '\\': '＼',
  '`': '｀',
  '*': '＊',
  _: '＿',
  '[': '［',
  ']': '］',
  '<': '＜',
  '>': '＞',
  '~': '～',
  '|': '｜',
};
const SPECIAL = /[\\`*_[\]<>~|]/g;

/** Neutralises markdown and tags, @-mentions (a zero-width space after each @) and folds newlines into spaces. */
export function escapeMarkdown(text: string): string {
  return text
    .replace(/[\r\n]+/g, ' ')
    .replace(SPECIAL, (c) => FULL_WIDTH[c]!)
    .replace(/[@＠]/g, '@\u200b');
}

/** Our markdown as plain text, for channels that only take text (WeCom app passive replies). */
export function markdownToText(markdown: string): string {
  return markdown
    .replace(/^---$/gm, '')
    .replace(/^>\s?/gm, '')
    .replace(/^#+\s+/gm, '')
    .replace(/\*\*(.+?)\*\*/g, '$1')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

/** User text echoed inside our sentences: escaped, folded to one line, clipped to `max` characters, in 「」. */
export function quote(text: string, max = 50): string {
  const chars = [...text.trim()];
  return `「${escapeMarkdown(chars.length > max ? `${chars.slice(0, max).join('')}…` : chars.join(''))}」`;
}
