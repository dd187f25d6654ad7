import { describe, expect, it } from 'vitest';
import { candidateFeatures } from '../../../src/kb/retrieval/calibration.ts';
import { KbIndex } from '../../../src/kb/retrieval/index.ts';
import type { IndexedArticle } from '../../../src/kb/retrieval/ranking.ts';
import { embeddedTextsOf, EmbeddingTable, textHash } from '../../../src/kb/retrieval/text-embeddings.ts';
import { englishArticles } from '../fixtures.ts';

// Rank fusion and the calibration's vector evidence, on the index alone: the vectors are made
// here, as a model that knows what each article is about would make them.

const DIMS = 16;
const EMBEDDING_FEATURES = [12, 13]; // candidateFeatures: the cosine and its margin

/** A unit vector along axis `axis`, nudged by the text so that no two texts are identical. */
function topicVector(axis: number, text: string): number[] {
  const v = new Array<number>(DIMS).fill(0);
  v[axis % DIMS] = 1;
  v[(axis + 7) % DIMS] = (textHash(text).charCodeAt(0) % 10) / 100;
  return v;
}

/** Every text of every article embedded along its article's axis: a model that tells them apart. */
function topicTable(articles: readonly IndexedArticle[]): EmbeddingTable {
  const table = new EmbeddingTable('topic-model');
  articles.forEach((a, axis) => {
    for (const text of embeddedTextsOf(a)) table.add(textHash(text), topicVector(axis, text));
  });
  return table;
}

function build(table: EmbeddingTable | null, articles: readonly IndexedArticle[] = englishArticles): KbIndex {
  const index = new KbIndex({}, {}, undefined, table);
  for (const a of articles) index.upsert(a);
  return index;
}

const refundAxis = englishArticles.findIndex((a) => a.id === 'refund');
// no word of the refund article; "order" is the shipping article's
const paraphrase = 'Return cash for broken order';

describe('rank fusion', () => {
  it('ranks an article the question shares no word with first when its vector is nearest, and not without vectors', () => {
    const withVectors = build(topicTable(englishArticles));
    const withoutVectors = build(null);
    withVectors.refitNow();
    withoutVectors.refitNow();

    const lexical = withoutVectors.rankDetailed(paraphrase, 5);
    expect(lexical[0]?.articleId).toBe('shipping');
    expect(lexical.find((c) => c.articleId === 'refund')?.nearest ?? 0).toBe(0);

    const fused = withVectors.rankDetailed(paraphrase, 5, Float32Array.from(topicVector(refundAxis, paraphrase)));
    expect(fused[0]?.articleId).toBe('refund');
    expect(fused[0]?.embedding).toBeGreaterThan(0.9);
    // the lexical evidence is still there, apart from the fused score
    expect(fused.find((c) => c.articleId === 'shipping')?.lexical).toBe(lexical[0]?.score);
  });

  it('ranks as without vectors when the question has none', () => {
    const withVectors = build(topicTable(englishArticles));
    const withoutVectors = build(null);
    withVectors.refitNow();
    withoutVectors.refitNow();
    for (const q of ['when does my refund arrive', paraphrase, 'Stop my plan']) {
      expect(withVectors.rankDetailed(q, 5, null), q).toEqual(withoutVectors.rankDetailed(q, 5));
    }
  });

  it('weighs vectors by what the probes show of them: a model that tells articles apart counts, noise hardly', () => {
    const informed = build(topicTable(englishArticles)).exportFit();
    expect(informed.fusion?.embedding).toBeGreaterThan(0);

    // vectors unrelated to the articles: every text on its own axis-less random direction
    const noise = new EmbeddingTable('noise-model');
    for (const a of englishArticles) {
      for (const text of embeddedTextsOf(a)) noise.add(textHash(text), Array.from(textHash(text).slice(0, DIMS), (ch) => ch.charCodeAt(0) - 80));
    }
    const uninformed = build(noise).exportFit();
    expect(uninformed.fusion).not.toBeNull();
    const ratio = (w: { lexical: number; embedding: number }) => Math.abs(w.embedding) / Math.abs(w.lexical);
    expect(ratio(uninformed.fusion!)).toBeLessThan(ratio(informed.fusion!) / 10);
  });

  it('falls back to reciprocal rank fusion on a KB too small to fit weights on', () => {
    const tiny = englishArticles.slice(0, 2).map((a) => ({ ...a, questions: a.questions.slice(0, 1) }));
    const index = build(topicTable(tiny), tiny);
    expect(index.exportFit().fusion).toBeNull();
    // no word in common with either article: only the vector list ranks
    const ranked = index.rankDetailed('zzzqqq xxyyzz', 5, Float32Array.from(topicVector(1, 'zzzqqq')));
    expect(ranked.map((c) => c.articleId)).toEqual([tiny[1]!.id, tiny[0]!.id]);
  });
});

describe('the calibration with vector evidence', () => {
  it('fits weight on the cosine features with embeddings, and none without', () => {
    const withVectors = build(topicTable(englishArticles)).exportFit().calibration;
    const withoutVectors = build(null).exportFit().calibration;
    expect(EMBEDDING_FEATURES.some((f) => withVectors.top1.weights[f] !== 0)).toBe(true);
    expect(EMBEDDING_FEATURES.map((f) => withoutVectors.top1.weights[f])).toEqual([0, 0]);
  });

  it('reads the cosine and its margin over the best rival', () => {
    const features = candidateFeatures(
      [
        { articleId: 'a', score: 1, lexical: 0.4, nearest: 0, centroid: 0, matched: 0, prob: 0, rivalProb: 0, semantic: 0, embedding: 0.9 },
        { articleId: 'b', score: 0.5, lexical: 0.6, nearest: 0, centroid: 0, matched: 0, prob: 0, rivalProb: 0, semantic: 0, embedding: 0.3 },
      ],
      0,
    );
    expect(features.slice(0, 2).map((x) => Number(x.toFixed(6)))).toEqual([0.4, -0.2]);
    expect(EMBEDDING_FEATURES.map((f) => Number(features[f]!.toFixed(6)))).toEqual([0.9, 0.6]);
  });
});
