import { z } from 'zod';

// The shapes every adapter produces and consumes. Adapters validate here, so the core never
// sees a platform payload.

/** Longer customer text is cut on purpose (and says so) rather than stored or ranked whole. */
export const MAX_TEXT_CHARS = 8_000;
const TRUNCATION_MARK = ' […truncated]';

export const AttachmentSchema = z.object({
  kind: z.enum(['photo', 'document', 'voice', 'audio', 'video', 'sticker', 'file', 'other']),
  /** The platform's own reference (Telegram file_id, Slack file id, …); never the bytes. */
  fileRef: z.string().min(1),
  name: z.string().optional(),
  size: z.number().int().nonnegative().optional(),
  mimeType: z.string().optional(),
});
export type Attachment = z.infer<typeof AttachmentSchema>;

export const InboundMessageSchema = z.object({
  channel: z.string().regex(/^[a-z][a-z0-9_-]*$/),
  externalUserId: z.string().min(1).max(200),
  externalChatId: z.string().min(1).max(200),
  /** Unique per channel: a redelivery with the same id is a no-op. */
  platformMessageId: z.string().min(1).max(200),
  text: z
    .string()
    .default('')
    .transform((text) => (text.length > MAX_TEXT_CHARS ? text.slice(0, MAX_TEXT_CHARS) + TRUNCATION_MARK : text)),
  attachments: z.array(AttachmentSchema).max(20).default([]),
  replyToPlatformMessageId: z.string().optional(),
  /** Where replies must go inside the chat (a Slack thread ts), when the platform has threads. */
  threadId: z.string().optional(),
  sentAt: z.coerce.date().default(() => new Date()),
  sender: z
    .object({
      displayName: z.string().max(200).optional(),
      username: z.string().max(200).optional(),
      language: z.string().max(20).optional(),
    })
    .default({}),
  /** The platform payload as received, kept on the stored message for the record. */
  raw: z.unknown().optional(),
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
