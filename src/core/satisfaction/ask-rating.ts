import type { Prisma } from '@prisma/client';
import type { BusinessHours } from '../../config/business-hours.ts';
import { isOpen } from '../business-hours.ts';
import { readState, type RatingState } from '../conversation-state.ts';
import { encodeCustomerAction, type CsatScore } from '../customer-action.ts';
import { enqueueCustomerMessage, type Tx } from '../outbox.ts';
import { phrases, replyLanguageOf } from '../phrases.ts';

// Asking for a satisfaction rating (CSAT, 1–5), once per conversation, when it is over: the
// founder resolved it, or a bot answer was accepted (👍) or left alone for a while. Never after a
// 👎, never outside business hours (it waits for the opening), never twice: Conversation.csatAskedAt
// is claimed in the transaction that enqueues the prompt.

export interface RatingSettings {
  /** CSAT=on|off. */
  csatEnabled: boolean;
  /** A bot answer with no customer message for this long counts as accepted (CSAT_AFTER_ANSWER_MS). */
  csatAfterAnswerMs: number;
  businessHours?: BusinessHours;
}

/**
 * 30 minutes: the usual line for "the visit is over" — web analytics ends a session after 30
 * minutes without activity (Google Analytics' default session timeout) — and as long as a "did you
 * mean" list stays pickable here (offerTtlMs), so the bot treats both silences alike.
 */
export const DEFAULT_CSAT_AFTER_ANSWER_MS = 30 * 60_000;

/** The brief's "about ten minutes": as long as a picked article waits before it teaches the KB (learnAfterMs). */
export const COMMENT_WINDOW_MS = 10 * 60_000;

/**
 * A typed number counts as the rating for a day after the prompt (our choice): later, a bare
 * number is more likely the start of something new, and it is only read as a rating when it is
 * the first text after the prompt anyway. Pressed buttons carry their prompt and have no limit.
 */
export const PROMPT_TTL_MS = 24 * 3_600_000;

/** Short enough for one line on every platform; the faces carry the scale where digits alone would not. */
export const RATING_LABELS: Record<CsatScore, string> = { 1: '1 😞', 2: '2 🙁', 3: '3 😐', 4: '4 🙂', 5: '5 😍' };
const SCORES: CsatScore[] = [1, 2, 3, 4, 5];

export type AskOutcome = 'asked' | 'waiting' | 'not_asked';

/**
 * Asks for the rating now if the conversation may be asked, or marks it due for the opening when
 * the desk is closed. Runs inside the caller's transaction (the resolve, the 👍, the sweep).
 */
export async function askForRating(
  tx: Tx,
  settings: RatingSettings,
  input: { conversationId: string; now: Date; /** Said first, in the same message (the 👍's thanks). */ preface?: string },
): Promise<AskOutcome> {
  if (!settings.csatEnabled) return 'not_asked';
  const { now } = input;
  const conversation = await tx.conversation.findUnique({ where: { id: input.conversationId } });
  if (!conversation || conversation.csatAskedAt !== null) return 'not_asked';
  const state = readState(conversation.state);
  const setRating = (csat: RatingState | null) =>
    tx.conversation.update({ where: { id: conversation.id }, data: { state: { ...state, csat } as Prisma.InputJsonValue } });
  if (!(await mayAsk(tx, conversation))) {
    if (state.csat) await setRating(null);
    return 'not_asked';
  }
  if (settings.businessHours && !isOpen(settings.businessHours, now)) {
    const dueAt = state.csat?.dueAt;
    if (dueAt === undefined || Date.parse(dueAt) > now.getTime()) await setRating({ dueAt: now.toISOString() });
    return 'waiting';
  }
  // Claimed by the update itself: two resolves at once ask once.
  const claimed = await tx.conversation.updateMany({ where: { id: conversation.id, csatAskedAt: null }, data: { csatAskedAt: now } });
  if (claimed.count === 0) return 'not_asked';
  const lastText = await tx.message.findFirst({
    where: { conversationId: conversation.id, author: 'customer', kind: 'text' },
    orderBy: { createdAt: 'desc' },
    select: { text: true },
  });
  const language = replyLanguageOf(lastText?.text ?? '');
  const say = phrases(language);
  const threadId = state.replyThreadId;
  const messageId = await enqueueCustomerMessage(tx, {
    conversation,
    text: input.preface ? `${input.preface}\n\n${say.rateAsk}` : say.rateAsk,
    author: 'system',
    ...(threadId ? { threadId } : {}),
    buttonsPrompt: say.ratePrompt,
    buttons: (id) => SCORES.map((score) => ({ action: encodeCustomerAction({ kind: 'csat', messageId: id, score }), label: RATING_LABELS[score] })),
  });
  await setRating({ prompt: { at: now.toISOString(), messageId, language } });
  return 'asked';
}

/** The rating state a bot answer starts: due once the answer has been left alone long enough. */
export function ratingAfterAnswer(
  conversation: { csatAskedAt: Date | null },
  settings: RatingSettings,
  now: Date,
): RatingState | null {
  if (!settings.csatEnabled || conversation.csatAskedAt !== null) return null;
  return { dueAt: new Date(now.getTime() + settings.csatAfterAnswerMs).toISOString() };
}

/**
 * Whether the conversation is over and may be rated: resolved, or last answered by the bot; no 👎
 * in it (a customer who rejected an answer was handed to the founder and is not asked again);
 * and still the chat's latest conversation (a newer one means the customer is on to something else).
 */
async function mayAsk(tx: Tx, conversation: Prisma.ConversationGetPayload<object>): Promise<boolean> {
  if (conversation.status !== 'resolved' && conversation.status !== 'answered') return false;
  const rejected = await tx.feedback.findFirst({
    where: { conversationId: conversation.id, kind: 'answer', score: { lte: 1 } },
    select: { id: true },
  });
  if (rejected) return false;
  const newer = await tx.conversation.findFirst({
    where: { channel: conversation.channel, externalChatId: conversation.externalChatId, createdAt: { gt: conversation.createdAt } },
    select: { id: true },
  });
  return newer === null;
}
