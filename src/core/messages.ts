import { z } from 'zod';
import { sanitizeJson, sanitizeText } from './sanitize.ts';

// The shapes every adapter produces and consumes. Adapters validate here, so the core never
// sees a platform payload.

/** Longer customer text is cut on purpose (and says so) rather than stored or ranked whole. */
export const MAX_TEXT_CHARS = 8_000;
const TRUNCATION_MARK = ' […truncated]';

/** Any text a platform gave us, made storable (see sanitize.ts). */
const platformText = () => z.string().transform(sanitizeText);
/** Descriptive text (names, types): cut to length rather than refuse the whole message for it. */
const label = (max: number) => z.string().transform((s) => sanitizeText(s.slice(0, max)));

export const AttachmentSchema = z.object({
  kind: z.enum(['photo', 'document', 'voice', 'audio', 'video', 'sticker', 'file', 'other']),
  /** The platform's own reference (Telegram file_id, Slack file id, …); never the bytes. */
  fileRef: z.string().min(1).max(1_000).transform(sanitizeText),
  name: label(500).optional(),
  size: z.number().int().nonnegative().optional(),
  mimeType: label(200).optional(),
});
export type Attachment = z.infer<typeof AttachmentSchema>;

export const InboundMessageSchema = z.object({
  channel: z.string().regex(/^[a-z][a-z0-9_-]*$/),
  externalUserId: platformText().pipe(z.string().min(1).max(200)),
  externalChatId: platformText().pipe(z.string().min(1).max(200)),
  /** Unique per channel: a redelivery with the same id is a no-op. */
  platformMessageId: platformText().pipe(z.string().min(1).max(200)),
  // Cut before cleaning, so a cut through a surrogate pair is cleaned too; the cut text is at most
  // MAX_TEXT_CHARS long, so parsing a stored message again leaves it as it is.
  text: z
    .string()
    .default('')
    .transform((text) => sanitizeText(text.length > MAX_TEXT_CHARS ? text.slice(0, MAX_TEXT_CHARS - TRUNCATION_MARK.length) + TRUNCATION_MARK : text)),
  attachments: z.array(AttachmentSchema).max(20).default([]),
  replyToPlatformMessageId: platformText().pipe(z.string().max(200)).optional(),
  /** Where replies must go inside the chat (a Slack thread ts), when the platform has threads. */
  threadId: platformText().pipe(z.string().max(200)).optional(),
  /**
   * Not a question: the message is stored and answered with exactly this text through the outbox
   * (a bot command such as /start), with no KB decision and no escalation.
   */
  autoReply: z.string().min(1).max(MAX_TEXT_CHARS).transform(sanitizeText).optional(),
  sentAt: z.coerce.date().default(() => new Date()),
  sender: z
    .object({
      displayName: label(200).optional(),
      username: label(200).optional(),
      language: label(20).optional(),
    })
    .default({}),
  /** The platform payload as received, kept on the stored message for the record. */
  raw: z.unknown().transform((raw) => (raw === undefined ? undefined : sanitizeJson(raw))).optional(),
});
export type InboundMessage = z.infer<typeof InboundMessageSchema>;
export type InboundMessageInput = z.input<typeof InboundMessageSchema>;

/** A button the customer can press; `action` comes back verbatim through `handleAction`. */
export interface ReplyButton {
  action: string;
  label: string;
}

export interface OutboundMessage {
  channel: string;
  chatId: string;
  threadId?: string;
  text: string;
  /** `markdown` text comes from KB articles and must be rendered safely by the adapter. */
  format: 'plain' | 'markdown';
  /** Rendered as inline buttons where the platform has them, as a numbered list otherwise. */
  buttons?: ReplyButton[];
  /** The numbered-list fallback tells the customer to reply with a number. */
  buttonsPrompt?: string;
}
