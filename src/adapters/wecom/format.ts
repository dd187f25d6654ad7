import { decodeCustomerAction } from '../../core/customer-action.ts';
import type { OutboundMessage, ReplyButton } from '../../core/messages.ts';

// What a reply looks like in WeCom customer service: a `text` message, plain (WeChat shows
// Markdown marks literally and kf/send_msg has no reply buttons), at most 2,048 bytes each.

/** kf/send_msg's text.content limit: 2,048 bytes of UTF-8 (about 680 Chinese characters). */
export const WECOM_TEXT_MAX_BYTES = 2048;

/** Markdown from the KB as a person would type it: no `**`, `#` or link syntax left showing. */
export function markdownToPlain(markdown: string): string {
  return markdown
    .replace(/```[^\n]*\n([\s\S]*?)```/g, '$1')
    .replace(/`([^`\n]+)`/g, '$1')
    .replace(/!\[([^\]]*)\]\(([^)\s]+)\)/g, '$1 $2')
    .replace(/\[([^\]]+)\]\(([^)\s]+)\)/g, (_m, label: string, url: string) => (label === url ? url : `${label} (${url})`))
    .replace(/^#{1,6}\s+/gm, '')
    .replace(/^(\s*)[*+-]\s+/gm, '$1• ')
    .replace(/^>\s?/gm, '')
    .replace(/\*\*(.+?)\*\*/g, '$1')
    .replace(/__(.+?)__/g, '$1')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

/**
 * The whole reply as text. Buttons become a numbered list under their prompt: a rating's 👍/👎
 * are listed and a typed number is mapped back (TypedChoices); a suggestion list already numbers
 * its articles in the text (the core reads the typed number), so only its prompt is added.
 */
export function renderForWecom(message: Pick<OutboundMessage, 'text' | 'format' | 'buttons' | 'buttonsPrompt'>): string {
  const body = message.format === 'markdown' ? markdownToPlain(message.text) : message.text.trim();
  const buttons = message.buttons ?? [];
  if (buttons.length === 0) return body;
  const lines: string[] = [];
  if (message.buttonsPrompt) lines.push(message.buttonsPrompt);
  if (isRating(buttons)) lines.push(...buttons.map((b, i) => `${i + 1}. ${b.label}`));
  return lines.length === 0 ? body : `${body}\n\n${lines.join('\n')}`;
}

/** A 👍/👎 rating: the only buttons whose numbers the core does not read from typed text. */
export function isRating(buttons: ReplyButton[]): boolean {
  return buttons.length > 0 && buttons.every((b) => decodeCustomerAction(b.action)?.kind === 'feedback');
}

/** Splits `text` into parts of at most `maxBytes` UTF-8 bytes, at a paragraph, line or space when it can. */
export function splitByBytes(text: string, maxBytes = WECOM_TEXT_MAX_BYTES): string[] {
  const parts: string[] = [];
  let rest = text;
  while (Buffer.byteLength(rest, 'utf8') > maxBytes) {
    // The longest head (whole code points) that fits.
    let head = '';
    let bytes = 0;
    for (const char of rest) {
      const size = Buffer.byteLength(char, 'utf8');
      if (bytes + size > maxBytes) break;
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

/**
 * The rating each chat was last offered, so "1" or "2" typed back is the press WeCom cannot send.
 * In memory and bounded: after a restart a typed number is simply a message again.
 */
export class TypedChoices {
  readonly #byChat = new Map<string, ReplyButton[]>();

  constructor(private readonly max = 10_000) {}

  offer(chatId: string, buttons: ReplyButton[] | undefined): void {
    this.#byChat.delete(chatId);
    if (buttons === undefined || !isRating(buttons)) return;
    this.#byChat.set(chatId, buttons);
    if (this.#byChat.size > this.max) this.#byChat.delete(this.#byChat.keys().next().value!);
  }

  /** The action a typed reply picks (and closes the choice), or undefined when it picks none. */
  take(chatId: string, text: string): string | undefined {
    const buttons = this.#byChat.get(chatId);
    const match = /^\s*([1-9])\s*$/.exec(text);
    if (buttons === undefined || match === null) return undefined;
    const button = buttons[Number(match[1]) - 1];
    if (button === undefined) return undefined;
    this.#byChat.delete(chatId);
    return button.action;
  }
}
