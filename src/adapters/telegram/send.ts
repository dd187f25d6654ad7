import type { Api, RawApi } from 'grammy';
import type { InlineKeyboardButton, InlineKeyboardMarkup } from 'grammy/types';
import { PlatformApiError } from '../../errors.ts';
import type { ReplyButton } from '../../core/messages.ts';
import type { Delivery, SendResult, Sender } from '../../core/ports.ts';
import type { Logger } from '../../observability/logger.ts';
import { isEntityParseError, safeError, toSenderError } from './errors.ts';
import { formatForTelegram, type TelegramChunk } from './format.ts';

// The outbound side for customers: one outbox row (a CustomerDelivery) → one or more
// sendMessage calls. No retries here: errors are mapped and thrown, and the outbox reschedules
// (RateLimitedError carries Telegram's retry_after). A long text is several messages; when a
// later part fails, the retry resumes after the parts already delivered, so nobody reads the
// same paragraph twice.

export const TELEGRAM_CHANNEL = 'telegram';
/** Bot FAQ: about 1 message/s per chat, about 30/s overall; stay under both. */
export const TELEGRAM_LIMITS = { perChatIntervalMs: 1000, perSecond: 25 } as const;
/** Telegram rejects callback_data longer than 64 bytes. */
export const CALLBACK_DATA_MAX_BYTES = 64;

export interface TelegramSenderDeps {
  api: Api<RawApi>;
  token: string;
  logger: Logger;
}

export function createTelegramSender(deps: TelegramSenderDeps): Sender {
  const progress = new DeliveryProgress();
  return {
    channel: TELEGRAM_CHANNEL,
    limits: TELEGRAM_LIMITS,
    async send(delivery: Delivery): Promise<SendResult> {
      const payload = delivery.payload;
      // FounderNotice has a `customer_message` type too; a customer delivery is the one with a message.
      if (payload.type !== 'customer_message' || !('message' in payload)) {
        throw new PlatformApiError(`the telegram sender cannot deliver a ${payload.type} notice`, { permanent: true, reason: 'rejected' });
      }
      const { message } = payload;
      const chunks = formatForTelegram(message.text, message.format);
      const keyboard = inlineKeyboard(message.buttons ?? [], deps.logger, delivery.id);
      const ids = await sendChunks(deps, progress, delivery.id, message.chatId, chunks, {
        keyboard,
        threadId: message.threadId,
      });
      progress.clear(delivery.id);
      return { platformMessageIds: ids };
    },
  };
}

/** `buttons` → one row when they are few and short (👍 / 👎), one per row otherwise. */
export function inlineKeyboard(buttons: ReplyButton[], logger?: Logger, deliveryId?: string): InlineKeyboardMarkup | undefined {
  const usable: InlineKeyboardButton[] = [];
  for (const button of buttons) {
    if (Buffer.byteLength(button.action, 'utf8') > CALLBACK_DATA_MAX_BYTES) {
      // A core bug (actions must fit Telegram's callback_data): leave the button out, say so loudly.
      logger?.error({ deliveryId, actionBytes: Buffer.byteLength(button.action, 'utf8') }, 'button action longer than 64 bytes; button left out');
      continue;
    }
    usable.push({ text: button.label, callback_data: button.action });
  }
  if (usable.length === 0) return undefined;
  const oneRow = usable.length <= 4 && usable.every((b) => b.text.length <= 12);
  return { inline_keyboard: oneRow ? [usable] : usable.map((b) => [b]) };
}

export function telegramChatId(chatId: string): number | string {
  return /^-?\d+$/.test(chatId) ? Number(chatId) : chatId;
}

/** How many of a delivery's messages already went out, kept while the delivery is unfinished. */
export class DeliveryProgress {
  readonly #done = new Map<string, number>();
  readonly #max: number;

  constructor(max = 10_000) {
    this.#max = max;
  }

  get(key: string): number {
    return this.#done.get(key) ?? 0;
  }

  set(key: string, count: number): void {
    this.#done.delete(key);
    this.#done.set(key, count);
    if (this.#done.size > this.#max) this.#done.delete(this.#done.keys().next().value!);
  }

  clear(key: string): void {
    this.#done.delete(key);
  }
}

/**
 * Sends `chunks` in order to one chat, resuming after those already sent under `key` (the
 * caller clears `key` once the whole delivery is done); the keyboard goes on the last one.
 * Returns `chatId:messageId` of each message this call sent.
 */
export async function sendChunks(
  deps: TelegramSenderDeps,
  progress: DeliveryProgress,
  key: string,
  chatId: string,
  chunks: TelegramChunk[],
  options: { keyboard?: InlineKeyboardMarkup; threadId?: string; replyTo?: number } = {},
): Promise<string[]> {
  const ids: string[] = [];
  const threadId = options.threadId !== undefined && /^\d+$/.test(options.threadId) ? Number(options.threadId) : undefined;
  for (let i = progress.get(key); i < chunks.length; i++) {
    const chunk = chunks[i]!;
    const last = i === chunks.length - 1;
    const extra = {
      ...(last && options.keyboard ? { reply_markup: options.keyboard } : {}),
      ...(threadId !== undefined ? { message_thread_id: threadId } : {}),
      ...(i === 0 && options.replyTo !== undefined ? { reply_parameters: { message_id: options.replyTo, allow_sending_without_reply: true } } : {}),
    };
    let sent;
    try {
      try {
        sent = await deps.api.sendMessage(telegramChatId(chatId), chunk.text, {
          ...extra,
          ...(chunk.parseMode ? { parse_mode: chunk.parseMode } : {}),
        });
      } catch (error) {
        // Our HTML is built to parse; should Telegram still refuse it, the words matter more than bold.
        if (!chunk.parseMode || !isEntityParseError(error)) throw error;
        deps.logger.warn({ err: safeError(error, deps.token) }, 'telegram refused our HTML; sending as plain text');
        sent = await deps.api.sendMessage(telegramChatId(chatId), chunk.plain, extra);
      }
    } catch (error) {
      const mapped = toSenderError(error, deps.token);
      if (mapped instanceof PlatformApiError && mapped.permanent) progress.clear(key);
      throw mapped;
    }
    ids.push(`${sent.chat.id}:${sent.message_id}`);
    progress.set(key, i + 1);
  }
  return ids;
}
