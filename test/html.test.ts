import { describe, expect, it } from 'vitest';
import { escapeHtml } from '../src/core/html.ts';

describe('escapeHtml', () => {
  it('leaves no mark that could open a tag, an entity or a quoted attribute', () => {
    expect(escapeHtml(`<a href="x" title='y'>A & B</a>`)).toBe('&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;A &amp; B&lt;/a&gt;');
  });

  it('escapes an ampersand once, so an entity typed by a user shows as typed', () => {
    expect(escapeHtml('&amp; 第一党支部')).toBe('&amp;amp; 第一党支部');
  });
});
