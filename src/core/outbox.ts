import { randomUUID } from 'node:crypto';
import type { Prisma } from '@prisma/client';
import { SolodeskError } from '../errors.ts';
import type { OutboundMessage } from './messages.ts';
import { FOUNDER_CHANNEL, type CustomerDelivery, type FounderNotice } from './ports.ts';

// Writing deliveries: always inside the transaction that stored what caused them, so a reply is
// in the outbox before anyone waits on it, and a rolled-back message leaves no delivery behind.

export type Tx = Prisma.TransactionClient;

export interface ConversationRef {
  id: string;
  channel: string;
  externalChatId: string;
}

/**
 * The one rule no channel may break: a founder's private note never reaches a customer. Thrown by
 * every function here that writes a customer delivery, whatever the caller passed.
 */
export class NoteNotSendableError extends SolodeskError {
  constructor(messageId?: string) {
    super('note_not_sendable', `a private note is never sent to a customer${messageId ? ` (message ${messageId})` : ''}`);
  }
}

/** What a customer message is made of. It has no `kind`: whatever is enqueued here is sent text. */
export interface CustomerMessageInput {
  conversation: ConversationRef;
  text: string;
  format?: 'plain' | 'markdown';
  author: 'bot' | 'founder' | 'system';
  authorRef?: string;
  threadId?: string;
  /** Builds the buttons once the message id is known (feedback buttons name their message). */
  buttons?: (messageId: string) => OutboundMessage['buttons'];
  buttonsPrompt?: string;
  articleId?: string;
  confidence?: number;
  platformMessageId?: string;
}

export async function enqueueCustomerMessage(tx: Tx, input: CustomerMessageInput): Promise<string> {
  // The type has no kind; this is for callers that get around it (a spread, an `as`, plain JS).
  const kind = (input as { kind?: unknown }).kind;
  if (kind === 'note') throw new NoteNotSendableError();
  const messageId = randomUUID();
  const message: OutboundMessage = {
    channel: input.conversation.channel,
    chatId: input.conversation.externalChatId,
    text: input.text,
    format: input.format ?? 'plain',
    ...(input.threadId ? { threadId: input.threadId } : {}),
    ...(input.buttons ? { buttons: input.buttons(messageId) } : {}),
    ...(input.buttonsPrompt ? { buttonsPrompt: input.buttonsPrompt } : {}),
  };
  await tx.message.create({
    data: {
      id: messageId,
      conversationId: input.conversation.id,
      direction: 'outbound',
      author: input.author,
      kind: 'text',
      authorRef: input.authorRef ?? null,
      text: input.text,
      channel: input.conversation.channel,
      platformMessageId: input.platformMessageId ?? null,
      articleId: input.articleId ?? null,
      confidence: input.confidence ?? null,
      deliveryState: 'pending',
    },
  });
  await enqueueStoredMessage(tx, { messageId, conversation: input.conversation, message });
  await tx.conversation.update({ where: { id: input.conversation.id }, data: { lastMessageAt: new Date() } });
  return messageId;
}

/**
 * The gate every customer delivery goes through: writes the outbox row of a stored message,
 * after reading the stored row's kind, so a note cannot be sent even by a caller that has its id.
 */
export async function enqueueStoredMessage(
  tx: Tx,
  input: { messageId: string; conversation: ConversationRef; message: OutboundMessage },
): Promise<void> {
  const stored = await tx.message.findUnique({ where: { id: input.messageId }, select: { kind: true, conversationId: true } });
  if (stored === null || stored.conversationId !== input.conversation.id) {
    throw new SolodeskError('message_not_found', `no message ${input.messageId} in conversation ${input.conversation.id}`);
  }
  if (stored.kind === 'note') throw new NoteNotSendableError(input.messageId);
  const payload: CustomerDelivery = {
    type: 'customer_message',
    conversationId: input.conversation.id,
    messageId: input.messageId,
    message: input.message,
  };
  await tx.outbox.create({
    data: {
      messageId: input.messageId,
      channel: input.conversation.channel,
      chatKey: `${input.conversation.channel}:${input.conversation.externalChatId}`,
      target: { chatId: input.conversation.externalChatId, threadId: input.message.threadId ?? null },
      payload: payload as unknown as Prisma.InputJsonValue,
    },
  });
}

export async function enqueueFounderNotice(tx: Tx, notice: FounderNotice): Promise<void> {
  // The chat key orders deliveries: a conversation's notices among themselves, and a channel's
  // events (which have no conversation) among themselves, so a login QR code never overtakes the
  // event before it. `channel:` cannot be mistaken for a conversation id (a UUID).
  const about = notice.type === 'channel_event'
    ? { chatKey: `${FOUNDER_CHANNEL}:channel:${notice.event.channel}`, target: { channel: notice.event.channel } }
    : notice.type === 'digest'
      ? { chatKey: `${FOUNDER_CHANNEL}:digest`, target: { digest: notice.key } }
      : { chatKey: `${FOUNDER_CHANNEL}:${notice.conversationId}`, target: { conversationId: notice.conversationId } };
  await tx.outbox.create({
    data: {
      channel: FOUNDER_CHANNEL,
      ...about,
      payload: notice as unknown as Prisma.InputJsonValue,
    },
  });
}
