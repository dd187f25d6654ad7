import type { KbAnswer } from '../kb/knowledge-base.ts';
import type { CsatScore, CustomerActionKind } from './customer-action.ts';
import type { EscalationReason, KbCandidateSummary } from './ports.ts';

// The one place that decides what happens to what a customer does: a message (decideReply, issue
// 3's rules in order) or a button press (decidePress). The callers only gather the facts these
// read and carry out what they return; the KB decides how sure it is, not what is sent.

export interface PendingOffer {
  id: string;
  articles: KbCandidateSummary[];
  question: string;
  at: string;
}

export interface ReplyContext {
  /** The conversation is with the founder (escalated, or the founder replied and waits). */
  withFounder: boolean;
  /** More messages in the last minute than the flood limit allows. */
  flooded: boolean;
  /** This conversation was already told about flooding recently. */
  floodNoticeSent: boolean;
  humanRequested: boolean;
  /** A "did you mean" list the customer has not answered yet, still fresh. */
  offer: PendingOffer | null;
  /** The customer's text read as a pick from that list: 0 = none of these, 1–3 = an article. */
  pickedNumber: number | null;
  /**
   * Satisfaction: the text read as 1–5 under a rating prompt it is the first answer to, and the
   * rating (Feedback id) this text would be the comment of, within its window (satisfaction/).
   */
  rating?: { score: CsatScore | null; commentFor: string | null };
  kb: KbAnswer;
  /**
   * The LLM's draft for this message (made before the transaction, only when the KB would hand it
   * to the founder), and whether LLM_MODE=auto lets a draft that passed every check go alone.
   */
  llm?: { autoAnswers: boolean; draft: DraftFacts | null };
  /**
   * Whether an article may still be sent (published now, read in the deciding transaction): the
   * KB's index or a list shown earlier may name one archived since.
   */
  published(articleId: string): boolean;
}

export interface DraftFacts {
  answer: string;
  citedArticleIds: string[];
  autoSendable: boolean;
  whyNotAuto?: string;
}

export type ReplyDecision =
  | { kind: 'relay_to_founder' }
  | { kind: 'store_only' }
  | { kind: 'escalate'; reason: EscalationReason }
  | { kind: 'answer'; articleId: string; confidence: number }
  | { kind: 'suggest'; articleIds: string[] }
  | { kind: 'pick'; articleId: string }
  /** A typed 1–5 answering the rating prompt (channels without buttons type it). */
  | { kind: 'rate'; score: CsatScore }
  /** The words after a rating: stored as its comment and acknowledged, never escalated. */
  | { kind: 'rating_comment'; feedbackId: string }
  /** LLM_MODE=auto: the grounded draft goes to the customer, citing these (published) articles. */
  | { kind: 'auto_answer'; answer: string; articleIds: string[] };

export function decideReply(c: ReplyContext): ReplyDecision {
  if (c.withFounder) return { kind: 'relay_to_founder' };
  if (c.flooded) return c.floodNoticeSent ? { kind: 'store_only' } : { kind: 'escalate', reason: 'flood' };
  // Only the first text after the prompt can be the rating; anything else is a new question.
  if (c.rating?.score) return { kind: 'rate', score: c.rating.score };
  // Asking for a person after rating is a request, not a comment: it goes on to escalate.
  if (c.rating?.commentFor && !c.humanRequested) return { kind: 'rating_comment', feedbackId: c.rating.commentFor };
  if (c.offer && c.pickedNumber !== null) {
    if (c.pickedNumber === 0) return { kind: 'escalate', reason: 'no_suggestion_fit' };
    const articleId = c.offer.articles[c.pickedNumber - 1]?.articleId;
    if (articleId) return c.published(articleId) ? { kind: 'pick', articleId } : { kind: 'escalate', reason: 'kb_unsure' };
  }
  if (c.humanRequested) return { kind: 'escalate', reason: 'human_requested' };
  const { decision } = c.kb;
  if (decision.outcome === 'answer' && decision.articleId) {
    // An answer that can no longer be sent is no answer: the founder gets the question.
    if (!c.published(decision.articleId)) return { kind: 'escalate', reason: 'kb_unsure' };
    return { kind: 'answer', articleId: decision.articleId, confidence: decision.confidence };
  }
  // A free-text reply to a pending list is not a pick: the list did not fit, so the founder
  // gets it (with the list shown), unless the KB is sure about the new text (handled above).
  if (c.offer) return { kind: 'escalate', reason: 'no_suggestion_fit' };
  if (decision.outcome === 'suggest' && decision.suggestions.length > 0) {
    return { kind: 'suggest', articleIds: decision.suggestions };
  }
  // Only where the founder would otherwise get the question because the KB is unsure: a person
  // asked for, a rejected list or a flood always reach the founder, and a list is cheaper than a
  // draft. Every cited article must still be published (one archived since the draft is not).
  const draft = c.llm?.draft;
  if (c.llm?.autoAnswers && draft?.autoSendable && draft.citedArticleIds.length > 0 && draft.citedArticleIds.every((id) => c.published(id))) {
    return { kind: 'auto_answer', answer: draft.answer, articleIds: draft.citedArticleIds };
  }
  return { kind: 'escalate', reason: 'kb_unsure' };
}

/**
 * Whether the LLM should draft for a message decided this way (before the transaction, from a
 * preview): only for what reaches the founder because the KB is not sure or a person was asked
 * for. A list the customer rejected, a flood or a follow-up would spend tokens on nothing.
 */
export function wantsDraft(decision: ReplyDecision): boolean {
  return decision.kind === 'escalate' && (decision.reason === 'kb_unsure' || decision.reason === 'human_requested');
}

export interface PressContext {
  /** The press, decoded; null when it is not a button this desk made. */
  action: CustomerActionKind | null;
  /** The conversation is with the founder (escalated, or the founder replied and waits). */
  withFounder: boolean;
  resolved: boolean;
  /**
   * For 👍/👎: the rated message is one of this conversation's, and whether it was rated before.
   * For a 1–5 rating: the prompt is this conversation's, and whether the conversation has a rating.
   */
  rated: { found: boolean; before: boolean };
  /** The "did you mean" list the conversation shows now, if still fresh. */
  offer: PendingOffer | null;
  published(articleId: string): boolean;
}

export type PressDecision =
  /** A button that no longer applies; `tell` says whether the customer hears so. */
  | { kind: 'stale'; tell: boolean; clearOffer: boolean }
  /** `tell`: a second 1–5 press is answered (the customer may think the first was lost); 👍/👎 is not. */
  | { kind: 'already_rated'; tell?: true }
  | { kind: 'rate'; score: CsatScore }
  | { kind: 'feedback_up' }
  /** 👎: recorded; the founder takes over unless the conversation is already theirs. */
  | { kind: 'feedback_down'; escalate: boolean }
  | { kind: 'escalate'; reason: 'no_suggestion_fit' }
  | { kind: 'pick'; articleId: string };

export function decidePress(c: PressContext): PressDecision {
  const action = c.action;
  if (action === null) return { kind: 'stale', tell: true, clearOffer: false };
  if (action.kind === 'feedback') {
    // A rating of a message that is not this conversation's is dropped silently: nothing to say.
    if (!c.rated.found) return { kind: 'stale', tell: false, clearOffer: false };
    if (c.rated.before) return { kind: 'already_rated' };
    return action.vote === 'up' ? { kind: 'feedback_up' } : { kind: 'feedback_down', escalate: !c.withFounder };
  }
  if (action.kind === 'csat') {
    if (!c.rated.found) return { kind: 'stale', tell: false, clearOffer: false };
    return c.rated.before ? { kind: 'already_rated', tell: true } : { kind: 'rate', score: action.score };
  }
  if (c.offer === null || c.offer.id !== action.offerId || c.resolved) return { kind: 'stale', tell: true, clearOffer: false };
  if (action.kind === 'none_of_these') return { kind: 'escalate', reason: 'no_suggestion_fit' };
  const articleId = c.offer.articles[action.choice - 1]?.articleId;
  if (articleId === undefined || !c.published(articleId)) return { kind: 'stale', tell: true, clearOffer: true };
  return { kind: 'pick', articleId };
}

/** A typed rating: "4", "４", "4/5", "4 ⭐" → 4; anything else (0, 6, words) → null. */
export function readRatingNumber(text: string): CsatScore | null {
  const match = /^\s*#?\s*([1-5１-５])\s*(?:\/\s*5|分|星|⭐+|[.)、。!！])?\s*$/u.exec(text);
  return match ? (Number(match[1]!.normalize('NFKC')) as CsatScore) : null;
}

/** "2", "#2", "２", " 2. " → 2; anything else → null. */
export function readPickNumber(text: string, optionCount: number): number | null {
  const match = /^\s*#?\s*([0-9０-９])\s*[.)、。]?\s*$/.exec(text);
  if (!match) return null;
  const n = Number(match[1]!.normalize('NFKC'));
  return n <= optionCount ? n : null;
}
