// Markdown (from KB articles) → Telegram HTML, and splitting at Telegram's 4,096-character
// message limit on paragraph boundaries. The one promise here: whatever the input — stray `_`,
// `*`, `<`, `&`, unbalanced emphasis — the output is HTML Telegram accepts. Emphasis that cannot
// be rendered as balanced tags is left as literal text rather than risking a failed send.

/** Telegram's limit for one message text (core.telegram.org/bots/api#sendmessage). */
export const TELEGRAM_TEXT_LIMIT = 4096;

export type TextFormat = 'plain' | 'markdown';

/** One message to send: `text` for the chosen parse mode, `plain` as a no-parse-mode fallback. */
export interface TelegramChunk {
  text: string;
  parseMode: 'HTML' | undefined;
  /** The same content without markup (entities decoded), never longer than `text`. */
  plain: string;
}

export function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function escapeAttribute(text: string): string {
  return escapeHtml(text).replace(/"/g, '&quot;');
}

/** The text a reader sees for a piece of our HTML: tags dropped, entities decoded. */
export function htmlToPlain(html: string): string {
  return html
    .replace(/<[^>]*>/g, '')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&amp;/g, '&');
}

// ---------------------------------------------------------------------------------------------
// Inline Markdown

const PLACEHOLDER_OPEN = '\uE000';
const PLACEHOLDER_CLOSE = '\uE001';
const PLACEHOLDER = /\uE000(\d+)\uE001/g;
const SAFE_LINK = /^(https?:\/\/|mailto:|tg:\/\/)[^\s]+$/i;

const EMPHASIS: Array<[RegExp, string]> = [
  [/\*\*(?=\S)(.+?)(?<=\S)\*\*/g, 'b'],
  [/(?<![\p{L}\p{N}_])__(?=\S)(.+?)(?<=\S)__(?![\p{L}\p{N}_])/gu, 'b'],
  [/~~(?=\S)(.+?)(?<=\S)~~/g, 's'],
  [/(?<![\p{L}\p{N}*\\])\*(?=[^\s*])(.+?)(?<=[^\s*])\*(?![\p{L}\p{N}*])/gu, 'i'],
  [/(?<![\p{L}\p{N}_\\])_(?=[^\s_])(.+?)(?<=[^\s_])_(?![\p{L}\p{N}_])/gu, 'i'],
];

/** One line of Markdown → HTML; always well-formed. */
export function renderInline(line: string): string {
  const protectedParts: string[] = [];
  const protect = (html: string): string => `${PLACEHOLDER_OPEN}${protectedParts.push(html) - 1}${PLACEHOLDER_CLOSE}`;
  let text = line.replace(/[\uE000\uE001]/g, '');
  text = text.replace(/`([^`\n]+)`/g, (_m, code: string) => protect(`<code>${escapeHtml(code)}</code>`));
  text = text.replace(/\[([^\]\n]+)\]\(([^)\s]+)\)/g, (_m, label: string, url: string) =>
    SAFE_LINK.test(url)
      ? protect(`<a href="${escapeAttribute(url)}">${escapeHtml(label)}</a>`)
      : protect(`${escapeHtml(label)} (${escapeHtml(url)})`),
  );
  // Backslash escapes (\* \_ …) stay literal characters.
  text = text.replace(/\\([\\`*_~[\]()#>!-])/g, (_m, ch: string) => protect(escapeHtml(ch)));
  const escaped = escapeHtml(text);
  let html = escaped;
  for (const [pattern, tag] of EMPHASIS) html = html.replace(pattern, `<${tag}>$1</${tag}>`);
  if (!isBalanced(html)) html = escaped;
  return html.replace(PLACEHOLDER, (_m, index: string) => protectedParts[Number(index)] ?? '');
}

/** Our own tags nest properly (no `<b><i></b></i>`). */
function isBalanced(html: string): boolean {
  const stack: string[] = [];
  for (const match of html.matchAll(/<(\/?)([a-z]+)[^>]*>/g)) {
    const [, closing, tag] = match;
    if (closing === '') stack.push(tag!);
    else if (stack.pop() !== tag) return false;
  }
  return stack.length === 0;
}

// ---------------------------------------------------------------------------------------------
// Blocks

interface Block {
  kind: 'code' | 'text';
  /** For code: the code itself; for text: the Markdown source of the paragraph. */
  source: string;
  language?: string;
}

/** Paragraphs are separated by blank lines; a fenced code block is one block whatever it holds. */
export function splitBlocks(markdown: string): Block[] {
  const blocks: Block[] = [];
  const lines = markdown.replace(/\r\n?/g, '\n').split('\n');
  let paragraph: string[] = [];
  const flush = (): void => {
    if (paragraph.some((l) => l.trim() !== '')) blocks.push({ kind: 'text', source: paragraph.join('\n') });
    paragraph = [];
  };
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const fence = /^\s*(```+|~~~+)\s*([\w+-]*)\s*$/.exec(line);
    if (fence !== null) {
      const close = lines.findIndex((l, j) => j > i && l.trim().startsWith(fence[1]!));
      if (close !== -1) {
        flush();
        blocks.push({ kind: 'code', source: lines.slice(i + 1, close).join('\n'), language: fence[2] || undefined });
        i = close;
        continue;
      }
    }
    if (line.trim() === '') flush();
    else paragraph.push(line);
  }
  flush();
  return blocks;
}

function renderCode(code: string, language: string | undefined): string {
  const body = escapeHtml(code);
  return language === undefined
    ? `<pre>${body}</pre>`
    : `<pre><code class="language-${escapeAttribute(language)}">${body}</code></pre>`;
}

/** A paragraph of Markdown → HTML: headings bold, bullets as •, quotes as blockquote. */
export function renderParagraph(source: string): string {
  const out: string[] = [];
  let quote: string[] = [];
  const flushQuote = (): void => {
    if (quote.length > 0) out.push(`<blockquote>${quote.join('\n')}</blockquote>`);
    quote = [];
  };
  for (const line of source.split('\n')) {
    const quoted = /^\s*>\s?(.*)$/.exec(line);
    if (quoted !== null) {
      quote.push(renderInline(quoted[1]!));
      continue;
    }
    flushQuote();
    const heading = /^\s*#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
    const bullet = /^(\s*)[-*+]\s+(.*)$/.exec(line);
    if (heading !== null) out.push(`<b>${renderInline(heading[1]!)}</b>`);
    else if (/^\s*([-*_])(\s*\1){2,}\s*$/.test(line)) out.push('──────────');
    else if (bullet !== null) out.push(`${bullet[1]}• ${renderInline(bullet[2]!)}`);
    else out.push(renderInline(line));
  }
  flushQuote();
  return out.join('\n');
}

/** The whole text as Telegram HTML, unsplit. */
export function markdownToTelegramHtml(markdown: string): string {
  return splitBlocks(markdown)
    .map((b) => (b.kind === 'code' ? renderCode(b.source, b.language) : renderParagraph(b.source)))
    .join('\n\n');
}

// ---------------------------------------------------------------------------------------------
// Splitting

type Render = (source: string) => string;

// Ever finer ways to cut a piece that does not fit: lines, sentences, words, then raw slices.
const CUTS: Array<(text: string) => string[]> = [
  (text) => text.split(/(?<=\n)/),
  (text) => text.split(/(?<=[.!?。！？…])\s*/u),
  (text) => text.split(/(?<=\s)/),
  (text) => sliceCodePoints(text, 600),
];

function sliceCodePoints(text: string, size: number): string[] {
  const points = Array.from(text);
  const out: string[] = [];
  for (let i = 0; i < points.length; i += size) out.push(points.slice(i, i + size).join(''));
  return out;
}

/** Cuts `source` into pieces whose rendering fits in `limit`, coarsest cut first. */
function fitPieces(source: string, render: Render, limit: number, level = 0): string[] {
  const whole = render(source);
  if (whole.length <= limit) return whole.trim() === '' ? [] : [whole];
  const cut = CUTS[level];
  if (cut === undefined) return [whole.slice(0, limit)]; // unreachable: 600 code points always fit
  const out: string[] = [];
  let current = '';
  for (const piece of cut(source)) {
    const candidate = current + piece;
    if (render(candidate).length <= limit) {
      current = candidate;
      continue;
    }
    if (current !== '') out.push(...fitPieces(current, render, limit, level + 1));
    current = piece;
  }
  if (current !== '') out.push(...fitPieces(current, render, limit, level + 1));
  return out;
}

/** Greedily joins rendered blocks with a blank line (or `separator`) while they fit. */
function pack(parts: string[], limit: number, separator = '\n\n'): string[] {
  const chunks: string[] = [];
  let current = '';
  for (const part of parts.map((p) => p.trim()).filter((p) => p !== '')) {
    if (current === '') current = part;
    else if (current.length + separator.length + part.length <= limit) current += `${separator}${part}`;
    else {
      chunks.push(current);
      current = part;
    }
  }
  if (current !== '') chunks.push(current);
  return chunks;
}

/**
 * Renders `text` for Telegram and splits it into messages of at most `limit` characters,
 * cutting between paragraphs where possible (then lines, sentences, words).
 */
export function formatForTelegram(text: string, format: TextFormat, limit = TELEGRAM_TEXT_LIMIT): TelegramChunk[] {
  if (format === 'plain') {
    const parts = text.replace(/\r\n?/g, '\n').split(/\n[ \t]*\n/).flatMap((p) => fitPieces(p, (s) => s, limit));
    return pack(parts, limit).map((chunk) => ({ text: chunk, parseMode: undefined, plain: chunk }));
  }
  const parts = splitBlocks(text).flatMap((block) =>
    block.kind === 'code'
      ? fitPieces(block.source, (s) => renderCode(s.replace(/\n$/, ''), block.language), limit)
      : fitPieces(block.source, renderParagraph, limit),
  );
  return pack(parts, limit).map((chunk) => ({ text: chunk, parseMode: 'HTML', plain: htmlToPlain(chunk) }));
}

/** Splits HTML we built ourselves from whole paragraphs (founder notices) at the limit. */
export function packHtmlParagraphs(paragraphs: string[], limit = TELEGRAM_TEXT_LIMIT, separator = '\n\n'): TelegramChunk[] {
  const parts = paragraphs.flatMap((p) => (p.length <= limit ? [p] : fitPieces(htmlToPlain(p), escapeHtml, limit)));
  return pack(parts, limit, separator).map((chunk) => ({ text: chunk, parseMode: 'HTML', plain: htmlToPlain(chunk) }));
}
