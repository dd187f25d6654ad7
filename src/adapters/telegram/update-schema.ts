import { z } from 'zod';
import type { Update } from 'grammy/types';
import { jsonDepth } from '../../core/sanitize.ts';

// What an update must look like before grammY and our handlers touch it. Telegram's own updates
// always pass; anything else (a forged or broken body behind a leaked secret, a misbehaving
// self-hosted Bot API server) is recorded as rejected and acknowledged, so it is not redelivered
// for hours and never reaches code that would throw on it. Only the fields we read are checked;
// unknown fields pass through untouched (objects are loose), so new Bot API fields never break us.

/** Telegram updates nest about ten levels deep; anything far deeper is not from Telegram. */
export const MAX_UPDATE_DEPTH = 64;

const id = z.int();
const count = z.int().nonnegative();

const UserSchema = z.looseObject({
  id,
  is_bot: z.boolean(),
  first_name: z.string(),
  last_name: z.string().optional(),
  username: z.string().optional(),
  language_code: z.string().optional(),
});

const ChatSchema = z.looseObject({ id, type: z.string() });

const EntitySchema = z
  .looseObject({ type: z.string(), offset: count, length: count, user: UserSchema.optional() })
  .refine((entity) => entity.type !== 'text_mention' || entity.user !== undefined, { message: 'text_mention without user' });

const FileSchema = z.looseObject({
  file_id: z.string().min(1),
  file_name: z.string().optional(),
  mime_type: z.string().optional(),
  file_size: count.optional(),
});

const PhotoSizeSchema = FileSchema.extend({ width: count, height: count });

/** The message a reply points at: we read its id, its author and its text (the founder's `#c` tag). */
const RepliedMessageSchema = z.looseObject({
  message_id: id,
  from: UserSchema.optional(),
  text: z.string().optional(),
  caption: z.string().optional(),
});

export const MessageSchema = z.looseObject({
  message_id: id,
  date: count,
  chat: ChatSchema,
  from: UserSchema.optional(),
  text: z.string().optional(),
  caption: z.string().optional(),
  entities: z.array(EntitySchema).optional(),
  caption_entities: z.array(EntitySchema).optional(),
  reply_to_message: RepliedMessageSchema.optional(),
  is_topic_message: z.boolean().optional(),
  message_thread_id: id.optional(),
  photo: z.array(PhotoSizeSchema).optional(),
  document: FileSchema.optional(),
  animation: FileSchema.optional(),
  video: FileSchema.optional(),
  video_note: FileSchema.optional(),
  voice: FileSchema.optional(),
  audio: FileSchema.extend({ title: z.string().optional() }).optional(),
  sticker: FileSchema.extend({ emoji: z.string().optional(), set_name: z.string().optional() }).optional(),
  location: z.looseObject({ latitude: z.number(), longitude: z.number() }).optional(),
  contact: z.looseObject({ first_name: z.string(), last_name: z.string().optional(), phone_number: z.string() }).optional(),
});

const CallbackQuerySchema = z.looseObject({
  id: z.string().min(1),
  from: UserSchema,
  data: z.string().optional(),
  message: z
    .looseObject({
      message_id: id,
      chat: ChatSchema,
      is_topic_message: z.boolean().optional(),
      message_thread_id: id.optional(),
    })
    .optional(),
});

export const UpdateSchema = z.looseObject({
  update_id: count,
  message: MessageSchema.optional(),
  callback_query: CallbackQuerySchema.optional(),
});

export type CheckedUpdate =
  | { ok: true; update: Update }
  /** `raw` is the value as received (the core cuts its nesting before storing it). */
  | { ok: false; reason: string; updateId?: number; raw: unknown };

function updateIdOf(value: unknown): number | undefined {
  if (value === null || typeof value !== 'object') return undefined;
  const updateId = (value as { update_id?: unknown }).update_id;
  return typeof updateId === 'number' && Number.isSafeInteger(updateId) && updateId >= 0 ? updateId : undefined;
}

/**
 * An update we can hand to grammY, or why not. The reason names the first offending field and the
 * kind of problem (`invalid:message.date:invalid_type`), never a value: it is logged and counted.
 */
export function checkUpdate(value: unknown): CheckedUpdate {
  const updateId = updateIdOf(value);
  const withId = updateId === undefined ? {} : { updateId };
  if (jsonDepth(value) > MAX_UPDATE_DEPTH) return { ok: false, reason: 'too_deep', ...withId, raw: value };
  const parsed = UpdateSchema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const path = issue && issue.path.length > 0 ? issue.path.join('.') : 'update';
    return { ok: false, reason: `invalid:${path}:${issue?.code ?? 'unknown'}`, ...withId, raw: value };
  }
  // The input object itself (zod's copy drops nothing, but grammY should see exactly what came).
  return { ok: true, update: value as Update };
}
