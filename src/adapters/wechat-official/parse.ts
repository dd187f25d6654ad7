import type { Attachment, InboundMessageInput } from '../../core/messages.ts';
import type { WechatXmlRecord } from '../../http/wechat-xml.ts';

// An Official Account callback (its decrypted XML, as a flat record) → what the core stores. Pure:
// the webhook decides how to answer WeChat from the result.

export const WECHAT_OA_CHANNEL = 'wechat_oa';

export type ParsedOfficial =
  | { kind: 'message'; input: InboundMessageInput }
  /** A new follower: stored and answered with the greeting (input carries `autoReply`). */
  | { kind: 'subscribe'; input: InboundMessageInput }
  | { kind: 'ignored'; rule: 'unsubscribe' | 'event' | 'unknown_type' }
  /** Not a message WeChat would send (no sender, no id): recorded as rejected, acknowledged. */
  | { kind: 'invalid'; reason: string };

/**
 * The id WeChat dedupes by: MsgId for messages; events have none, so FromUserName + CreateTime
 * (what WeChat's documentation says to dedupe events by).
 */
export function platformIdOf(record: WechatXmlRecord): string | undefined {
  if (record.MsgId) return record.MsgId;
  if (record.FromUserName && record.CreateTime) return `event:${record.FromUserName}:${record.CreateTime}`;
  return undefined;
}

export function parseOfficialMessage(record: WechatXmlRecord): ParsedOfficial {
  const openId = record.FromUserName;
  const id = platformIdOf(record);
  if (!openId || !id || !record.MsgType) return { kind: 'invalid', reason: 'missing FromUserName, MsgType or id' };
  const base = {
    channel: WECHAT_OA_CHANNEL,
    // One open id per follower of this account: it is both the person and the chat.
    externalUserId: openId,
    externalChatId: openId,
    platformMessageId: id,
    ...(/^\d+$/.test(record.CreateTime ?? '') ? { sentAt: new Date(Number(record.CreateTime) * 1000) } : {}),
    raw: record,
  };
  const type = record.MsgType;
  if (type === 'event') return parseEvent(record, base);
  const content = contentOf(type, record);
  if (content === undefined) return { kind: 'ignored', rule: 'unknown_type' };
  return { kind: 'message', input: { ...base, ...content } };
}

function parseEvent(record: WechatXmlRecord, base: InboundMessageInput): ParsedOfficial {
  const event = (record.Event ?? '').toLowerCase();
  if (event === 'subscribe') {
    // A follow from a QR code with a scene carries EventKey `qrscene_…`: kept in raw, not the text.
    return { kind: 'subscribe', input: { ...base, text: '[subscribe]' } };
  }
  if (event === 'unsubscribe') return { kind: 'ignored', rule: 'unsubscribe' };
  if (event === 'click' && record.EventKey) {
    // A menu button's key is what the founder configured it to ask (e.g. "如何退款"): a question.
    return { kind: 'message', input: { ...base, text: record.EventKey } };
  }
  return { kind: 'ignored', rule: 'event' };
}

function contentOf(type: string, r: WechatXmlRecord): { text: string; attachments?: Attachment[] } | undefined {
  const media = (kind: Attachment['kind'], ref: string | undefined): Attachment[] => (ref ? [{ kind, fileRef: ref }] : []);
  switch (type) {
    case 'text':
      return { text: r.Content ?? '' };
    case 'image':
      return { text: '[image]', attachments: media('photo', r.MediaId) };
    case 'voice':
      // With speech recognition on, WeChat gives the words: they are the question.
      return { text: r.Recognition?.trim() ? r.Recognition.trim() : '[voice]', attachments: media('voice', r.MediaId) };
    case 'video':
    case 'shortvideo':
      return { text: '[video]', attachments: media('video', r.MediaId) };
    case 'location':
      return { text: `[location] ${r.Label ?? ''} (${r.Location_X ?? '?'}, ${r.Location_Y ?? '?'})`.replace(/\s+\(/, ' (') };
    case 'link':
      return { text: ['[link]', r.Title, r.Description, r.Url].filter(Boolean).join(' ') };
    default:
      return undefined;
  }
}
