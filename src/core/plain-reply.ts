import { decodeCustomerAction } from './customer-action.ts';
import type { InboundMessageInput, OutboundMessage, ReplyButton } from './messages.ts';
import type { CoreApi, InboundResult } from './ports.ts';

// A reply for channels that show plain text and have no buttons (WeChat's personal accounts,
// Official Accounts and WeCom customer service): KB Markdown as a person would type it, buttons as
// a numbered list, split into parts the platform takes whole, and a typed number read back as the
// rating it stands for. One rendering, so the same answer reads the same on every such channel.

/** KB Markdown as a person would type it: no `**`, `#`, backticks or link syntax left showing. */
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
 * The whole reply as plain text. A rating's 👍/👎 are listed by number under their prompt (the
 * channel reads a typed number back with TypedRatings); a suggestion list already numbers its
 * articles in the text (the core reads the typed number), so only its prompt is added.
 */
export function renderPlainReply(message: Pick<OutboundMessage, 'text' | 'format' | 'buttons' | 'buttonsPrompt'>): string {
  const body = message.format === 'markdown' ? markdownToPlain(message.text) : message.text.trim();
  const buttons = message.buttons ?? [];
  if (buttons.length === 0) return body;
  const lines: string[] = [];
  if (message.buttonsPrompt) lines.push(message.buttonsPrompt);
  if (isRating(buttons)) lines.push(...buttons.map((b, i) => `${i + 1}. ${b.label}`));
  return lines.length === 0 ? body : `${body}\n\n${lines.join('\n')}`;
}

/** A 👍/👎 rating: the only buttons whose numbers the core does not read from typed text. */
export function isRating(buttons: readonly ReplyButton[]): boolean {
  return buttons.length > 0 && buttons.every((b) => decodeCustomerAction(b.action)?.kind === 'feedback');
}

/**
 * Splits `text` into parts that each fit the limit — in characters, or in UTF-8 bytes for the APIs
 * that count bytes (a Chinese character is three) — at a paragraph, line, sentence or space in the
 * second half of a part when there is one, never inside a character.
 */
export function splitText(text: string, limit: { maxChars: number } | { maxBytes: number }): string[] {
  const size = 'maxBytes' in limit ? (char: string) => Buffer.byteLength(char, 'utf8') : () => 1;
  const max = 'maxBytes' in limit ? limit.maxBytes : limit.maxChars;
  const parts: string[] = [];
  let rest = text;
  for (;;) {
    let head = '';
    let used = 0;
    let fits = true;
    for (const char of rest) {
      if (used + size(char) > max) {
        fits = false;
        break;
      }
      head += char;
      used += size(char);
    }
    if (fits) break;
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
 * The rating each chat was last offered, so "1" or "2" typed back is the press the channel cannot
 * send. In memory and bounded: after a restart a typed number is simply a message again.
 */
export class TypedRatings {
  readonly #byChat = new Map<string, ReplyButton[]>();

  constructor(private readonly max = 10_000) {}

  /** What the latest reply to this chat offered (nothing: an older rating is no longer open). */
  offer(chatId: string, buttons: readonly ReplyButton[] | undefined): void {
    this.#byChat.delete(chatId);
    if (buttons === undefined || !isRating(buttons)) return;
    this.#byChat.set(chatId, [...buttons]);
    if (this.#byChat.size > this.max) this.#byChat.delete(this.#byChat.keys().next().value!);
  }

  /** The action a typed reply picks, or undefined when it picks none (the choice stays open). */
  pick(chatId: string, text: string): string | undefined {
    const buttons = this.#byChat.get(chatId);
    const match = /^\s*([1-9])\s*$/.exec(text);
    if (buttons === undefined || match === null) return undefined;
    return buttons[Number(match[1]) - 1]?.action;
  }

  /** The press was stored: this rating is answered, and a later number is a message again. */
  close(chatId: string): void {
    this.#byChat.delete(chatId);
  }
}

/**
 * Stores what a customer typed on such a channel: "1"/"2" under the rating this chat was last
 * offered is that rating's press (handleAction); anything else is a message (handleInbound).
 * Either way it resolves once stored, as the adapters' acknowledgements need.
 */
export async function storeTypedReply(
  core: Pick<CoreApi, 'handleInbound' | 'handleAction'>,
  ratings: TypedRatings,
  input: InboundMessageInput,
): Promise<InboundResult> {
  const action = typeof input.text === 'string' ? ratings.pick(input.externalChatId, input.text) : undefined;
  if (action === undefined) return core.handleInbound(input);
  // Closed only once stored: a store that failed and is tried again reads the same number the same way.
  const stored = await core.handleAction({
    channel: input.channel,
    externalUserId: input.externalUserId,
    externalChatId: input.externalChatId,
    action,
    platformEventId: input.platformMessageId,
  });
  ratings.close(input.externalChatId);
  return stored;
}
