import type { Message, MessageEntity, Update, UserFromGetMe } from 'grammy/types';
import type { Attachment, InboundMessageInput } from '../../core/messages.ts';
import { checkUpdate } from './update-schema.ts';

// Telegram Update → the core's InboundMessageInput. Pure: no API calls, no business rules.
// Ids: externalUserId = from.id, externalChatId = chat.id, platformMessageId =
// `${chat.id}:${message_id}` (message ids are unique per chat only, and a redelivered update
// carries the same pair, so the core drops it).

export const CHANNEL = 'telegram';

export function platformMessageId(chatId: number | string, messageId: number): string {
  return `${chatId}:${messageId}`;
}

export function isGroupChat(message: Pick<Message, 'chat'>): boolean {
  return message.chat.type === 'group' || message.chat.type === 'supergroup';
}

function entitiesOf(message: Message): { text: string; entities: MessageEntity[] } {
  if (message.text !== undefined) return { text: message.text, entities: message.entities ?? [] };
  return { text: message.caption ?? '', entities: message.caption_entities ?? [] };
}

function entityText(text: string, entity: MessageEntity): string {
  return text.slice(entity.offset, entity.offset + entity.length);
}

/** A bot command at the start of the message (`/help`, `/help@this_bot`), lower-cased, or null. */
export function leadingCommand(message: Message, bot: Pick<UserFromGetMe, 'username'>): { command: string; args: string } | null {
  const { text, entities } = entitiesOf(message);
  const entity = entities.find((e) => e.type === 'bot_command' && e.offset === 0);
  if (entity === undefined) return null;
  const [name, target] = entityText(text, entity).slice(1).split('@');
  if (target !== undefined && target.toLowerCase() !== bot.username.toLowerCase()) return null;
  return { command: (name ?? '').toLowerCase(), args: text.slice(entity.length).trim() };
}

/**
 * In a group the bot reads only what is meant for it: an @mention of the bot (or a text_mention
 * of its user), a reply to one of its messages, or a command addressed to it.
 */
export function isAddressedToBot(message: Message, bot: Pick<UserFromGetMe, 'id' | 'username'>): boolean {
  if (!isGroupChat(message)) return true;
  if (message.reply_to_message?.from?.id === bot.id) return true;
  const { text, entities } = entitiesOf(message);
  const handle = `@${bot.username}`.toLowerCase();
  for (const entity of entities) {
    if (entity.type === 'mention' && entityText(text, entity).toLowerCase() === handle) return true;
    // The update schema guarantees a text_mention's user; an unchecked Message may still lack one.
    if (entity.type === 'text_mention' && entity.user?.id === bot.id) return true;
    if (entity.type === 'bot_command' && entity.offset === 0) {
      const target = entityText(text, entity).split('@')[1];
      if (target === undefined || target.toLowerCase() === handle.slice(1)) return true;
    }
  }
  return false;
}

/** The text without @mentions of the bot, so a group question reads like a private one. */
function withoutBotMention(text: string, entities: MessageEntity[], bot: Pick<UserFromGetMe, 'username'>): string {
  const handle = `@${bot.username}`.toLowerCase();
  let out = text;
  // Right to left so earlier offsets stay valid.
  for (const entity of [...entities].sort((a, b) => b.offset - a.offset)) {
    if (entity.type === 'mention' && entityText(text, entity).toLowerCase() === handle) {
      out = out.slice(0, entity.offset) + out.slice(entity.offset + entity.length);
    }
  }
  return out.replace(/^[\s,:]+/, '').replace(/\s{2,}/g, ' ').trim();
}

export function attachmentsOf(message: Message): Attachment[] {
  const out: Attachment[] = [];
  const add = (attachment: Attachment): void => {
    const clean = Object.fromEntries(Object.entries(attachment).filter(([, v]) => v !== undefined)) as Attachment;
    out.push(clean);
  };
  if (message.photo !== undefined && message.photo.length > 0) {
    // Telegram lists the sizes smallest first; keep the largest.
    const largest = message.photo.reduce((a, b) => (b.width * b.height > a.width * a.height ? b : a));
    add({ kind: 'photo', fileRef: largest.file_id, size: largest.file_size });
  }
  if (message.document !== undefined && message.animation === undefined) {
    const d = message.document;
    add({ kind: 'document', fileRef: d.file_id, name: d.file_name, size: d.file_size, mimeType: d.mime_type });
  }
  if (message.animation !== undefined) {
    const a = message.animation;
    add({ kind: 'video', fileRef: a.file_id, name: a.file_name, size: a.file_size, mimeType: a.mime_type });
  }
  if (message.voice !== undefined) {
    add({ kind: 'voice', fileRef: message.voice.file_id, size: message.voice.file_size, mimeType: message.voice.mime_type });
  }
  if (message.audio !== undefined) {
    const a = message.audio;
    add({ kind: 'audio', fileRef: a.file_id, name: a.file_name ?? a.title, size: a.file_size, mimeType: a.mime_type });
  }
  if (message.video !== undefined) {
    const v = message.video;
    add({ kind: 'video', fileRef: v.file_id, name: v.file_name, size: v.file_size, mimeType: v.mime_type });
  }
  if (message.video_note !== undefined) {
    add({ kind: 'video', fileRef: message.video_note.file_id, size: message.video_note.file_size });
  }
  if (message.sticker !== undefined) {
    const s = message.sticker;
    add({ kind: 'sticker', fileRef: s.file_id, name: s.emoji ?? s.set_name, size: s.file_size });
  }
  return out;
}

/** Text for messages that carry none: a sticker's emoji, a shared location or contact. */
function fallbackText(message: Message): string {
  if (message.sticker?.emoji !== undefined) return message.sticker.emoji;
  if (message.location !== undefined) return `📍 ${message.location.latitude}, ${message.location.longitude}`;
  if (message.contact !== undefined) {
    const c = message.contact;
    return `📇 ${[c.first_name, c.last_name].filter(Boolean).join(' ')} ${c.phone_number}`.trim();
  }
  return '';
}

/**
 * A customer's message as the core takes it, or null when there is nothing to take (no sender,
 * a bot, a service message, or nothing the core can read).
 */
export function parseMessage(
  message: Message,
  bot: Pick<UserFromGetMe, 'id' | 'username'>,
  options: { raw?: unknown; text?: string } = {},
): InboundMessageInput | null {
  const from = message.from;
  if (from === undefined || from.is_bot) return null;
  const { text: ownText, entities } = entitiesOf(message);
  let text = options.text ?? (isGroupChat(message) ? withoutBotMention(ownText, entities, bot) : ownText.trim());
  if (text === '') text = fallbackText(message);
  const attachments = attachmentsOf(message);
  if (text === '' && attachments.length === 0) return null;
  const displayName = [from.first_name, from.last_name].filter(Boolean).join(' ');
  const sender: NonNullable<InboundMessageInput['sender']> = {};
  if (displayName !== '') sender.displayName = displayName;
  if (from.username !== undefined) sender.username = from.username;
  if (from.language_code !== undefined) sender.language = from.language_code;
  const input: InboundMessageInput = {
    channel: CHANNEL,
    externalUserId: String(from.id),
    externalChatId: String(message.chat.id),
    platformMessageId: platformMessageId(message.chat.id, message.message_id),
    text,
    attachments,
    sender,
    raw: options.raw ?? message,
  };
  // A date no calendar can hold (a forged update) falls back to the time of arrival.
  const sentAt = new Date(message.date * 1000);
  if (Number.isFinite(sentAt.getTime())) input.sentAt = sentAt;
  if (message.reply_to_message !== undefined) {
    input.replyToPlatformMessageId = platformMessageId(message.chat.id, message.reply_to_message.message_id);
  }
  if (message.is_topic_message === true && message.message_thread_id !== undefined) {
    input.threadId = String(message.message_thread_id);
  }
  return input;
}

/**
 * The customer message of an update, for callers holding a whole update of unknown shape: null
 * when it is not a valid update (checkUpdate), carries no message, or is not for the bot.
 */
export function parseUpdate(value: unknown, bot: Pick<UserFromGetMe, 'id' | 'username'>): InboundMessageInput | null {
  const checked = checkUpdate(value);
  if (!checked.ok) return null;
  const update: Update = checked.update;
  const message = update.message;
  if (message === undefined) return null;
  if (isGroupChat(message) && !isAddressedToBot(message, bot)) return null;
  return parseMessage(message, bot, { raw: update });
}
