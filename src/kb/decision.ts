/**
 * The one answer / suggest / escalate decision. Pure: an index and a text in, a decision out.
 *
 * `confidence` is the calibrated probability that the top candidate is the right article
 * (see retrieval/calibration.ts: learned from the KB itself by leave-one-out). The answer
 * cut-off applies to it. The suggest cut-off applies to `suggestConfidence`, the calibrated
 * probability that the right article is among the top 3 (what a "did you mean …?" list needs).
 */
import { confidenceOf, top3ConfidenceOf } from './retrieval/calibration.ts';
import type { KbIndex, RankedCandidate } from './retrieval/kb-index.ts';

export interface DecisionThresholds {
  /** answer when P(top candidate is right) ≥ answer */
  answer: number;
  /** suggest the top 3 when P(right article in top 3) ≥ suggest (and not answered) */
  suggest: number;
}

export const DEFAULT_THRESHOLDS: DecisionThresholds = { answer: 0.78, suggest: 0.38 };

export interface KbDecision {
  outcome: 'answer' | 'suggest' | 'escalate';
  /** in [0,1]: estimated probability that the top candidate is the right article */
  confidence: number;
  /** best first, up to 5; confidence = estimated probability that this candidate is right */
  candidates: Array<RankedCandidate & { confidence: number }>;
  /** the answered article when outcome === 'answer' */
  articleId: string | null;
  /** up to 3 article ids when outcome === 'suggest', else [] */
  suggestions: string[];
  /** in [0,1]: estimated probability that the right article is among the top 3 candidates */
  suggestConfidence: number;
}

const ESCALATE_EMPTY: KbDecision = {
  outcome: 'escalate',
  confidence: 0,
  candidates: [],
  articleId: null,
  suggestions: [],
  suggestConfidence: 0,
};

export function decide(index: KbIndex, text: string, thresholds: DecisionThresholds = DEFAULT_THRESHOLDS): KbDecision {
  if (!text.trim() || index.size === 0) return { ...ESCALATE_EMPTY, candidates: [], suggestions: [] };
  // Fit first: a refit retrains the re-ranker, and candidates ranked by the old one would be
  // scored by a calibration that never saw them (every confidence came out 1.0 on a fresh KB).
  const cal = index.calibration();
  const ranked = index.rankDetailed(text, 5);
  if (ranked.length === 0) return { ...ESCALATE_EMPTY, candidates: [], suggestions: [] };
  const candidates = ranked.map((c, i) => ({ articleId: c.articleId, score: c.score, confidence: confidenceOf(cal, ranked, i) }));
  const confidence = candidates[0]?.confidence ?? 0;
  const suggestConfidence = Math.max(confidence, top3ConfidenceOf(cal, ranked));
  const top = candidates[0];
  if (top && confidence >= thresholds.answer) {
    return { outcome: 'answer', confidence, candidates, articleId: top.articleId, suggestions: [], suggestConfidence };
  }
  if (suggestConfidence >= thresholds.suggest) {
    return {
      outcome: 'suggest',
      confidence,
      candidates,
      articleId: null,
      suggestions: candidates.slice(0, 3).map((c) => c.articleId),
      suggestConfidence,
    };
  }
  return { outcome: 'escalate', confidence, candidates, articleId: null, suggestions: [], suggestConfidence };
}
