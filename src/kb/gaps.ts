/**
 * Questions the KB could not answer, grouped by meaning: the founder writes one article per
 * group, biggest first. The similarity of two questions is the retrieval's own: the same sparse
 * features (stemmed words, word pairs, character n-grams; jieba words and characters for
 * Chinese, with its variants folded) in a cosine, plus the word-vector cosine
 * weighted as the ranking weighs it (RankingOptions.semanticWeight). Groups are made by
 * average-linkage agglomerative clustering: the two groups whose questions are on average the
 * most alike merge while that average reaches the threshold. Average linkage, not single: one
 * question that shares a word with two topics must not chain them into one group.
 * Pure: no database, no channel; the caller says what a question is.
 */
import { extractFeatures } from './retrieval/features.ts';
import { normalizeText } from './retrieval/normalize.ts';
import { DEFAULT_RANKING_OPTIONS } from './retrieval/ranking.ts';
import { cosine, installedWordVectors, sentenceVector, type WordVectors } from './retrieval/word-vectors.ts';

export interface GapGroupingOptions {
  /** two groups merge while the mean similarity of their questions, in units of the pair's threshold, is at least 1 */
  threshold: number;
  /** the threshold of a pair where a question has no word vector (Chinese: no vectors; lexical only) */
  thresholdWithoutVectors: number;
  /** weight of the word-vector cosine added to the lexical cosine */
  semanticWeight: number;
  /** questions grouped at most (the newest first, as the caller orders them): the clustering is cubic */
  maxQuestions: number;
}

export const DEFAULT_GAP_GROUPING: GapGroupingOptions = {
  // Measured on development sets of ../shared/bench turned into known groups (an article's
  // example questions and the queries that expect it), scoring the clustering by the F1 of
  // "same group" over all pairs. English (word vectors add their cosine): the 50 questions of
  // banking77-dev-young-10's articles, F1 0.55 at 0.45 (0.41 at 0.40, 0.47 at 0.50). Chinese (no
  // vectors): the 102 questions of bq-zh-young-30's groups, F1 0.59 at 0.30 (0.50 at 0.25, 0.60
  // at 0.35, 0.56 at 0.40); 0.30 rather than 0.35 because a desk's questions are shorter and
  // less alike in wording than BQ's paraphrase pairs.
  threshold: 0.45,
  thresholdWithoutVectors: 0.3,
  semanticWeight: DEFAULT_RANKING_OPTIONS.semanticWeight,
  maxQuestions: 500,
};

export interface QuestionGroup<T> {
  /** the group's questions, the most typical first (highest mean similarity to the others) */
  items: T[];
}

interface Prepared {
  feats: Map<string, number>;
  norm: number;
  vector: Float32Array | null;
}

/**
 * No idf over the questions themselves: a desk's gaps are dominated by a few topics, and an idf
 * from them would shrink exactly the words that make the biggest group one (with three invoice
 * questions in four, "invoice" weighed least). The features already carry general weights:
 * English stop words shrunk, Chinese words by jieba's general-corpus IDF.
 */
function prepare(texts: readonly string[], vectors: WordVectors | null): Prepared[] {
  return texts.map((text) => {
    const feats = extractFeatures(text);
    let n2 = 0;
    for (const v of feats.values()) n2 += v * v;
    return { feats, norm: Math.sqrt(n2) || 1, vector: vectors ? sentenceVector(text, vectors) : null };
  });
}

function similarity(a: Prepared, b: Prepared, o: GapGroupingOptions): number {
  const [small, large] = a.feats.size <= b.feats.size ? [a, b] : [b, a];
  let dot = 0;
  for (const [k, v] of small.feats) {
    const w = large.feats.get(k);
    if (w !== undefined) dot += v * w;
  }
  const lexical = dot / (a.norm * b.norm);
  if (!a.vector || !b.vector) return lexical / o.thresholdWithoutVectors;
  return (lexical + o.semanticWeight * Math.max(0, cosine(a.vector, b.vector))) / o.threshold;
}

/** The pairwise similarity of questions in units of their threshold (1: just alike enough), as the grouping sees it. */
export function questionSimilarities(texts: readonly string[], options: Partial<GapGroupingOptions> = {}, vectors: WordVectors | null = installedWordVectors()): number[][] {
  const o = { ...DEFAULT_GAP_GROUPING, ...options };
  const prepared = prepare(texts, vectors);
  return prepared.map((a, i) => prepared.map((b, j) => (i === j ? 1 / o.threshold : similarity(a, b, o))));
}

/**
 * Groups items by the meaning of their text; groups come biggest first (ties: the one whose
 * first item comes first in the input), and every item is in exactly one group.
 */
export function groupQuestions<T>(
  items: readonly T[],
  textOf: (item: T) => string,
  options: Partial<GapGroupingOptions> = {},
  vectors: WordVectors | null = installedWordVectors(),
): Array<QuestionGroup<T>> {
  const o = { ...DEFAULT_GAP_GROUPING, ...options };
  const kept = items.slice(0, o.maxQuestions);
  const sim = questionSimilarities(kept.map(textOf), o, vectors);
  const n = kept.length;
  // clusters by index; link[i][j] = sum of pairwise similarities between clusters i and j
  const members: Array<number[] | null> = kept.map((_, i) => [i]);
  const link: number[][] = sim.map((row) => row.slice());
  for (;;) {
    let best = -Infinity;
    let bi = -1;
    let bj = -1;
    for (let i = 0; i < n; i++) {
      const mi = members[i];
      if (!mi) continue;
      for (let j = i + 1; j < n; j++) {
        const mj = members[j];
        if (!mj) continue;
        const mean = (link[i]![j] as number) / (mi.length * mj.length);
        if (mean > best) {
          best = mean;
          bi = i;
          bj = j;
        }
      }
    }
    if (bi < 0 || best < 1) break;
    const a = members[bi]!;
    const b = members[bj]!;
    members[bi] = [...a, ...b].sort((x, y) => x - y);
    members[bj] = null;
    for (let k = 0; k < n; k++) {
      if (!members[k] || k === bi) continue;
      const s = (link[bi]![k] as number) + (link[bj]![k] as number);
      link[bi]![k] = s;
      link[k]![bi] = s;
    }
  }
  const groups = members.filter((m): m is number[] => m !== null).map((m) => {
    const centrality = (i: number) => m.reduce((s, j) => (j === i ? s : s + (sim[i]![j] as number)), 0);
    const ordered = [...m].sort((x, y) => centrality(y) - centrality(x) || x - y);
    return { first: m[0] as number, items: ordered.map((i) => kept[i] as T) };
  });
  groups.sort((x, y) => y.items.length - x.items.length || x.first - y.first);
  return groups.map((g) => ({ items: g.items }));
}

/** One key for texts that are the same question once normalised (case, width, spacing, traditional/simplified). */
export function questionKey(text: string): string {
  return normalizeText(text).replace(/\s+/gu, ' ').trim();
}
