// User text inside our markdown: it must not change the structure, link anywhere or mention anyone.

// Placed mid-line by our templates, user text needs only inline syntax escaped, not line-start marks.
const SPECIAL = /[\\`*_[\]<>~|]/g;

/** Escapes markdown syntax, neutralises @-mentions and folds newlines into spaces. */
export function escapeMarkdown(text: string): string {
  return text
    .replace(/[\r\n]+/g, ' ')
    .replace(SPECIAL, (c) => `\\${c}`)
    .replace(/[@＠]/g, '@\u200b');
}

/** Our markdown as plain text, for channels that only take text (WeCom app passive replies). */
export function markdownToText(markdown: string): string {
  return markdown
    .replace(/^---$/gm, '')
    .replace(/^>\s?/gm, '')
    .replace(/^#+\s+/gm, '')
    .replace(/\*\*(.+?)\*\*/g, '$1')
    .replace(/\\([\\`*_[\]<>~|])/g, '$1')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}
