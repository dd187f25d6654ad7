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

const SlackFileSchema = z.object({
  id: z.string(),
  name: z.string().optional(),
  title: z.string().optional(),
  mimetype: z.string().optional(),
  size: z.number().optional(),
});

const MessageEventSchema = z.object({
  type: z.literal('message'),
  subtype: z.string().optional(),
  user: z.string().optional(),
  bot_id: z.string().optional(),
  text: z.string().optional(),
  ts: z.string(),
  thread_ts: z.string().optional(),
  channel: z.string(),
  channel_type: z.string().optional(),
  files: z.array(SlackFileSchema).optional(),
});
export type SlackMessageEvent = z.infer<typeof MessageEventSchema>;

/** Subtypes a customer message may carry and still be a message from a person. */
const CUSTOMER_SUBTYPES = new Set(['file_share']);

export type RoutedMessage =
  | { kind: 'founder_thread_reply'; channel: string; threadTs: string; ts: string; user: string; text: string }
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
  | { kind: 'ignore'; reason: string };

/**
 * Decides what a `message` event is. The founder channel is the console (only thread replies by
 * founders, never bots, edits or other subtypes); DMs from non-founders and every other channel
 * the app is in are customer conversations.
 */
export function routeMessageEvent(raw: unknown, routing: SlackRouting): RoutedMessage {
  const parsed = MessageEventSchema.safeParse(raw);
  if (!parsed.success) return { kind: 'ignore', reason: 'not a message event' };
  const event = parsed.data;
  if (event.bot_id !== undefined) return { kind: 'ignore', reason: 'bot message' };
  if (event.user === undefined) return { kind: 'ignore', reason: 'no user' };
  if (routing.botUserId !== undefined && event.user === routing.botUserId) return { kind: 'ignore', reason: 'own message' };
  const founder = routing.founderUsers.includes(event.user);
  const text = event.text ?? '';

  if (event.channel === routing.founderChannel) {
    if (event.subtype !== undefined) return { kind: 'ignore', reason: `subtype ${event.subtype}` };
    if (event.thread_ts === undefined || event.thread_ts === event.ts) return { kind: 'ignore', reason: 'not in a thread' };
    if (!founder) return { kind: 'ignore', reason: 'not a founder' };
    return { kind: 'founder_thread_reply', channel: event.channel, threadTs: event.thread_ts, ts: event.ts, user: event.user, text };
  }

  if (event.subtype !== undefined && !CUSTOMER_SUBTYPES.has(event.subtype)) {
    return { kind: 'ignore', reason: `subtype ${event.subtype}` };
  }
  const direct = event.channel_type === 'im' || event.channel.startsWith('D');
  if (founder) return { kind: 'ignore', reason: direct ? 'founder DM' : 'founder in a customer channel' };
  const files = (event.files ?? []).map(toAttachment);
  if (text.trim() === '' && files.length === 0) return { kind: 'ignore', reason: 'empty' };
  return { kind: 'customer', channel: event.channel, ts: event.ts, threadTs: event.thread_ts, user: event.user, text, direct, files };
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
