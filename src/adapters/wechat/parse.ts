import { types, type Message } from 'wechaty';
import type { Attachment, InboundMessageInput } from '../../core/messages.ts';

// A Wechaty message → what core.handleInbound takes, or the rule that drops it. Named rules, as
// Bolt names its middleware: own messages, rooms that did not mention the bot, recalls.

export const WECHAT_CHANNEL = 'wechat';

export type ParsedWechat =
  | { kind: 'message'; input: InboundMessageInput; room: boolean }
  | { kind: 'ignored'; rule: 'own_message' | 'room_without_mention' | 'recalled' | 'system' };

/**
 * One-to-one chats are conversations (chat id = the contact's id). In a room the bot answers only
 * when mentioned (a group talks among itself otherwise), and the conversation is the room's, with
 * the asker as the customer and as the thread (the reply mentions them). The WeChat message id is the platform id, so a redelivery is a
 * duplicate the core drops.
 */
export async function parseWechatMessage(message: Message): Promise<ParsedWechat> {
  // The puppet hands the bot its own sends too: answering them would loop for ever.
  if (message.self()) return { kind: 'ignored', rule: 'own_message' };
  const type = message.type();
  if (type === types.Message.Recalled) return { kind: 'ignored', rule: 'recalled' };
  // Group notes ("X joined the group") are WeChat's, not a person's question.
  if (type === types.Message.GroupNote) return { kind: 'ignored', rule: 'system' };
  const room = message.room();
  if (room !== undefined && !(await message.mentionSelf())) return { kind: 'ignored', rule: 'room_without_mention' };
  const talker = message.talker();
  const content = await contentOf(message, room !== undefined);
  const input: InboundMessageInput = {
    channel: WECHAT_CHANNEL,
    externalUserId: talker.id,
    externalChatId: room?.id ?? talker.id,
    platformMessageId: message.id,
    text: content.text,
    attachments: content.attachments,
    sentAt: message.date(),
    sender: { displayName: talker.name() },
    // The core keeps one conversation per chat and replies to its thread: in a room the "thread" is
    // the asker, whom the reply then mentions (WeChat rooms have no threads of their own).
    ...(room !== undefined ? { threadId: talker.id } : {}),
    raw: message.payload,
  };
  return { kind: 'message', input, room: room !== undefined };
}

/** The message as text the founder can read, plus references to what it carried. */
async function contentOf(message: Message, inRoom: boolean): Promise<{ text: string; attachments: Attachment[] }> {
  const ref = `wechat:${message.id}`;
  switch (message.type()) {
    case types.Message.Text:
      // In a room the "@bot" part is addressing, not question: the KB should not rank on it.
      return { text: inRoom ? await message.mentionText() : message.text(), attachments: [] };
    case types.Message.Image:
      return { text: '[image]', attachments: [{ kind: 'photo', fileRef: ref }] };
    case types.Message.Audio:
      return { text: '[voice]', attachments: [{ kind: 'voice', fileRef: ref }] };
    case types.Message.Video:
      return { text: '[video]', attachments: [{ kind: 'video', fileRef: ref }] };
    case types.Message.Emoticon:
      return { text: '[sticker]', attachments: [{ kind: 'sticker', fileRef: ref }] };
    case types.Message.Attachment: {
      const name = await fileNameOf(message);
      return { text: name ? `[file] ${name}` : '[file]', attachments: [{ kind: 'document', fileRef: ref, ...(name ? { name } : {}) }] };
    }
    case types.Message.Url: {
      const link = await message.toUrlLink().catch(() => undefined);
      return { text: link ? `[link] ${link.title()} ${link.url()}` : '[link]', attachments: [] };
    }
    case types.Message.MiniProgram: {
      const program = await message.toMiniProgram().catch(() => undefined);
      const title = program?.title();
      return { text: title ? `[mini program] ${title}` : '[mini program]', attachments: [] };
    }
    case types.Message.Location:
      return { text: `[location] ${message.text()}`.trim(), attachments: [] };
    case types.Message.Contact:
      return { text: '[contact card]', attachments: [] };
    default:
      // Transfers, red envelopes, chat histories …: the founder sees that something came.
      return { text: `[${(types.Message[message.type()] ?? 'unknown').toLowerCase()}]`, attachments: [] };
  }
}

/** The file's name from the payload, else from the file box (puppets fill one or the other). */
async function fileNameOf(message: Message): Promise<string | undefined> {
  const fromPayload = message.payload?.filename;
  if (fromPayload) return fromPayload;
  try {
    return (await message.toFileBox()).name || undefined;
  } catch {
    return undefined;
  }
}
