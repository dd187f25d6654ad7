import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { KbIndex } from '../../../src/kb/retrieval/index.ts';
import { installedWordVectors, loadWordVectors, sentenceVector } from '../../../src/kb/retrieval/word-vectors.ts';
import { englishArticles } from '../fixtures.ts';

/** A vectors directory in the format scripts/word-vectors.mjs writes. */
function vectorsDir(words: string[], rows: number[][]): string {
  const dir = mkdtempSync(join(tmpdir(), 'solodesk-vectors-'));
  writeFileSync(join(dir, 'en.vocab.txt'), words.join('\n'));
  writeFileSync(join(dir, 'en.i8'), Int8Array.from(rows.flat()));
  return dir;
}

describe('word vectors', () => {
  it('loads vocabulary, vectors and frequency ranks from disk', () => {
    const v = loadWordVectors(vectorsDir(['card', 'arrive', 'refund'], [[100, 0, 0], [0, 100, 0], [0, 0, 100]]));
    expect(v.dims).toBe(3);
    expect([...(v.vectorOf('arrive') ?? [])]).toEqual([0, 100, 0]);
    expect(v.vectorOf('unknown')).toBeUndefined();
    expect(v.rankOf('card')).toBe(0);
    expect(v.rankOf('refund')).toBe(2);
    expect(v.rankOf('unknown')).toBe(3);
  });

  it('refuses a vectors file that does not fit its vocabulary, naming the directory', () => {
    const dir = vectorsDir(['card', 'arrive'], [[1, 2, 3], [4, 5]]);
    expect(() => loadWordVectors(dir)).toThrow(dir);
  });

  it('makes a unit sentence vector from content words, frequent words weighing less', () => {
    const v = loadWordVectors(vectorsDir(['card', 'arrive'], [[100, 0], [0, 100]]));
    const s = sentenceVector('When will my card arrive?', v);
    expect(s).not.toBeNull();
    expect(Math.hypot(...(s ?? []))).toBeCloseTo(1, 5);
    // "card" has rank 0 (the most frequent word): its weight is 0, "arrive" carries the sentence
    expect(s?.[1]).toBeCloseTo(1, 5);
    expect(sentenceVector('the of and', v)).toBeNull();
    expect(sentenceVector('退款什么时候到账', v)).toBeNull();
  });

  it('are installed with the project (npm install made them from the wink-embeddings package)', () => {
    const v = installedWordVectors();
    expect(v?.dims).toBe(100);
    expect(v?.vectorOf('refund')).toBeDefined();
  });

  it('match a paraphrase that shares no content word with the article', () => {
    const withVectors = new KbIndex();
    const lexical = new KbIndex({}, {}, null);
    for (const a of englishArticles) {
      withVectors.upsert(a);
      lexical.upsert(a);
    }
    // "quit" is in no article; word vectors know it is close to "cancel", "stop", "end"
    expect(withVectors.rank('how do I quit')[0]?.articleId).toBe('cancel-subscription');
    expect(lexical.rank('how do I quit')[0]?.articleId).not.toBe('cancel-subscription');
    const cash = withVectors.rankDetailed('I need my cash returned', 5);
    const semanticOf = (id: string): number => cash.find((c) => c.articleId === id)?.semantic ?? 0;
    expect(semanticOf('refund')).toBeGreaterThan(semanticOf('invoice'));
    expect(lexical.rankDetailed('I need my cash returned', 5).every((c) => c.semantic === 0)).toBe(true);
  });
});
