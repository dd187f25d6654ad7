import { describe, expect, it } from 'vitest';
import { escapeHtml, renderInline, renderMarkdown } from '../../../../src/adapters/web/widget/markdown.ts';

describe('renderMarkdown', () => {
  it('escapes every HTML character before anything else', () => {
    expect(renderMarkdown('<script>alert("x")</script> & \'q\'')).toBe('<p>&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;q&#39;</p>');
    expect(renderMarkdown('<img src=x onerror=alert(1)>')).not.toContain('<img');
  });

  it('renders bold, italic and code, and nothing inside code', () => {
    expect(renderInline('**bold** and *italic*')).toBe('<strong>bold</strong> and <em>italic</em>');
    expect(renderInline('**bold with *italic* inside**')).toBe('<strong>bold with <em>italic</em> inside</strong>');
    expect(renderInline('run `npm **i** <x>`')).toBe('run <code>npm **i** &lt;x&gt;</code>');
    expect(renderInline('2 * 3 * 4')).toBe('2 * 3 * 4');
  });

  it('links http, https and mailto, opening in a new tab without an opener', () => {
    expect(renderInline('[Docs](https://example.com/a?b=1&c=2)')).toBe(
      '<a href="https://example.com/a?b=1&amp;c=2" target="_blank" rel="noopener noreferrer">Docs</a>',
    );
    expect(renderInline('[mail](mailto:help@example.com)')).toContain('href="mailto:help@example.com"');
    expect(renderInline('[**bold** label](http://x.test)')).toContain('><strong>bold</strong> label</a>');
  });

  it('shows links of any other scheme as text', () => {
    for (const href of ['javascript:alert(1)', 'data:text/html,<b>x</b>', 'vbscript:x', '//evil.test', 'JAVASCRIPT:alert(1)']) {
      const html = renderInline(`[click](${href})`);
      expect(html).not.toContain('<a');
      expect(html).toContain('click');
    }
  });

  it('links bare http(s) URLs, leaving sentence punctuation outside', () => {
    expect(renderInline('see https://example.com/docs.')).toBe(
      'see <a href="https://example.com/docs" target="_blank" rel="noopener noreferrer">https://example.com/docs</a>.',
    );
    expect(renderInline('ftp://example.com')).toBe('ftp://example.com');
    expect(renderInline('https://x.test/"><script>')).toBe(
      '<a href="https://x.test/" target="_blank" rel="noopener noreferrer">https://x.test/</a>&quot;&gt;&lt;script&gt;',
    );
  });

  it('makes paragraphs from blank lines and line breaks from single newlines', () => {
    expect(renderMarkdown('one\ntwo\n\nthree')).toBe('<p>one<br>two</p><p>three</p>');
    expect(renderMarkdown('a\r\nb')).toBe('<p>a<br>b</p>');
  });

  it('renders "- ", "* " and "1. " lists', () => {
    expect(renderMarkdown('Steps:\n- one\n* two\n\n1. first\n2. second')).toBe(
      '<p>Steps:</p><ul><li>one</li><li>two</li></ul><ol><li>first</li><li>second</li></ol>',
    );
    expect(renderMarkdown('3. three\n4. four')).toBe('<ol start="3"><li>three</li><li>four</li></ol>');
    expect(renderMarkdown('- item\n  continued\nafter')).toBe('<ul><li>item<br>continued</li></ul><p>after</p>');
  });

  it('produces no tag other than its own, whatever the input', () => {
    const nasty = '<a href="javascript:x">[x](javascript:y)</a> **<b>** `<i>` https://t.test/<svg> - <li>\n- <ul>';
    const tags = [...renderMarkdown(nasty).matchAll(/<\/?([a-z]+)/g)].map((match) => match[1]);
    expect(new Set(tags)).toEqual(new Set(['p', 'a', 'strong', 'code', 'ul', 'li']));
    expect(renderMarkdown(nasty)).not.toContain('javascript:x"');
  });

  it('escapeHtml leaves plain text alone', () => {
    expect(escapeHtml('你好, world')).toBe('你好, world');
  });
});
