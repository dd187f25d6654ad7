import type { KbAnswer } from '../kb/knowledge-base.ts';
import type { EscalationReason, KbCandidateSummary } from './ports.ts';

// The one place that decides what happens to a customer message (issue 3's rules, in order).

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
  kb: KbAnswer;
}

export type ReplyDecision =
  | { kind: 'relay_to_founder' }
  | { kind: 'store_only' }
  | { kind: 'escalate'; reason: EscalationReason }
  | { kind: 'answer'; articleId: string; confidence: number }
  | { kind: 'suggest'; articleIds: string[] }
  | { kind: 'pick'; articleId: string };

export function decideReply(c: ReplyContext): ReplyDecision {
  if (c.withFounder) return { kind: 'relay_to_founder' };
  if (c.flooded) return c.floodNoticeSent ? { kind: 'store_only' } : { kind: 'escalate', reason: 'flood' };
  if (c.offer && c.pickedNumber !== null) {
    if (c.pickedNumber === 0) return { kind: 'escalate', reason: 'no_suggestion_fit' };
    const articleId = c.offer.articles[c.pickedNumber - 1]?.articleId;
    if (articleId) return { kind: 'pick', articleId };
  }
  if (c.humanRequested) return { kind: 'escalate', reason: 'human_requested' };
  const { decision } = c.kb;
  if (decision.outcome === 'answer' && decision.articleId) {
    return { kind: 'answer', articleId: decision.articleId, confidence: decision.confidence };
  }
  // A free-text reply to a pending list is not a pick: the list did not fit, so the founder
  // gets it (with the list shown), unless the KB is sure about the new text (handled above).
  if (c.offer) return { kind: 'escalate', reason: 'no_suggestion_fit' };
  if (decision.outcome === 'suggest' && decision.suggestions.length > 0) {
    return { kind: 'suggest', articleIds: decision.suggestions };
  }
  return { kind: 'escalate', reason: 'kb_unsure' };
}

/** "2", "#2", "２", " 2. " → 2; anything else → null. */
export function readPickNumber(text: string, optionCount: number): number | null {
  const match = /^\s*#?\s*([0-9０-９])\s*[.)、。]?\s*$/.exec(text);
  if (!match) return null;
  const n = Number(match[1]!.normalize('NFKC'));
  return n <= optionCount ? n : null;
}
