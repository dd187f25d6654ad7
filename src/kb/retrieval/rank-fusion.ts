/**
 * Reciprocal rank fusion of the lexical ranking (words, re-ranked by the classifier and word
 * vectors) and the embedding ranking (best cosine to an article's texts): each list gives an
 * article 1 / (k + its rank there), nothing when it is not in the list, and the sum ranks.
 * Ranks, not scores: each embedding model's cosines sit in a band of their own (OpenAI's FAQ
 * gives 0.68–1 for text-embedding-ada-002; the text-embedding-3 models spread lower) and the
 * lexical score has no fixed scale, so a weighted sum would need a weight per model and per KB,
 * which no KB here could be tuned for; ranks need none.
 */
import type { ScoredCandidate } from './ranking.ts';
import { bestCosine } from './text-embeddings.ts';
import type { TopCandidates } from './top-candidates.ts';

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
