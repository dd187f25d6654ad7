import type { Prisma } from '@prisma/client';
import type { BusinessHours } from '../config/business-hours.ts';
import { isOpen, nextOpening } from './business-hours.ts';
import type { ConversationState } from './conversation-state.ts';
import { enqueueCustomerMessage, type Tx } from './outbox.ts';
import { phrases, type ReplyLanguage } from './phrases.ts';

// A follow-up of a conversation that is with the founder: what the customer is told.

/**
 * Kept in Conversation.state beside ConversationState's fields (only this module reads it): the
 * founder's turn (see acknowledgeFollowup) whose first follow-up the customer was told about.
 */
interface FollowupAckState {
  followupAckFor?: string;
}

/**
 * A follow-up relayed to the founder is acknowledged to the customer once per turn of the
 * founder's, on every channel: the first one after an escalation, and the first one after each
 * founder reply, says it was passed on; the rest are relayed quietly (a customer writing three
 * lines gets one "passed on", not three, and never silence).
 */
export async function acknowledgeFollowup(
  tx: Tx,
  c: {
    conversation: Prisma.ConversationGetPayload<object>;
    state: ConversationState & FollowupAckState;
    language: ReplyLanguage;
    threadId?: string;
    now: Date;
    businessHours: BusinessHours | undefined;
  },
): Promise<void> {
  const { conversation, now } = c;
  const lastFounderReply = await tx.message.findFirst({
    where: { conversationId: conversation.id, author: 'founder', direction: 'outbound', kind: 'text' },
    orderBy: { createdAt: 'desc' },
    select: { id: true },
  });
  // The turn is named by the escalation and the founder's latest reply; names are only compared
  // for equality, so the database's and the core's clocks never have to agree.
  const turn = `${conversation.escalatedAt?.toISOString() ?? ''}/${lastFounderReply?.id ?? ''}`;
  if (c.state.followupAckFor === turn) return;
  const say = phrases(c.language);
  const hours = c.businessHours;
  const away = hours && !isOpen(hours, now) ? say.away(nextOpening(hours, now)) : undefined;
  await enqueueCustomerMessage(tx, {
    conversation,
    text: [say.escalated, away].filter(Boolean).join(' '),
    author: 'system',
    ...(c.threadId ? { threadId: c.threadId } : {}),
  });
  const state: ConversationState & FollowupAckState = { ...c.state, followupAckFor: turn };
  await tx.conversation.update({ where: { id: conversation.id }, data: { state: state as Prisma.InputJsonValue } });
}
