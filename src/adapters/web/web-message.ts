import type { PrismaClient } from '@prisma/client';
import type { ReplyButton } from '../../core/messages.ts';
import type { CustomerDelivery } from '../../core/ports.ts';

// What the widget shows: one message of the visitor's chat, read back from the core's own
// records, so there is no second copy to keep in step (a forgotten customer's words are erased
// there, and their chats are hidden here). A customer's message is known by the id the widget gave
// it (`c:<clientMessageId>`) from the moment it is stored, before and after the pipeline decides
// it; a reply by the core's message id.

export const WEB_CHANNEL = 'web';
/** How much history a page gets on opening and on every reconnect (its catch-up). */
export const HISTORY_LIMIT = 100;

export interface WebMessage {
  id: string;
  author: 'customer' | 'bot' | 'founder';
  text: string;
  format: 'plain' | 'markdown';
  buttons?: ReplyButton[];
  buttonsPrompt?: string;
  clientMessageId?: string;
  at: string;
}

/** The platform id of a widget message: unique per visitor, so one visitor cannot claim another's ids. */
export function platformIdOf(visitorId: string, clientMessageId: string): string {
  return `${visitorId}/${clientMessageId}`;
}

function clientIdOf(visitorId: string, platformMessageId: string | null): string | undefined {
  const prefix = `${visitorId}/`;
  return platformMessageId?.startsWith(prefix) ? platformMessageId.slice(prefix.length) : undefined;
}

export function customerMessage(clientMessageId: string, text: string, at: Date): WebMessage {
  return { id: `c:${clientMessageId}`, author: 'customer', text, format: 'plain', clientMessageId, at: at.toISOString() };
}

/** A reply the outbox hands the web sender, as the widget shows it. */
export function replyMessage(delivery: CustomerDelivery, author: 'bot' | 'founder', at: Date): WebMessage {
  const { message } = delivery;
  return {
    id: delivery.messageId,
    author,
    text: message.text,
    format: message.format,
    ...(message.buttons?.length ? { buttons: message.buttons } : {}),
    ...(message.buttonsPrompt ? { buttonsPrompt: message.buttonsPrompt } : {}),
    at: at.toISOString(),
  };
}

/**
 * The visitor's latest messages, oldest first: what the customer wrote (stored, and still waiting
 * in the inbox) and what was sent to them (a founder's note never is), in every chat of a customer
 * that was not forgotten.
 */
export async function recentMessages(prisma: PrismaClient, visitorId: string): Promise<WebMessage[]> {
  const rows = await prisma.message.findMany({
    where: {
      channel: WEB_CHANNEL,
      kind: 'text',
      conversation: { externalChatId: visitorId, customer: { forgottenAt: null } },
      OR: [{ author: 'customer' }, { author: { in: ['bot', 'founder', 'system'] }, direction: 'outbound', deliveryState: { not: 'failed' } }],
    },
    orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
    take: HISTORY_LIMIT,
    select: { id: true, author: true, text: true, platformMessageId: true, createdAt: true, outbox: { select: { payload: true }, take: 1 } },
  });
  const messages: WebMessage[] = rows.reverse().map((row) => {
    if (row.author === 'customer') {
      const clientId = clientIdOf(visitorId, row.platformMessageId);
      return clientId ? customerMessage(clientId, row.text, row.createdAt) : { id: row.id, author: 'customer', text: row.text, format: 'plain', at: row.createdAt.toISOString() };
    }
    // The desk's own notices (system: "passed to the founder", the away message) read as the bot's.
    const author = row.author === 'founder' ? 'founder' : 'bot';
    const payload = row.outbox[0]?.payload as Partial<CustomerDelivery> | undefined;
    if (payload?.type === 'customer_message' && payload.message && payload.messageId) return replyMessage(payload as CustomerDelivery, author, row.createdAt);
    return { id: row.id, author, text: row.text, format: 'plain', at: row.createdAt.toISOString() };
  });
  // Stored but not yet decided: the pipeline turns these into messages shortly.
  const waiting = await prisma.inboundEvent.findMany({
    where: { chatKey: `${WEB_CHANNEL}:${visitorId}`, status: 'pending' },
    orderBy: { seq: 'asc' },
    take: HISTORY_LIMIT,
    select: { platformMessageId: true, payload: true, receivedAt: true },
  });
  const known = new Set(messages.map((m) => m.id));
  for (const row of waiting) {
    const clientId = clientIdOf(visitorId, row.platformMessageId);
    const text = (row.payload as { text?: unknown } | null)?.text;
    if (clientId === undefined || typeof text !== 'string' || known.has(`c:${clientId}`)) continue;
    messages.push(customerMessage(clientId, text, row.receivedAt));
  }
  return messages;
}
