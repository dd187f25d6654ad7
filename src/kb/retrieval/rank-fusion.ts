/**
 * How the lexical ranking (words, re-ranked by the classifier and word vectors) and the
 * embedding ranking (best cosine between the question and an article's texts) become one.
 *
 * A weighted sum, lexical·a + cosine·b, with a and b fitted on the KB's own leave-one-out probes
 * (a logistic regression telling the held-out question's article from the other candidates of
 * its pool), refitted with the re-ranker and the calibration. Fitted, not set: each embedding
 * model's cosines sit in a band of their own (text-embedding-ada-002 puts almost every pair above
 * 0.7, the text-embedding-3 models spread lower), the lexical score has no fixed scale, and how much
 * a model knows of a KB's subject varies (a model that tells its articles apart gets a large b,
 * one that does not, such as the test fake's hash vectors, a b near 0). Combining scores rather
 * than ranks keeps the strength of each: an article the question shares no word with can still
 * come first when its cosine stands out (Bruch, Gai & Ingber, "An Analysis of Fusion Functions
 * for Hybrid Retrieval", ACM TOIS 2023: a tuned convex combination beats reciprocal rank fusion,
 * and is tuned with few labelled queries).
 *
 * Until a KB has probes enough to fit on (a handful of articles), reciprocal rank fusion stands
 * in: each list gives an article 1 / (k + its rank there), nothing when not in it.
 */
import { probePlan, withoutQuestion, type CalibrationIndex } from './calibration.ts';
import { fitLogistic } from './logistic.ts';
import type { ScoredCandidate } from './ranking.ts';
import { foldOf } from './reranker.ts';
import { bestCosine } from './text-embeddings.ts';
import type { TopCandidates } from './top-candidates.ts';

/** How the two scores are weighed (fitFusion). */
export interface FusionWeights {
  lexical: number;
  embedding: number;
}

/** A candidate of a probe's pool: its two scores, and whether it is the probe's article. */
export interface FusionSample {
  lexical: number;
  embedding: number;
  right: boolean;
}

/** What fitting needs of the index (kb-index.ts's KbIndex). */
export interface FusionIndex extends Pick<CalibrationIndex, 'articles' | 'options' | 'withClassifierFold' | 'withTemporaryChange'> {
  fusionSamples(text: string, articleId: string): FusionSample[];
}

/**
 * Fewer usable probes than this and no weights are fitted: the least calibration.ts asks of
 * each kind of probe before it fits its own logistic regression.
 */
const MIN_FUSION_PROBES = 5;

/**
 * The weights from the leave-one-out probes calibration.ts asks (the same questions, the same
 * cross-fitted classifier folds, so the lexical score is as honest as a customer's question
 * gets). A probe counts when its article is in its pool. Null: too few probes, or words that
 * do not help (a KB whose probes say nothing: rank fusion then trusts neither list more).
 */
export function fitFusion(index: FusionIndex, maxProbes: number): FusionWeights | null {
  const samples: FusionSample[] = [];
  let probes = 0;
  for (const { article, questions } of probePlan(index, maxProbes).questionsOf) {
    for (const { q, i } of questions) {
      const rest = withoutQuestion(article, q, i);
      if (!rest) continue;
      const fold = foldOf(article.title, q, index.options.classifierFolds);
      const pool = index.withClassifierFold(fold, () => index.withTemporaryChange(article.id, rest, () => index.fusionSamples(q, article.id)));
      if (!pool.some((c) => c.right)) continue;
      probes++;
      samples.push(...pool);
    }
  }
  if (probes < MIN_FUSION_PROBES || samples.every((c) => c.right)) return null;
  const model = fitLogistic(
    samples.map((c) => ({ x: [c.lexical, c.embedding], y: c.right ? 1 : 0, weight: 1 })),
    2,
  );
  const [lexical = 0, embedding = 0] = model.weights;
  // More evidence is never evidence against an article: a negative weight is the probes' noise
  // (a few dozen probes, vectors that know nothing of the KB), so it counts for nothing.
  if (lexical <= 0) return null;
  return { lexical, embedding: Math.max(0, embedding) };
}

/** Sets each candidate's `lexical` score (its score so far) and replaces its `score` by the weighted sum. */
export function fuseScores(candidates: readonly ScoredCandidate[], w: FusionWeights): void {
  for (const c of candidates) {
    c.lexical = c.score;
    c.score = w.lexical * c.lexical + w.embedding * c.embedding;
  }
}

/**
 * k = 60: Cormack, Clarke & Büttcher, "Reciprocal Rank Fusion outperforms Condorcet and
 * individual Rank Learning Methods" (SIGIR 2009), chosen there on pilot runs and found not
 * critical; the value Elasticsearch, OpenSearch and Azure AI Search use by default. It makes the
 * first places of a list count little more than the next ones, so two lists that both rank an
 * article well outweigh one list that ranks it first.
 */
export const RRF_K = 60;

/**
 * Sets each candidate's `lexical` score (its score so far) and replaces its `score` by the fused
 * one. `lexicalHits`: the first so many candidates are the lexical list (in any order; ranked
 * here by score); the others came from the embedding list only. `vectorRank`: slot → 1-based
 * rank among the articles nearest by embedding.
 */
export function fuseRanks(candidates: ReadonlyArray<ScoredCandidate & { slot: number }>, lexicalHits: number, vectorRank: ReadonlyMap<number, number>): void {
  const lexicalOrder = candidates.slice(0, lexicalHits).sort((a, b) => b.score - a.score || (a.articleId < b.articleId ? -1 : 1));
  const lexicalRank = new Map(lexicalOrder.map((c, i) => [c.slot, i + 1]));
  for (const c of candidates) {
    const l = lexicalRank.get(c.slot);
    const v = vectorRank.get(c.slot);
    c.lexical = c.score;
    c.score = (l === undefined ? 0 : 1 / (RRF_K + l)) + (v === undefined ? 0 : 1 / (RRF_K + v));
  }
}

/**
 * The embedding list: the `pool` articles with the best cosine between the query's vector and
 * one of their texts', as slot → 1-based rank (articles without vectors are not in it). `top` is
 * the caller's reusable selection.
 */
export function nearestByEmbedding(
  articles: Iterable<{ slot: number; embedded: readonly Float32Array[] }>,
  query: Float32Array,
  pool: number,
  top: TopCandidates,
): Map<number, number> {
  top.reset(pool);
  for (const a of articles) if (a.embedded.length > 0) top.offer(bestCosine(query, a.embedded), a.slot, 0, 0);
  const rank = new Map<number, number>();
  for (const t of top.bestFirst()) rank.set(t.slot, rank.size + 1);
  return rank;
}
