import type { PendingOffer } from './decide-reply.ts';
import type { ReplyLanguage } from './phrases.ts';

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
  /** Where the satisfaction rating stands (src/core/satisfaction/): due, asked, or just given. */
  csat?: RatingState | null;
}

export interface RatingState {
  /** Ask from then on (a KB answer left alone; a resolve outside business hours waits for opening). */
  dueAt?: string;
  /** The prompt sent: the next customer text, if it is 1–5, is the rating. */
  prompt?: { at: string; messageId: string; language: ReplyLanguage };
  /** The rating given: the next customer text, within the comment window, is its comment. */
  rated?: { at: string; feedbackId: string; language: ReplyLanguage };
}

export function readState(value: unknown): ConversationState {
  return value && typeof value === 'object' && !Array.isArray(value) ? (value as ConversationState) : {};
}
