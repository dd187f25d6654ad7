/**
 * A tiny, safe Markdown renderer for the knowledge base's answers. Every piece of server text is
 * HTML-escaped before it is placed in the output, and the only tags in the output are the ones
 * written here (p, br, strong, em, code, a, ul, ol, li), so the result may go into innerHTML.
 * Links are kept only for http, https and mailto; any other scheme stays visible as text.
 */

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => HTML_ESCAPES[char] ?? char);
}

const SAFE_LINK = /^(https?:\/\/|mailto:)/i;
const CODE_SPAN = /`([^`\n]+)`/g;
// A Markdown link, or a bare http(s) URL (which ends at whitespace, '<', or a quote).
const LINK_OR_URL = /\[([^\]\n]+)\]\(([^()\s]+)\)|\bhttps?:\/\/[^\s<>"'`]+/gi;
// Punctuation that ends a sentence rather than the URL it follows.
const URL_TRAILING_PUNCTUATION = /[.,;:!?)\]}*_]+$/;
const BOLD_OR_ITALIC = /\*\*(?=\S)(.+?)\*\*|\*(?=[^\s*])([^*\n]+?)\*/g;

function link(href: string, labelHtml: string): string {
  return `<a href="${escapeHtml(href)}" target="_blank" rel="noopener noreferrer">${labelHtml}</a>`;
}

/** Replace each match of `pattern` by `onMatch`, and each stretch between matches by `between`. */
function splitRender(text: string, pattern: RegExp, onMatch: (match: RegExpExecArray) => string, between: (text: string) => string): string {
  let html = '';
  let last = 0;
  pattern.lastIndex = 0;
  for (let match = pattern.exec(text); match; match = pattern.exec(text)) {
    html += between(text.slice(last, match.index)) + onMatch(match);
    last = match.index + match[0].length;
  }
  return html + between(text.slice(last));
}

function renderEmphasis(text: string): string {
  return splitRender(
    text,
    new RegExp(BOLD_OR_ITALIC.source, 'g'),
    (match) => (match[1] !== undefined ? `<strong>${renderEmphasis(match[1])}</strong>` : `<em>${escapeHtml(match[2] ?? '')}</em>`),
    escapeHtml,
  );
}

function renderLinks(text: string): string {
  return splitRender(
    text,
    new RegExp(LINK_OR_URL.source, 'gi'),
    (match) => {
      const [whole, label, href] = match;
      if (label !== undefined && href !== undefined) {
        return SAFE_LINK.test(href) ? link(href, renderEmphasis(label)) : renderEmphasis(whole);
      }
      const trailing = URL_TRAILING_PUNCTUATION.exec(whole)?.[0] ?? '';
      const url = whole.slice(0, whole.length - trailing.length);
      return link(url, escapeHtml(url)) + escapeHtml(trailing);
    },
    renderEmphasis,
  );
}

/** One line of text: code spans first, so that nothing inside backticks is read as Markdown. */
export function renderInline(text: string): string {
  return splitRender(text, new RegExp(CODE_SPAN.source, 'g'), (match) => `<code>${escapeHtml(match[1] ?? '')}</code>`, renderLinks);
}

type Block = { kind: 'p'; lines: string[] } | { kind: 'ul' | 'ol'; start: number; items: string[][] };

const BULLET_ITEM = /^\s{0,3}[-*]\s+(.*)$/;
const NUMBERED_ITEM = /^\s{0,3}(\d{1,9})[.)]\s+(.*)$/;

function parseBlocks(markdown: string): Block[] {
  const blocks: Block[] = [];
  let current: Block | undefined;
  for (const line of markdown.replace(/\r\n?/g, '\n').split('\n')) {
    if (line.trim() === '') {
      current = undefined;
      continue;
    }
    const bullet = BULLET_ITEM.exec(line);
    const numbered = bullet ? null : NUMBERED_ITEM.exec(line);
    if (bullet || numbered) {
      const kind = bullet ? 'ul' : 'ol';
      const itemText = (bullet ? bullet[1] : numbered?.[2]) ?? '';
      if (current?.kind !== kind) {
        current = { kind, start: numbered ? Number(numbered[1]) : 1, items: [] };
        blocks.push(current);
      }
      current.items.push([itemText]);
    } else if (current && current.kind !== 'p' && /^\s/.test(line)) {
      // An indented line continues the list item above it.
      current.items[current.items.length - 1]?.push(line.trim());
    } else if (current?.kind === 'p') {
      current.lines.push(line);
    } else {
      current = { kind: 'p', lines: [line] };
      blocks.push(current);
    }
  }
  return blocks;
}

const renderLines = (lines: string[]): string => lines.map(renderInline).join('<br>');

/** Markdown → HTML built only from escaped text and the renderer's own tags. */
export function renderMarkdown(markdown: string): string {
  return parseBlocks(markdown)
    .map((block) => {
      if (block.kind === 'p') return `<p>${renderLines(block.lines)}</p>`;
      const start = block.kind === 'ol' && block.start !== 1 ? ` start="${block.start}"` : '';
      return `<${block.kind}${start}>${block.items.map((item) => `<li>${renderLines(item)}</li>`).join('')}</${block.kind}>`;
    })
    .join('');
}
