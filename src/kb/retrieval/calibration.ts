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
 * similarity and its margin, and with an embedding model the embedding cosine and its margin)
 * maps a ranking to P(top candidate is right) and P(right article in the top 3). A probe's
 * question is an example question, whose embedding the KB already has: the probes see the
 * vector evidence a customer's question gets. Without embeddings those two features are 0 on
 * every probe and keep a weight of 0, so the fit is the one without them. Probes are sampled deterministically and capped, so calibration stays cheap.
 */
import type { IndexedArticle, RankingOptions, ScoredCandidate } from './ranking.ts';
import { normalizeText } from './normalize.ts';
import { foldOf } from './reranker.ts';
import { chooseAnswerThreshold, type AnswerThreshold, type RiskControlOptions, type ScoredProbe } from './answer-threshold.ts';
import { fitLogistic, predict, type LabelledSample, type LogisticModel } from './logistic.ts';

export const CONFIDENCE_FEATURES = 14;

export interface CalibrationOptions {
  /** leave-one-out probes at most (the same number of leave-one-article-out probes) */
  maxProbes: number;
  /**
   * π, the share of out-of-scope questions assumed in the stream, for both the confidence and
   * the answer threshold. 0.6 is the top of the range a founder's desk meets (0 to 60 %, a
   * young KB at the top: most questions are not covered yet); assuming more than the stream has
   * only costs coverage, assuming less costs precision (KB-DECISION.md).
   */
  outOfScopeShare: number;
  /** precision promise and its error (answer-threshold.ts) */
  riskControl: Omit<RiskControlOptions, 'outOfScopeShare'>;
  /** folds of articles for the out-of-fold probe scores the threshold is chosen on */
  thresholdFolds: number;
}

export const DEFAULT_CALIBRATION_OPTIONS: CalibrationOptions = {
  maxProbes: 1200,
  outOfScopeShare: 0.6,
  // 0.95 is the product's promise; δ = 0.1: the bound fails on one KB fit in ten at most
  riskControl: { targetPrecision: 0.95, delta: 0.1 },
  // 5: each fold's model still sees 80 % of the probes; more folds cost fits, not accuracy
  thresholdFolds: 5,
};

export interface Calibration {
  top1: LogisticModel;
  top3: LogisticModel;
  /** number of probes it was fitted on (0 = fallback model) */
  probes: number;
  /** the KB's own answer threshold and what it expects of it */
  answer: AnswerThreshold;
  /** per article id: held-out example questions asked, and how many found their article first */
  articleProbes: Record<string, { asked: number; right: number }>;
  /** the out-of-scope share π the confidence and threshold assume */
  outOfScopeShare: number;
  /** index change count when fitted */
  fittedAt: number;
  fittedSize: number;
  /** example questions in the KB when fitted */
  fittedQuestions: number;
}

/** Features of candidate i of a ranking (the top candidate when i = 0). */
export function candidateFeatures(cands: readonly ScoredCandidate[], i: number): number[] {
  const c = cands[i];
  if (!c) return new Array<number>(CONFIDENCE_FEATURES).fill(0);
  let rival = 0;
  let rivalSemantic = 0;
  let rivalEmbedding = 0;
  for (let j = 0; j < cands.length; j++) {
    if (j === i) continue;
    // the lexical score: with embeddings `score` is a fused rank (rank-fusion.ts), whose size
    // says little; the rank is in the order, the evidence in these features
    rival = Math.max(rival, (cands[j] as ScoredCandidate).lexical);
    rivalSemantic = Math.max(rivalSemantic, (cands[j] as ScoredCandidate).semantic);
    rivalEmbedding = Math.max(rivalEmbedding, (cands[j] as ScoredCandidate).embedding);
  }
  // classifier evidence also on the log-odds scale, where a linear stacker combines it best
  const eps = 1e-3;
  return [
    c.lexical,
    c.lexical - rival,
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
    c.embedding,
    c.embedding - rivalEmbedding,
  ];
}

/** Used when the KB is too small to learn from (no held-out probes): deliberately cautious. */
export const FALLBACK_CALIBRATION: Calibration = {
  top1: { weights: [10, 12, ...new Array<number>(CONFIDENCE_FEATURES - 2).fill(0)], bias: -9 },
  top3: { weights: [10, 4, ...new Array<number>(CONFIDENCE_FEATURES - 2).fill(0)], bias: -6 },
  probes: 0,
  answer: { threshold: null, expectedPrecision: null, precisionLowerBound: null, expectedCoverage: 0, inScopeProbes: 0, outOfScopeProbes: 0, tooFewProbes: true },
  articleProbes: {},
  outOfScopeShare: DEFAULT_CALIBRATION_OPTIONS.outOfScopeShare,
  fittedAt: -1,
  fittedSize: 0,
  fittedQuestions: 0,
};

function hash(text: string): number {
  let h = 2166136261;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 16777619);
  }
  return h >>> 0;
}

interface Probe {
  x: number[];
  kind: ScoredProbe['kind'];
  inTop3: boolean;
  /** index of the article the probe came from (cross-fitting folds by article) */
  article: number;
}

/** What calibration needs of the index (kb-index.ts's KbIndex): named here, so neither imports the other. */
export interface CalibrationIndex {
  readonly options: Pick<RankingOptions, 'classifierFolds' | 'classifierArticleFolds'>;
  readonly changeCount: number;
  readonly size: number;
  articles(): IterableIterator<IndexedArticle>;
  withClassifierFold<T>(fold: number, probe: () => T, articleFold?: boolean): T;
  withTemporaryChange<T>(articleId: string, replacement: IndexedArticle | null, probe: () => T): T;
  rankDetailed(text: string, limit?: number): ScoredCandidate[];
}

/**
 * Which questions the probes hold out: up to maxProbes, spread over the articles (those with
 * example questions, in an order keyed by content, not id: the same KB calibrates the same way
 * whatever ids the database gave it). Deterministic. Also what rank fusion is fitted on.
 */
export function probePlan(index: Pick<CalibrationIndex, 'articles'>, maxProbes: number): {
  articles: IndexedArticle[];
  questionsOf: Array<{ article: IndexedArticle; questions: Array<{ q: string; i: number }> }>;
} {
  const articles = [...index.articles()]
    .filter((a) => a.questions.some((q) => q.trim()))
    .sort((a, b) => hash(a.title) - hash(b.title) || (a.title < b.title ? -1 : a.title > b.title ? 1 : 0));
  if (articles.length < 2) return { articles, questionsOf: [] };
  const totalQuestions = articles.reduce((n, a) => n + a.questions.length, 0);
  const perArticle = Math.max(1, Math.ceil(maxProbes / articles.length));
  const maxArticles = Math.max(2, Math.ceil(maxProbes / Math.min(perArticle, totalQuestions / articles.length)));
  const questionsOf = articles.slice(0, maxArticles).map((article) => ({
    article,
    questions: article.questions
      .map((q, i) => ({ q, i }))
      .filter(({ q }) => q.trim())
      .sort((x, y) => hash(x.q) - hash(y.q))
      .slice(0, perArticle),
  }));
  return { articles, questionsOf };
}

/**
 * The article without example question i, to ask that question against (leave-one-out); null
 * when nothing would be left to match. A title that repeats the held-out question would answer
 * it verbatim (FAQ imports with one question each): it is held out too.
 */
export function withoutQuestion(article: IndexedArticle, q: string, i: number): IndexedArticle | null {
  const title = normalizeText(article.title) === normalizeText(q) ? '' : article.title;
  const rest = { ...article, title, questions: article.questions.filter((_, j) => j !== i) };
  if (!title.trim() && !article.body.trim() && !rest.questions.some((r) => r.trim())) return null;
  return rest;
}

export function calibrate(index: CalibrationIndex, options: CalibrationOptions = DEFAULT_CALIBRATION_OPTIONS): Calibration {
  const { articles, questionsOf } = probePlan(index, options.maxProbes);
  const fittedAt = index.changeCount;
  const fittedSize = index.size;
  const fittedQuestions = articles.reduce((n, a) => n + a.questions.length, 0);
  if (articles.length < 2) return { ...FALLBACK_CALIBRATION, outOfScopeShare: options.outOfScopeShare, fittedAt, fittedSize, fittedQuestions };
  const probes: Probe[] = [];
  questionsOf.forEach(({ article, questions }, a) => {
    for (const { q, i } of questions) {
      const rest = withoutQuestion(article, q, i);
      if (!rest) continue;
      const fold = foldOf(article.title, q, index.options.classifierFolds);
      const cands = index.withClassifierFold(fold, () => index.withTemporaryChange(article.id, rest, () => index.rankDetailed(q, 5)));
      if (cands.length === 0) continue;
      probes.push({
        x: candidateFeatures(cands, 0),
        kind: cands[0]?.articleId === article.id ? 'right' : 'wrong',
        inTop3: cands.slice(0, 3).some((c) => c.articleId === article.id),
        article: a,
      });
    }
    const articleFold = foldOf(article.title, '', index.options.classifierArticleFolds);
    index.withTemporaryChange(article.id, null, () => {
      for (const { q } of questions) {
        const cands = index.withClassifierFold(articleFold, () => index.rankDetailed(q, 5), true);
        // a question nothing matches is escalated whatever the threshold: it still counts as a probe
        probes.push({ x: candidateFeatures(cands, 0), kind: 'outOfScope', inTop3: false, article: a });
      }
    });
  });
  const inScope = probes.filter((p) => p.kind !== 'outOfScope').length;
  const outOfScope = probes.length - inScope;
  const hasBoth = (label: (p: Probe) => boolean): boolean => probes.some(label) && probes.some((p) => !label(p));
  if (inScope < 5 || outOfScope < 5 || !hasBoth((p) => p.kind === 'right') || !hasBoth((p) => p.inTop3)) {
    return { ...FALLBACK_CALIBRATION, outOfScopeShare: options.outOfScopeShare, fittedAt, fittedSize, fittedQuestions };
  }
  // Weighted so that out-of-scope probes make up the assumed share π of the stream: the
  // confidence is then P(right article) in such a stream, and the threshold is chosen for it.
  const pi = options.outOfScopeShare;
  const oosWeight = ((pi / (1 - pi)) * inScope) / outOfScope;
  const samples = (label: (p: Probe) => boolean, subset: readonly Probe[] = probes): LabelledSample[] =>
    subset.map((p) => ({ x: p.x, y: label(p) ? 1 : 0, weight: p.kind === 'outOfScope' ? oosWeight : 1 }));
  const isRight = (p: Probe): boolean => p.kind === 'right';
  const top1 = fitLogistic(samples(isRight), CONFIDENCE_FEATURES);
  const top3 = fitLogistic(samples((p) => p.inTop3), CONFIDENCE_FEATURES);
  const articleProbes: Calibration['articleProbes'] = {};
  for (const p of probes) {
    if (p.kind === 'outOfScope') continue;
    const id = (articles[p.article] as IndexedArticle).id;
    const seen = (articleProbes[id] ??= { asked: 0, right: 0 });
    seen.asked++;
    if (p.kind === 'right') seen.right++;
  }
  return {
    top1,
    top3,
    probes: probes.length,
    articleProbes,
    outOfScopeShare: pi,
    answer: chooseAnswerThreshold(crossFittedScores(probes, samples, isRight, options.thresholdFolds), { ...options.riskControl, outOfScopeShare: pi }),
    fittedAt,
    fittedSize,
    fittedQuestions,
  };
}

/**
 * Every probe scored by a calibration fitted without its article's fold: the threshold is then
 * chosen on scores the model did not learn from.
 */
function crossFittedScores(
  probes: readonly Probe[],
  samples: (label: (p: Probe) => boolean, subset: readonly Probe[]) => LabelledSample[],
  label: (p: Probe) => boolean,
  folds: number,
): ScoredProbe[] {
  const out: ScoredProbe[] = [];
  for (let f = 0; f < folds; f++) {
    const held = probes.filter((p) => p.article % folds === f);
    const rest = probes.filter((p) => p.article % folds !== f);
    if (held.length === 0) continue;
    const model = rest.some(label) && rest.some((p) => !label(p)) ? fitLogistic(samples(label, rest), CONFIDENCE_FEATURES) : null;
    // a fold with no model cannot vouch for its probes: counted against the threshold (the
    // wrong ones answered, the right ones not)
    for (const p of held) out.push({ score: model ? predict(model, p.x) : p.kind === 'right' ? 0 : 1, kind: p.kind });
  }
  return out;
}

export function confidenceOf(cal: Calibration, cands: readonly ScoredCandidate[], i = 0): number {
  return cands[i] ? predict(cal.top1, candidateFeatures(cands, i)) : 0;
}

export function top3ConfidenceOf(cal: Calibration, cands: readonly ScoredCandidate[]): number {
  return cands[0] ? predict(cal.top3, candidateFeatures(cands, 0)) : 0;
}
