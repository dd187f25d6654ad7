import type { Attachment, InboundMessageInput } from '../../core/messages.ts';

// One entry of kf/sync_msg's `msg_list` → what the channel does with it. Only `origin` 3 is a
// customer writing; 4 is WeCom's system events (of which `enter_session` is greeted) and 5 is what
// a servicer or this app sent (our own replies coming back): never a customer's message.
//
// Where replies go: a WeCom reply needs both the customer (`touser` = external_userid) and the
// customer-service account they wrote to (`open_kfid`). Both are encoded in externalChatId as
// `<open_kfid>:<external_userid>` rather than putting open_kfid in threadId: chatId is on every
// outbound message the core makes (answers, greetings, founder replies, suggestions), whereas a
// threadId is only carried for channels with threads, and a customer talking to two kf accounts
// really is in two chats. externalUserId stays external_userid, so they remain one customer.

export const WECOM_CHANNEL = 'wecom';

/** WeCom's `origin`: who a synced message is from. */
export const ORIGIN = { customer: 3, system: 4, servicer: 5 } as const;

export interface WecomSyncMessage {
  msgid: string;
  open_kfid?: string;
  external_userid?: string;
  send_time?: number;
  origin?: number;
  msgtype?: string;
  text?: { content?: string; menu_id?: string };
  image?: { media_id?: string };
  voice?: { media_id?: string };
  video?: { media_id?: string };
  file?: { media_id?: string };
  link?: { title?: string; desc?: string; url?: string; pic_url?: string };
  location?: { latitude?: number; longitude?: number; name?: string; address?: string };
  miniprogram?: { title?: string; appid?: string; pagepath?: string; thumb_media_id?: string };
  event?: { event_type?: string; open_kfid?: string; external_userid?: string; scene?: string; welcome_code?: string };
}

export type SyncedItem =
  | { kind: 'message'; input: InboundMessageInput }
  /** A customer opened the chat: greeted through the core, once per event msgid. */
  | { kind: 'enter_session'; input: Omit<InboundMessageInput, 'autoReply'> }
  /** Not a customer's message (system event, our own send) or a shape we do not take. */
  | { kind: 'ignored'; reason: string };

export function wecomChatId(openKfid: string, externalUserId: string): string {
  return `${openKfid}:${externalUserId}`;
}

/** The parts of a chat id made by wecomChatId; null for anything else. */
export function parseWecomChatId(chatId: string): { openKfid: string; externalUserId: string } | null {
  const at = chatId.indexOf(':');
  if (at <= 0 || at === chatId.length - 1) return null;
  return { openKfid: chatId.slice(0, at), externalUserId: chatId.slice(at + 1) };
}

const MEDIA_KINDS: Record<string, Attachment['kind']> = { image: 'photo', voice: 'voice', video: 'video', file: 'file' };

export function parseSyncedMessage(message: WecomSyncMessage): SyncedItem {
  if (typeof message.msgid !== 'string' || message.msgid === '') return { kind: 'ignored', reason: 'no msgid' };
  if (message.origin === ORIGIN.system && message.msgtype === 'event') {
    const event = message.event ?? {};
    if (event.event_type !== 'enter_session') return { kind: 'ignored', reason: `event ${event.event_type ?? 'unknown'}` };
    const openKfid = event.open_kfid ?? message.open_kfid;
    if (!openKfid || !event.external_userid) return { kind: 'ignored', reason: 'enter_session without a customer' };
    return {
      kind: 'enter_session',
      input: {
        ...addressOf(openKfid, event.external_userid, message),
        text: '[entered the session]',
        raw: message,
      },
    };
  }
  if (message.origin !== ORIGIN.customer) return { kind: 'ignored', reason: `origin ${message.origin ?? 'missing'}` };
  if (!message.open_kfid || !message.external_userid) return { kind: 'ignored', reason: 'no open_kfid or external_userid' };
  const content = contentOf(message);
  if (content === null) return { kind: 'ignored', reason: `msgtype ${message.msgtype ?? 'missing'}` };
  return {
    kind: 'message',
    input: { ...addressOf(message.open_kfid, message.external_userid, message), ...content, raw: message },
  };
}

function addressOf(openKfid: string, externalUserId: string, message: WecomSyncMessage) {
  return {
    channel: WECOM_CHANNEL,
    externalUserId,
    externalChatId: wecomChatId(openKfid, externalUserId),
    platformMessageId: message.msgid,
    ...(typeof message.send_time === 'number' ? { sentAt: new Date(message.send_time * 1000) } : {}),
  };
}

/** The text and attachments of a customer's message; null for a msgtype we do not take. */
function contentOf(message: WecomSyncMessage): { text: string; attachments?: Attachment[] } | null {
  const type = message.msgtype ?? '';
  const mediaKind = MEDIA_KINDS[type];
  if (mediaKind !== undefined) {
    // Media as references: the bytes stay with WeCom (media/get) until someone needs them.
    const mediaId = (message[type as 'image' | 'voice' | 'video' | 'file'] ?? {}).media_id;
    if (!mediaId) return null;
    return { text: '', attachments: [{ kind: mediaKind, fileRef: mediaId }] };
  }
  switch (type) {
    case 'text':
      return { text: message.text?.content ?? '' };
    case 'link': {
      const link = message.link ?? {};
      return { text: [link.title, link.desc, link.url].filter(Boolean).join('\n') };
    }
    case 'location': {
      const at = message.location ?? {};
      const place = [at.name, at.address].filter(Boolean).join(', ');
      return { text: `📍 ${place}${at.latitude !== undefined ? ` (${at.latitude}, ${at.longitude})` : ''}`.trim() };
    }
    case 'miniprogram': {
      const mini = message.miniprogram ?? {};
      return { text: [`[小程序] ${mini.title ?? ''}`.trim(), mini.pagepath].filter(Boolean).join('\n') };
    }
    default:
      return null;
  }
}
