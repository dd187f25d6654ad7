import type { Prisma } from '@prisma/client';
import { readState, type ConversationState } from '../conversation-state.ts';
import type { CsatScore } from '../customer-action.ts';
import { readRatingNumber, type ReplyDecision } from '../decide-reply.ts';
import { asksForHuman } from '../human-request.ts';
import { enqueueCustomerMessage, type ConversationRef, type Tx } from '../outbox.ts';
import { phrases, type ReplyLanguage } from '../phrases.ts';
import { COMMENT_WINDOW_MS, PROMPT_TTL_MS } from './ask-rating.ts';

// Recording what the customer answers to the rating prompt: the score (a pressed button, or a
// typed number on channels without buttons), then optionally a comment. What a text means is
// decided in decide-reply.ts; this file reads the facts it needs and carries out the decision.

type ConversationRow = Prisma.ConversationGetPayload<object>;

/** What a customer text is to the rating: the score under a fresh prompt, the comment after a rating. */
export function ratingFacts(state: ConversationState, text: string, now: Date): { score: CsatScore | null; commentFor: string | null } {
  const { prompt, rated } = state.csat ?? {};
  const fresh = (at: string, ttlMs: number) => now.getTime() - Date.parse(at) <= ttlMs;
  return {
    score: prompt && fresh(prompt.at, PROMPT_TTL_MS) ? readRatingNumber(text) : null,
    commentFor: rated && fresh(rated.at, COMMENT_WINDOW_MS) && text.trim() !== '' ? rated.feedbackId : null,
  };
}

/**
 * The resolved conversation a customer text belongs to when it answers that conversation's rating
 * prompt or comments on its rating; null otherwise (the text opens a new conversation as usual).
 */
export async function conversationAwaitingRating(
  db: Tx,
  message: { channel: string; externalChatId: string; text: string; autoReply?: string | undefined },
  now: Date,
): Promise<ConversationRow | null> {
  if (message.autoReply !== undefined) return null;
  const latest = await db.conversation.findFirst({
    where: { channel: message.channel, externalChatId: message.externalChatId },
    orderBy: { createdAt: 'desc' },
  });
  if (latest?.status !== 'resolved') return null;
  const facts = ratingFacts(readState(latest.state), message.text, now);
  return facts.score !== null || (facts.commentFor !== null && !asksForHuman(message.text)) ? latest : null;
}

/**
 * A customer text ends whatever the rating waited for: the prompt is answered or passed over, the
 * comment window closes, and the last answer is no longer "left alone". Returns the state without it.
 */
export async function endRatingWait(tx: Tx, conversation: Pick<ConversationRow, 'id' | 'state'>): Promise<ConversationState> {
  const state = readState(conversation.state);
  if (!state.csat) return state;
  const next = { ...state, csat: null };
  await tx.conversation.update({ where: { id: conversation.id }, data: { state: next as Prisma.InputJsonValue } });
  return next;
}

/** The conversation whose rating prompt `messageId` is, when it is this chat's. */
export async function conversationOfPrompt(
  tx: Tx,
  chat: { channel: string; externalChatId: string },
  messageId: string,
): Promise<ConversationRow | null> {
  const prompt = await tx.message.findFirst({
    where: { id: messageId, conversation: { channel: chat.channel, externalChatId: chat.externalChatId } },
    select: { conversation: true },
  });
  return prompt?.conversation ?? null;
}

/** Carries out what decideReply made of a customer text about the rating: the score, or its comment. */
export async function applyRatingReply(
  tx: Tx,
  decision: Extract<ReplyDecision, { kind: 'rate' | 'rating_comment' }>,
  c: { conversation: ConversationRow; state: ConversationState; text: string; language: ReplyLanguage; threadId?: string; now: Date },
): Promise<void> {
  const thread = c.threadId ? { threadId: c.threadId } : {};
  if (decision.kind === 'rating_comment') {
    return recordComment(tx, { conversation: c.conversation, feedbackId: decision.feedbackId, text: c.text, language: c.language, ...thread });
  }
  // A typed number carries no language; the prompt was asked in the customer's.
  const prompt = readState(c.conversation.state).csat?.prompt;
  await recordRating(tx, {
    conversation: c.conversation,
    state: c.state,
    score: decision.score,
    promptMessageId: prompt?.messageId ?? null,
    language: prompt?.language ?? c.language,
    ...thread,
    now: c.now,
  });
}

/** Stores the rating (Feedback kind csat, Conversation.csatScore), thanks, and opens the comment window. */
export async function recordRating(
  tx: Tx,
  input: {
    conversation: ConversationRef;
    /** The state to keep (the caller's, rating wait already ended). */
    state: ConversationState;
    score: CsatScore;
    promptMessageId: string | null;
    language: ReplyLanguage;
    threadId?: string;
    now: Date;
  },
): Promise<void> {
  const { conversation, now } = input;
  const feedback = await tx.feedback.create({
    data: { kind: 'csat', conversationId: conversation.id, messageId: input.promptMessageId, score: input.score, createdAt: now },
  });
  const state: ConversationState = { ...input.state, csat: { rated: { at: now.toISOString(), feedbackId: feedback.id, language: input.language } } };
  await tx.conversation.update({
    where: { id: conversation.id },
    data: { csatScore: input.score, state: state as Prisma.InputJsonValue },
  });
  await enqueueCustomerMessage(tx, {
    conversation,
    text: phrases(input.language).thanksRating(input.score),
    author: 'system',
    ...(input.threadId ? { threadId: input.threadId } : {}),
  });
}

/** Stores the words after a rating as its comment (the first only) and acknowledges them. */
export async function recordComment(
  tx: Tx,
  input: { conversation: ConversationRef; feedbackId: string; text: string; language: ReplyLanguage; threadId?: string },
): Promise<void> {
  await tx.feedback.updateMany({ where: { id: input.feedbackId, comment: null }, data: { comment: input.text.trim() } });
  await enqueueCustomerMessage(tx, {
    conversation: input.conversation,
    text: phrases(input.language).thanksComment,
    author: 'system',
    ...(input.threadId ? { threadId: input.threadId } : {}),
  });
}
