import type { OutboundMessage } from '../../core/messages.ts';

// What a reply looks like as an Official Account customer-service text: plain text (WeChat shows
// Markdown marks literally), no buttons (a numbered list under the prompt instead), and split
// into parts WeChat takes whole.

/**
 * WeChat documents 2,048 bytes for a text message's content (bytes, not characters: a Chinese
 * character is three). Parts stay under it with room to spare.
 */
export const OA_TEXT_LIMIT_BYTES = 2_000;

/** KB Markdown as a person would type it: no `**`, `#`, backticks or link syntax left showing. */
export function plainFromMarkdown(markdown: string): string {
  return markdown
    .replace(/```[^\n]*\n([\s\S]*?)```/g, '$1')
    .replace(/`([^`\n]+)`/g, '$1')
    .replace(/!\[([^\]]*)\]\(([^)\s]+)\)/g, '$1 $2')
    .replace(/\[([^\]]+)\]\(([^)\s]+)\)/g, (_m, label: string, url: string) => (label === url ? url : `${label} ${url}`))
    .replace(/^#{1,6}\s+/gm, '')
    .replace(/^(\s*)[*+-]\s+/gm, '$1• ')
    .replace(/^>\s?/gm, '')
    .replace(/\*\*(.+?)\*\*/g, '$1')
    .replace(/__(.+?)__/g, '$1')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

/**
 * The whole reply as one text: the body, then the prompt and the buttons' labels numbered, as
 * WeChat has no buttons here (the core reads a typed number for a suggestion list).
 */
export function renderOfficialText(message: Pick<OutboundMessage, 'text' | 'format' | 'buttons' | 'buttonsPrompt'>): string {
  const body = message.format === 'markdown' ? plainFromMarkdown(message.text) : message.text.trim();
  const buttons = message.buttons ?? [];
  if (buttons.length === 0) return body;
  const lines = [...(message.buttonsPrompt ? [message.buttonsPrompt] : []), ...buttons.map((b, i) => `${i + 1}. ${b.label}`)];
  return `${body}\n\n${lines.join('\n')}`;
}

/** Splits `text` into parts of at most `limitBytes` UTF-8 bytes, at a line or sentence when it can. */
export function splitByBytes(text: string, limitBytes = OA_TEXT_LIMIT_BYTES): string[] {
  const parts: string[] = [];
  let rest = text;
  while (Buffer.byteLength(rest, 'utf8') > limitBytes) {
    // The longest head that fits, by whole code points (never half a character).
    let head = '';
    let bytes = 0;
    for (const char of rest) {
      const size = Buffer.byteLength(char, 'utf8');
      if (bytes + size > limitBytes) break;
      head += char;
      bytes += size;
    }
    const breaks = [head.lastIndexOf('\n\n'), head.lastIndexOf('\n'), Math.max(head.lastIndexOf('。'), head.lastIndexOf(' '))];
    const cut = breaks.find((b) => b > head.length / 2);
    const at = cut === undefined ? head.length : cut + 1;
    parts.push(rest.slice(0, at).trimEnd());
    rest = rest.slice(at).trimStart();
  }
  if (rest.trim() !== '' || parts.length === 0) parts.push(rest);
  return parts;
}
