import { describe, expect, it } from 'vitest';
import { markdownHtml } from '../src/admin/console/markdown.ts';

describe('the console’s markdown', () => {
  it('renders our markdown, and shows raw HTML, links and images as text only', () => {
    expect(markdownHtml('### 五同\n- 同研究：本周 1')).toBe('<h3>五同</h3>\n<ul>\n<li>同研究：本周 1</li>\n</ul>\n');
    const hostile = markdownHtml(
      '<script>alert(1)</script>\n\n[点我](javascript:alert(1)) ![x](https://evil.example/a.png) <img src=x onerror=alert(1)>',
    );
    expect(hostile).not.toMatch(/<script|<a |<img|javascript:|evil\.example/);
    expect(hostile).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(hostile).toContain('点我');
  });
});
