import type { PendingOffer } from './decide-reply.ts';

/** What the pipeline remembers about a conversation between messages (Conversation.state). */
export interface ConversationState {
  offer?: PendingOffer | null;
  /** Where replies go inside the customer's chat (a Slack thread). */
  replyThreadId?: string;
  floodNoticeAt?: string;
  /** A picked suggestion not yet rejected: taught to the KB when the window passes. */
  lesson?: { articleId: string; question: string; at: string; customerId: string } | null;
  /** The LLM's draft shown on the last escalation: what Send draft / `!send` sends. */
  draft?: { text: string; articleIds: string[]; at: string } | null;
}

export function readState(value: unknown): ConversationState {
  return value && typeof value === 'object' && !Array.isArray(value) ? (value as ConversationState) : {};
}
