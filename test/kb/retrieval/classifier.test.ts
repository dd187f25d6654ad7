import { describe, expect, it } from 'vitest';
import { logits, softmaxInPlace, trainSoftmax, type TrainingExample } from '../../../src/kb/retrieval/classifier.ts';
import { KbIndex } from '../../../src/kb/retrieval/kb-index.ts';
import { foldOf } from '../../../src/kb/retrieval/reranker.ts';
import { englishArticles } from '../fixtures.ts';

describe('softmax classifier', () => {
  it('learns separable classes and gives probabilities that sum to 1', () => {
    const examples: TrainingExample[] = [
      { x: [[0, 1]], y: 0 },
      { x: [[0, 0.8], [2, 0.6]], y: 0 },
      { x: [[1, 1]], y: 1 },
      { x: [[1, 0.8], [2, 0.6]], y: 1 },
    ];
    const model = trainSoftmax(examples, 2);
    const p0 = softmaxInPlace(logits(model, [[0, 1]], new Float64Array(2)));
    const p1 = softmaxInPlace(logits(model, [[1, 1]], new Float64Array(2)));
    expect(p0[0]).toBeGreaterThan(0.6);
    expect(p1[1]).toBeGreaterThan(0.6);
    expect((p0[0] as number) + (p0[1] as number)).toBeCloseTo(1, 9);
  });
  it('masks classes out of the softmax', () => {
    const p = softmaxInPlace(Float64Array.from([3, 1, 2]), (c) => c !== 0);
    expect(p[0]).toBe(0);
    expect((p[1] as number) + (p[2] as number)).toBeCloseTo(1, 9);
  });
  it('assigns deterministic folds', () => {
    expect(foldOf('a', 'q', 10)).toBe(foldOf('a', 'q', 10));
    const folds = new Set(Array.from({ length: 200 }, (_, i) => foldOf('a', `question ${i}`, 10)));
    expect(folds.size).toBe(10);
  });
  it('re-ranks with classifier probabilities once prepared, and not above the size limit', () => {
    const index = new KbIndex();
    for (const a of englishArticles) index.upsert(a);
    index.prepare();
    const top = index.rankDetailed('when does my refund arrive', 3);
    expect(top[0]?.articleId).toBe('refund');
    expect(top[0]?.prob).toBeGreaterThan(0);
    const small = new KbIndex({ classifierMaxArticles: 1 });
    for (const a of englishArticles) small.upsert(a);
    small.prepare();
    expect(small.rankDetailed('when does my refund arrive', 3)[0]?.prob).toBe(0);
  });
});
