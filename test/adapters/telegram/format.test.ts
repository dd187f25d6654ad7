import { describe, expect, it } from 'vitest';
import {
  escapeHtml,
  formatForTelegram,
  markdownToTelegramHtml,
  renderInline,
  TELEGRAM_TEXT_LIMIT,
} from '../../../src/adapters/telegram/format.ts';
import { checkTelegramHtml } from './telegram-html.ts';

/** Distinct, recognisable paragraphs of about `size` characters. */
function paragraphs(count: number, size: number): string[] {
  return Array.from({ length: count }, (_, n) => {
    const words = [`Paragraph ${n + 1}:`];
    while (words.join(' ').length < size) words.push(`word${n}x${words.length}`);
    return `${words.join(' ')}.`;
  });
}

function expectValid(html: string): string {
  const { problems, visible } = checkTelegramHtml(html);
  expect(problems, html).toEqual([]);
  return visible;
}

describe('splitting at 4,096 characters', () => {
  it('splits a 10,000-character Markdown answer into messages of at most 4,096 characters, between paragraphs', () => {
    const source = paragraphs(34, 300);
    const markdown = source.join('\n\n');
    expect(markdown.length).toBeGreaterThanOrEqual(10_000);

    const chunks = formatForTelegram(markdown, 'markdown');

    expect(chunks.length).toBe(3);
    const seen: string[] = [];
    for (const chunk of chunks) {
      expect(chunk.text.length).toBeLessThanOrEqual(TELEGRAM_TEXT_LIMIT);
      expect(chunk.parseMode).toBe('HTML');
      expectValid(chunk.text);
      // Every message is made of whole paragraphs.
      seen.push(...chunk.text.split('\n\n'));
    }
    expect(seen).toEqual(source);
  });

  it('splits plain text the same way, with no parse mode', () => {
    const source = paragraphs(40, 260);
    const chunks = formatForTelegram(source.join('\n\n'), 'plain');
    expect(chunks.length).toBeGreaterThan(2);
    for (const chunk of chunks) {
      expect(chunk.parseMode).toBeUndefined();
      expect(chunk.text.length).toBeLessThanOrEqual(TELEGRAM_TEXT_LIMIT);
    }
    expect(chunks.flatMap((c) => c.text.split('\n\n'))).toEqual(source);
  });

  it('cuts one giant paragraph between sentences or words, never inside a word', () => {
    const words = Array.from({ length: 2000 }, (_, n) => `w${n}`);
    const text = words.join(' ');
    expect(text.length).toBeGreaterThan(8000);
    const chunks = formatForTelegram(text, 'markdown');
    expect(chunks.length).toBeGreaterThan(1);
    for (const chunk of chunks) expect(chunk.text.length).toBeLessThanOrEqual(TELEGRAM_TEXT_LIMIT);
    expect(chunks.flatMap((c) => c.plain.split(/\s+/))).toEqual(words);
  });

  it('hard-cuts text without any space (a long URL, CJK) and loses nothing', () => {
    const text = '我'.repeat(5000) + 'x'.repeat(5000);
    const chunks = formatForTelegram(text, 'plain');
    expect(chunks.length).toBe(3);
    for (const chunk of chunks) expect(chunk.text.length).toBeLessThanOrEqual(TELEGRAM_TEXT_LIMIT);
    expect(chunks.map((c) => c.text).join('')).toBe(text);
  });

  it('counts escapes against the limit: 10,000 ampersands still fit', () => {
    const chunks = formatForTelegram('&'.repeat(10_000), 'markdown');
    for (const chunk of chunks) {
      expect(chunk.text.length).toBeLessThanOrEqual(TELEGRAM_TEXT_LIMIT);
      expectValid(chunk.text);
    }
    expect(chunks.map((c) => c.plain).join('')).toBe('&'.repeat(10_000));
  });

  it('splits a code block larger than a message into several valid <pre> blocks', () => {
    const code = Array.from({ length: 400 }, (_, n) => `const value${n} = a < b && c > d; // line ${n}`).join('\n');
    const chunks = formatForTelegram(`Run this:\n\n\`\`\`ts\n${code}\n\`\`\``, 'markdown');
    expect(chunks.length).toBeGreaterThan(2);
    for (const chunk of chunks) {
      expect(chunk.text.length).toBeLessThanOrEqual(TELEGRAM_TEXT_LIMIT);
      expectValid(chunk.text);
    }
    expect(chunks[1]!.text.startsWith('<pre><code class="language-ts">')).toBe(true);
  });
});

describe('Markdown → Telegram HTML', () => {
  it('renders the usual Markdown of KB articles', () => {
    expect(renderInline('**Bold** and *italic* and _also italic_ and ~~gone~~')).toBe(
      '<b>Bold</b> and <i>italic</i> and <i>also italic</i> and <s>gone</s>',
    );
    expect(renderInline('Open [Settings](https://example.com/a?b=1&c="2") now')).toBe(
      'Open <a href="https://example.com/a?b=1&amp;c=&quot;2&quot;">Settings</a> now',
    );
    expect(renderInline('Run `rm -rf <dir> && echo *done*`')).toBe('Run <code>rm -rf &lt;dir&gt; &amp;&amp; echo *done*</code>');
    expect(markdownToTelegramHtml('# Refunds\n\n- one\n- two\n\n> quoted **text**')).toBe(
      '<b>Refunds</b>\n\n• one\n• two\n\n<blockquote>quoted <b>text</b></blockquote>',
    );
    expect(markdownToTelegramHtml('```\na < b\n```')).toBe('<pre>a &lt; b</pre>');
  });

  it('leaves stray _, *, < and & as literal text', () => {
    const cases: Array<[string, string]> = [
      ['set max_retry_count to 3', 'set max_retry_count to 3'],
      ['2 * 3 * 4 = 24', '2 * 3 * 4 = 24'],
      ['a < b && c > d', 'a &lt; b &amp;&amp; c &gt; d'],
      ['**unclosed bold', '**unclosed bold'],
      ['_starts but never ends', '_starts but never ends'],
      ['file_name_*.txt', 'file_name_*.txt'],
      ['<script>alert(1)</script>', '&lt;script&gt;alert(1)&lt;/script&gt;'],
      ['AT&T and &amp; and &#169;', 'AT&amp;T and &amp;amp; and &amp;#169;'],
      ['\\*not italic\\*', '*not italic*'],
    ];
    for (const [input, html] of cases) expect(renderInline(input), input).toBe(html);
  });

  it('never lets emphasis cross: **a *b** c* stays balanced', () => {
    const html = renderInline('**a *b** c*');
    expectValid(html);
    expect(checkTelegramHtml(html).visible).toContain('c');
  });

  it('refuses links that are not http(s), mailto or tg', () => {
    const html = renderInline('[click](javascript:alert(1))');
    expect(html).not.toContain('<a');
    expectValid(html);
  });

  it('produces HTML Telegram accepts for any mix of Markdown specials (seeded fuzz)', () => {
    let seed = 42;
    const random = (): number => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    const alphabet = ['*', '**', '_', '__', '~~', '`', '<', '>', '&', '[', ']', '(', ')', 'http://x.y', '\\', '#', '- ', '> ', '\n', '\n\n', ' ', 'a', 'word', '1.', '```', '&amp;', '"'];
    for (let n = 0; n < 3000; n++) {
      const length = 1 + Math.floor(random() * 30);
      const input = Array.from({ length }, () => alphabet[Math.floor(random() * alphabet.length)]).join('');
      for (const chunk of formatForTelegram(input, 'markdown')) {
        const { problems } = checkTelegramHtml(chunk.text);
        expect(problems, JSON.stringify(input)).toEqual([]);
      }
    }
  });

  it('keeps every visible character of plain words', () => {
    const text = 'Price: 5 < 7 & 8 > 2 — "quoted" it_is *fine*';
    const visible = expectValid(markdownToTelegramHtml(text));
    expect(visible).toBe('Price: 5 < 7 & 8 > 2 — "quoted" it_is fine');
    expect(escapeHtml('<&>')).toBe('&lt;&amp;&gt;');
  });
});
