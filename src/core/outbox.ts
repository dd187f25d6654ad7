import { randomUUID } from 'node:crypto';
import type { Prisma } from '@prisma/client';
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
      authorRef: input.authorRef ?? null,
      text: input.text,
      channel: input.conversation.channel,
      platformMessageId: input.platformMessageId ?? null,
      articleId: input.articleId ?? null,
      confidence: input.confidence ?? null,
      deliveryState: 'pending',
    },
  });
  const payload: CustomerDelivery = {
    type: 'customer_message',
    conversationId: input.conversation.id,
    messageId,
    message,
  };
  await tx.outbox.create({
    data: {
      messageId,
      channel: input.conversation.channel,
      chatKey: `${input.conversation.channel}:${input.conversation.externalChatId}`,
      target: { chatId: input.conversation.externalChatId, threadId: input.threadId ?? null },
      payload: payload as unknown as Prisma.InputJsonValue,
    },
  });
  await tx.conversation.update({ where: { id: input.conversation.id }, data: { lastMessageAt: new Date() } });
  return messageId;
}

export async function enqueueFounderNotice(tx: Tx, notice: FounderNotice): Promise<void> {
  await tx.outbox.create({
    data: {
      channel: FOUNDER_CHANNEL,
      chatKey: `${FOUNDER_CHANNEL}:${notice.conversationId}`,
      target: { conversationId: notice.conversationId },
      payload: notice as unknown as Prisma.InputJsonValue,
    },
  });
}
