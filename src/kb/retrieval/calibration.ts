/**
 * Confidence calibration learned from the KB itself, so thresholds mean the same thing on
 * any KB (English or Chinese, 5 or 50 examples per article) without constants fitted on one
 * data set:
 *  - leave-one-out: hold out one example question, rank it against the rest of the KB; the
 *    label is whether its own article comes first (and whether it is in the top 3);
 *  - leave-one-article-out: remove a whole article and rank its questions; whatever comes
 *    first is wrong, which stands in for out-of-scope questions.
 * Probes use classifier copies that never saw the probe (question folds for leave-one-out,
 * article folds for leave-one-article-out), see kb-index.ts.
 * A logistic regression over ranking features (top score, margin to the runner-up, nearest
 * and centroid cosines, classifier probability and its margin, also as log-odds, word-vector
 * similarity and its margin) maps a ranking to P(top candidate is right) and P(right article in
 * the top 3). Probes are sampled deterministically and capped, so calibration stays cheap.
 */
import type { KbIndex, ScoredCandidate } from './kb-index.ts';
import { foldOf } from './reranker.ts';
import { fitLogistic, predict, type LabelledSample, type LogisticModel } from './logistic.ts';

export const CONFIDENCE_FEATURES = 12;

export interface CalibrationOptions {
  /** leave-one-out probes at most (the same number of leave-one-article-out probes) */
  maxProbes: number;
  /** weight of one out-of-scope probe relative to one in-scope probe (the OOS prior) */
  outOfScopeWeight: number;
  /**
   * below this many articles the out-of-scope weight grows as the KB shrinks, × (this /
   * articles)²: a young KB leaves most customer questions uncovered, and its
   * leave-one-article-out probes miss the near misses (a removed article's neighbours are
   * mostly not in a small KB). On banking77-k5 split into KBs of 10 / 20 articles,
   * oos_escalation went from 0.917 / 0.910 to 0.991 / 0.967 (scripts/bench-kb-dev.ts --sub-kbs).
   */
  smallKbArticles: number;
}

export const DEFAULT_CALIBRATION_OPTIONS: CalibrationOptions = {
  maxProbes: 1200,
  outOfScopeWeight: 0.6,
  smallKbArticles: 60,
};

export interface Calibration {
  top1: LogisticModel;
  top3: LogisticModel;
  /** number of probes it was fitted on (0 = fallback model) */
  probes: number;
  /** index change count when fitted */
  fittedAt: number;
  fittedSize: number;
}

/** Features of candidate i of a ranking (the top candidate when i = 0). */
export function candidateFeatures(cands: readonly ScoredCandidate[], i: number): number[] {
  const c = cands[i];
  if (!c) return new Array<number>(CONFIDENCE_FEATURES).fill(0);
  let rival = 0;
  let rivalSemantic = 0;
  for (let j = 0; j < cands.length; j++) {
    if (j === i) continue;
    rival = Math.max(rival, (cands[j] as ScoredCandidate).score);
    rivalSemantic = Math.max(rivalSemantic, (cands[j] as ScoredCandidate).semantic);
  }
  // classifier evidence also on the log-odds scale, where a linear stacker combines it best
  const eps = 1e-3;
  return [
    c.score,
    c.score - rival,
    c.nearest,
    c.centroid,
    rival,
    c.matched,
    c.prob,
    c.prob - c.rivalProb,
    Math.log(c.prob + eps),
    Math.log((c.prob + eps) / (c.rivalProb + eps)),
    c.semantic,
    c.semantic - rivalSemantic,
  ];
}

/** Used when the KB is too small to learn from (no held-out probes): deliberately cautious. */
export const FALLBACK_CALIBRATION: Calibration = {
  top1: { weights: [10, 12, ...new Array<number>(CONFIDENCE_FEATURES - 2).fill(0)], bias: -9 },
  top3: { weights: [10, 4, ...new Array<number>(CONFIDENCE_FEATURES - 2).fill(0)], bias: -6 },
  probes: 0,
  fittedAt: -1,
  fittedSize: 0,
};

function hash(text: string): number {
  let h = 2166136261;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 16777619);
  }
  return h >>> 0;
}

export function calibrate(index: KbIndex, options: CalibrationOptions = DEFAULT_CALIBRATION_OPTIONS): Calibration {
  const articles = [...index.articles()]
    .filter((a) => a.questions.some((q) => q.trim()))
    // Keyed by content, not id: the same KB calibrates the same way whatever ids the database gave it.
    .sort((a, b) => hash(a.title) - hash(b.title) || (a.title < b.title ? -1 : a.title > b.title ? 1 : 0));
  const fittedAt = index.changeCount;
  const fittedSize = index.size;
  if (articles.length < 2) return { ...FALLBACK_CALIBRATION, fittedAt, fittedSize };
  const totalQuestions = articles.reduce((n, a) => n + a.questions.length, 0);
  const perArticle = Math.max(1, Math.ceil(options.maxProbes / articles.length));
  const maxArticles = Math.max(2, Math.ceil(options.maxProbes / Math.min(perArticle, totalQuestions / articles.length)));
  const top1: LabelledSample[] = [];
  const top3: LabelledSample[] = [];
  const oosWeight = options.outOfScopeWeight * Math.max(1, (options.smallKbArticles / articles.length) ** 2);
  for (const article of articles.slice(0, maxArticles)) {
    const questions = article.questions
      .map((q, i) => ({ q, i }))
      .filter(({ q }) => q.trim())
      .sort((a, b) => hash(a.q) - hash(b.q))
      .slice(0, perArticle);
    for (const { q, i } of questions) {
      const rest = { ...article, questions: article.questions.filter((_, j) => j !== i) };
      const fold = foldOf(article.title, q, index.options.classifierFolds);
      const cands = index.withClassifierFold(fold, () => index.withTemporaryChange(article.id, rest, () => index.rankDetailed(q, 5)));
      if (cands.length === 0) continue;
      const x = candidateFeatures(cands, 0);
      top1.push({ x, y: cands[0]?.articleId === article.id ? 1 : 0, weight: 1 });
      top3.push({ x, y: cands.slice(0, 3).some((c) => c.articleId === article.id) ? 1 : 0, weight: 1 });
    }
    const articleFold = foldOf(article.title, '', index.options.classifierArticleFolds);
    index.withTemporaryChange(article.id, null, () => {
      for (const { q } of questions) {
        const cands = index.withClassifierFold(articleFold, () => index.rankDetailed(q, 5), true);
        if (cands.length === 0) continue;
        const x = candidateFeatures(cands, 0);
        top1.push({ x, y: 0, weight: oosWeight });
        top3.push({ x, y: 0, weight: oosWeight });
      }
    });
  }
  const hasBoth = (s: LabelledSample[]): boolean => s.some((v) => v.y === 1) && s.some((v) => v.y === 0);
  if (top1.length < 10 || !hasBoth(top1) || !hasBoth(top3)) return { ...FALLBACK_CALIBRATION, fittedAt, fittedSize };
  return {
    top1: fitLogistic(top1, CONFIDENCE_FEATURES),
    top3: fitLogistic(top3, CONFIDENCE_FEATURES),
    probes: top1.length,
    fittedAt,
    fittedSize,
  };
}

export function confidenceOf(cal: Calibration, cands: readonly ScoredCandidate[], i = 0): number {
  return cands[i] ? predict(cal.top1, candidateFeatures(cands, i)) : 0;
}

export function top3ConfidenceOf(cal: Calibration, cands: readonly ScoredCandidate[]): number {
  return cands[0] ? predict(cal.top3, candidateFeatures(cands, 0)) : 0;
}
