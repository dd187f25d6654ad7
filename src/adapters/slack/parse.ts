import { z } from 'zod';
import type { Attachment, InboundMessageInput } from '../../core/messages.ts';

// Slack payloads in, plain values out. Pure functions only: everything here is unit-tested
// against the real payload shapes in test/fixtures/slack/.

export const SLACK_CHANNEL = 'slack';

/** Who is who in this workspace: the adapter's routing rules. */
export interface SlackRouting {
  founderChannel: string | undefined;
  founderUsers: readonly string[];
  botUserId?: string;
  botId?: string;
}

/** Slack's ids (U…, W…, C…, D…, G…, B…, F…): short, letters and digits. */
const SlackId = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,79}$/);
/** A message timestamp, `1767224901.701849`: seconds, then a sequence (also its id in the channel). */
const SlackTs = z.string().regex(/^\d{1,12}(\.\d{1,9})?$/);

const SlackFileSchema = z.object({
  id: SlackId,
  // Descriptive fields never make a file unusable: a strange one is dropped, the file kept.
  name: z.string().optional().catch(undefined),
  title: z.string().optional().catch(undefined),
  mimetype: z.string().optional().catch(undefined),
  size: z.number().optional().catch(undefined),
});

const MessageEventSchema = z.object({
  type: z.literal('message'),
  subtype: z.string().max(100).optional(),
  user: SlackId.optional(),
  bot_id: z.string().optional(),
  text: z.string().optional(),
  ts: SlackTs,
  thread_ts: SlackTs.optional(),
  channel: SlackId,
  channel_type: z.string().optional(),
  files: z.array(z.unknown()).optional(),
});
export type SlackMessageEvent = z.infer<typeof MessageEventSchema>;

/** The core keeps at most this many attachments a message (Slack itself allows 10). */
const MAX_FILES = 20;

/** Subtypes a customer message may carry and still be a message from a person. */
const CUSTOMER_SUBTYPES = new Set(['file_share', 'thread_broadcast']);
/**
 * Subtypes of a founder's thread reply that are still a reply: a file (with or without text) and
 * a reply also sent to the channel. Edits, deletions, joins and bot messages are not.
 */
const FOUNDER_REPLY_SUBTYPES = new Set(['file_share', 'thread_broadcast']);

export type RoutedMessage =
  | { kind: 'founder_thread_reply'; channel: string; threadTs: string; ts: string; user: string; text: string; files: Attachment[] }
  | {
      kind: 'customer';
      channel: string;
      ts: string;
      threadTs: string | undefined;
      user: string;
      text: string;
      direct: boolean;
      files: Attachment[];
    }
  | { kind: 'ignore'; reason: string }
  /** A message event Slack could not have sent as it is (no channel, a number for text…): record it, never retry it. */
  | { kind: 'invalid'; reason: string };

/**
 * Decides what a `message` event is. The founder channel is the console (only thread replies by
 * founders — plain, with files, or broadcast — never bots, edits or other subtypes); DMs from
 * non-founders and every other channel the app is in are customer conversations.
 */
export function routeMessageEvent(raw: unknown, routing: SlackRouting): RoutedMessage {
  if (typeof raw !== 'object' || raw === null || (raw as { type?: unknown }).type !== 'message') {
    return { kind: 'ignore', reason: 'not a message event' };
  }
  const parsed = MessageEventSchema.safeParse(raw);
  if (!parsed.success) {
    // Only the field names go into the reason: it is logged and counted, customer text is not.
    const fields = [...new Set(parsed.error.issues.map((issue) => String(issue.path[0] ?? 'event')))].join(', ');
    return { kind: 'invalid', reason: `malformed message event (${fields})` };
  }
  const event = parsed.data;
  if (event.bot_id !== undefined) return { kind: 'ignore', reason: 'bot message' };
  if (event.user === undefined) return { kind: 'ignore', reason: 'no user' };
  if (routing.botUserId !== undefined && event.user === routing.botUserId) return { kind: 'ignore', reason: 'own message' };
  const founder = routing.founderUsers.includes(event.user);
  const text = event.text ?? '';
  const files = filesOf(event.files);

  if (event.channel === routing.founderChannel) {
    if (event.subtype !== undefined && !FOUNDER_REPLY_SUBTYPES.has(event.subtype)) return { kind: 'ignore', reason: `subtype ${event.subtype}` };
    if (event.thread_ts === undefined || event.thread_ts === event.ts) return { kind: 'ignore', reason: 'not in a thread' };
    if (!founder) return { kind: 'ignore', reason: 'not a founder' };
    return { kind: 'founder_thread_reply', channel: event.channel, threadTs: event.thread_ts, ts: event.ts, user: event.user, text, files };
  }

  if (event.subtype !== undefined && !CUSTOMER_SUBTYPES.has(event.subtype)) {
    return { kind: 'ignore', reason: `subtype ${event.subtype}` };
  }
  const direct = event.channel_type === 'im' || event.channel.startsWith('D');
  if (founder) return { kind: 'ignore', reason: direct ? 'founder DM' : 'founder in a customer channel' };
  if (text.trim() === '' && files.length === 0) return { kind: 'ignore', reason: 'empty' };
  return { kind: 'customer', channel: event.channel, ts: event.ts, threadTs: event.thread_ts, user: event.user, text, direct, files };
}

/** The files of a message as attachments; an entry without a usable id is not a file. */
function filesOf(files: readonly unknown[] | undefined): Attachment[] {
  const attachments: Attachment[] = [];
  for (const file of files ?? []) {
    const parsed = SlackFileSchema.safeParse(file);
    if (parsed.success) attachments.push(toAttachment(parsed.data));
    if (attachments.length === MAX_FILES) break;
  }
  return attachments;
}

function toAttachment(file: z.infer<typeof SlackFileSchema>): Attachment {
  const mime = file.mimetype ?? '';
  const kind = mime.startsWith('image/') ? 'photo'
    : mime.startsWith('audio/') ? 'audio'
    : mime.startsWith('video/') ? 'video'
    : 'document';
  const attachment: Attachment = { kind, fileRef: `slack:${file.id}` };
  const name = file.name ?? file.title;
  if (name !== undefined) attachment.name = name;
  if (file.size !== undefined && Number.isInteger(file.size) && file.size >= 0) attachment.size = file.size;
  if (file.mimetype !== undefined) attachment.mimeType = file.mimetype;
  return attachment;
}

/**
 * The core's inbound shape for a customer's Slack message. In channels (Slack Connect) replies go
 * in the message's thread; in a DM they go in the thread only when the customer wrote in one.
 */
export function toInboundMessage(
  message: Extract<RoutedMessage, { kind: 'customer' }>,
  sender: { displayName?: string; username?: string },
  raw: unknown,
): InboundMessageInput {
  const threadId = message.direct ? message.threadTs : (message.threadTs ?? message.ts);
  const input: InboundMessageInput = {
    channel: SLACK_CHANNEL,
    externalUserId: message.user,
    externalChatId: message.channel,
    platformMessageId: `${message.channel}:${message.ts}`,
    text: slackTextToPlain(message.text),
    attachments: message.files,
    sentAt: new Date(Math.round(Number(message.ts) * 1000)),
    sender,
    raw,
  };
  if (threadId !== undefined) input.threadId = threadId;
  return input;
}

/**
 * Slack's message text (entities escaped, `<…>` references) as the plain text a customer on
 * another app should read: `<https://x|label>` → `label (https://x)`, `<@U1>` → `@U1`.
 */
export function slackTextToPlain(text: string): string {
  return text
    .replace(/<([^<>]+)>/g, (_all, inner: string) => {
      const [target = '', label] = inner.split('|', 2);
      if (target.startsWith('@') || target.startsWith('#')) return label !== undefined ? (target[0] + label) : target;
      if (target.startsWith('!')) return `@${(label ?? target.slice(1).split('^')[0] ?? '').replace(/^@/, '')}`;
      if (label === undefined || label === target || label === target.replace(/^mailto:/, '')) return target.replace(/^mailto:/, '');
      return `${label} (${target})`;
    })
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}

/** `/kb <sub> <rest>`: the sub-command (lower case) and the rest of the line. */
export function parseKbCommand(text: string): { sub: string; rest: string } {
  const trimmed = text.trim();
  const match = /^(\S+)\s*([\s\S]*)$/.exec(trimmed);
  if (match === null) return { sub: 'help', rest: '' };
  return { sub: (match[1] ?? '').toLowerCase(), rest: (match[2] ?? '').trim() };
}

/** "a, b ,, c" → ['a', 'b', 'c'] (lower case, de-duplicated). */
export function parseTags(text: string | undefined): string[] {
  const tags = (text ?? '').split(',').map((t) => t.trim().toLowerCase()).filter(Boolean);
  return [...new Set(tags)];
}

/** One question a line; blank lines dropped, duplicates dropped. */
export function parseQuestions(text: string | undefined): string[] {
  const lines = (text ?? '').split(/\r?\n/).map((l) => l.replace(/^\s*[-*•]\s+/, '').trim()).filter(Boolean);
  return [...new Set(lines)];
}

/** `view.state.values[block][action]` of a modal submission, as text (input or select). */
export function viewValue(values: unknown, blockId: string, actionId: string): string | undefined {
  const block = (values as Record<string, Record<string, Record<string, unknown>> | undefined> | undefined)?.[blockId];
  const state = block?.[actionId];
  if (state === undefined) return undefined;
  if (typeof state.value === 'string') return state.value;
  const selected = state.selected_option as { value?: unknown } | null | undefined;
  if (selected !== null && selected !== undefined && typeof selected.value === 'string') return selected.value;
  return undefined;
}
