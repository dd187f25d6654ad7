/**
 * The dense vectors an index keeps per article, made when it is (re)indexed: word-vector means of
 * its title and questions (word-vectors.ts) and embedding-model vectors of its texts
 * (text-embeddings.ts). Each comes with a cache by text, handed to the next indexing of the same
 * article, so an edit or a calibration probe's temporary change recomputes only what changed.
 */
import type { IndexedArticle } from './ranking.ts';
import { embeddedTextsOf, type EmbeddingTable } from './text-embeddings.ts';

/** Sentence vectors of the title and questions, in that order (null: no known word; cached too). */
export function memberSentenceVectors(
  article: IndexedArticle,
  vectorOf: (text: string) => Float32Array | null,
  previous: ReadonlyMap<string, Float32Array | null> | undefined,
): { vectors: Array<Float32Array | null>; cache: Map<string, Float32Array | null> } {
  const cache = new Map<string, Float32Array | null>();
  const vectors: Array<Float32Array | null> = [];
  for (const t of [article.title, ...article.questions]) {
    if (!t.trim()) continue;
    const cached = cache.has(t) ? cache.get(t) : previous?.get(t);
    const v = cached === undefined ? vectorOf(t) : cached;
    cache.set(t, v);
    vectors.push(v);
  }
  return { vectors, cache };
}

/** Embedding vectors of the article's texts that have one (a text without one is looked up again next time). */
export function articleEmbeddings(
  article: IndexedArticle,
  table: EmbeddingTable,
  previous: ReadonlyMap<string, Float32Array> | undefined,
): { vectors: Float32Array[]; cache: Map<string, Float32Array> } {
  const cache = new Map<string, Float32Array>();
  const vectors: Float32Array[] = [];
  for (const t of embeddedTextsOf(article)) {
    const v = previous?.get(t) ?? table.vectorOf(t);
    if (!v) continue;
    cache.set(t, v);
    vectors.push(v);
  }
  return { vectors, cache };
}
