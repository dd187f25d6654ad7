import { decodeCustomerAction } from '../../core/customer-action.ts';
import type { OutboundMessage, ReplyButton } from '../../core/messages.ts';

// What a reply looks like in WeChat: plain text only (WeChat shows Markdown marks literally and
// has no buttons for a personal account), split into parts WeChat takes whole.

/**
 * WeChat itself takes longer texts, but puppets (web, pad, service protocols) differ on where they
 * cut or refuse, and a long wall of text reads badly on a phone: 2,000 characters is what every
 * puppet we know delivers whole. Longer replies go as several messages.
 */
export const WECHAT_TEXT_LIMIT = 2_000;

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
    .replace(/(^|[\s(])[*_](\S(?:.*?\S)?)[*_](?=[\s).,!?;:，。！？]|$)/gm, '$1$2')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

/**
 * The whole reply as WeChat text. Buttons become a numbered list under their prompt, as WeChat has
 * none: a rating's 👍/👎 are listed (the adapter maps a typed number back, see OpenChoices); a
 * suggestion list already numbers its articles in the text (the core reads the typed number), so
 * only its prompt is added.
 */
export function renderForWechat(message: Pick<OutboundMessage, 'text' | 'format' | 'buttons' | 'buttonsPrompt'>): string {
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

/** Splits `text` into parts of at most `limit` characters, at a paragraph, line or space when it can. */
export function splitText(text: string, limit = WECHAT_TEXT_LIMIT): string[] {
  const parts: string[] = [];
  let rest = text;
  while ([...rest].length > limit) {
    const head = [...rest].slice(0, limit).join('');
    // The best break in the second half: a paragraph, else a line, else a sentence or a word.
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
 * The rating each chat was last offered, so "1" or "2" typed back is the press WeChat cannot send.
 * In memory and bounded: after a restart a typed number is simply a message again.
 */
export class OpenChoices {
  readonly #byChat = new Map<string, ReplyButton[]>();

  constructor(private readonly max = 10_000) {}

  /** What the latest reply to this chat offered (nothing: an older rating is no longer open). */
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
