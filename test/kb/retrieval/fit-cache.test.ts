import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { decide } from '../../../src/kb/decision.ts';
import { BackgroundRefitter } from '../../../src/kb/retrieval/background-refit.ts';
import { fileFitCache, type FitCache } from '../../../src/kb/retrieval/fit-cache.ts';
import { KbIndex, type IndexedArticle } from '../../../src/kb/retrieval/index.ts';
import { chineseArticles, chineseQueries, englishArticles } from '../fixtures.ts';

const scratch = mkdtempSync(join(tmpdir(), 'solodesk-fit-cache-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const questions = ['when does my refund arrive', 'how do I quit', 'I need a receipt', 'where is my parcel', 'zebra football'];

function indexOf(articles: IndexedArticle[] = englishArticles): KbIndex {
  const index = new KbIndex();
  for (const a of articles) index.upsert(a);
  return index;
}

/** The cache in `dir`, counting the lookups that found a fit. */
function countingCache(dir: string): FitCache & { hits: number; misses: number } {
  const cache = fileFitCache(dir);
  const counting = {
    ...cache,
    hits: 0,
    misses: 0,
    lookup(request: Parameters<FitCache['lookup']>[0]) {
      const found = cache.lookup(request);
      if (found.fit) counting.hits++;
      else counting.misses++;
      return found;
    },
  };
  return counting;
}

describe('fits kept between runs', () => {
  it('a KB fitted before installs the kept fit and decides exactly as the run that made it', async () => {
    const dir = join(scratch, 'same');
    const first = countingCache(dir);
    const made = indexOf();
    await new BackgroundRefitter(made, first).refit();
    expect([first.hits, first.misses]).toEqual([0, 1]);
    expect(readdirSync(dir).filter((f) => f.endsWith('.fit'))).toHaveLength(1);

    const second = countingCache(dir);
    const restarted = indexOf();
    await new BackgroundRefitter(restarted, second).refit();
    expect([second.hits, second.misses]).toEqual([1, 0]);
    expect(restarted.needsRefit()).toBe(false);
    for (const q of questions) {
      const a = decide(made, q);
      const b = decide(restarted, q);
      expect(b.outcome, q).toBe(a.outcome);
      expect(b.candidates.map((c) => c.articleId), q).toEqual(a.candidates.map((c) => c.articleId));
      expect(b.confidence, q).toBe(a.confidence);
    }
  });

  it('the same articles under other ids (another database) get the kept fit, given their own ids', async () => {
    const dir = join(scratch, 'ids');
    const made = indexOf();
    await new BackgroundRefitter(made, fileFitCache(dir)).refit();

    const renamed = [...englishArticles].reverse().map((a) => ({ ...a, id: `other-${a.id}` }));
    const cache = countingCache(dir);
    const elsewhere = indexOf(renamed);
    await new BackgroundRefitter(elsewhere, cache).refit();
    expect(cache.hits).toBe(1);
    for (const q of questions) {
      const a = decide(made, q);
      const b = decide(elsewhere, q);
      expect(b.candidates.map((c) => c.articleId), q).toEqual(a.candidates.map((c) => `other-${c.articleId}`));
      expect(b.confidence, q).toBeCloseTo(a.confidence, 9);
    }
  });

  it('an edited example question, or other options, is another KB: it is fitted anew', async () => {
    const dir = join(scratch, 'changed');
    await new BackgroundRefitter(indexOf(), fileFitCache(dir)).refit();

    const edited = englishArticles.map((a, i) => (i === 0 ? { ...a, questions: [...a.questions, 'is my money coming back'] } : a));
    const afterEdit = countingCache(dir);
    await new BackgroundRefitter(indexOf(edited), afterEdit).refit();
    expect([afterEdit.hits, afterEdit.misses]).toEqual([0, 1]);

    const otherOptions = new KbIndex({}, { maxProbes: 50 });
    for (const a of englishArticles) otherOptions.upsert(a);
    const withOptions = countingCache(dir);
    await new BackgroundRefitter(otherOptions, withOptions).refit();
    expect([withOptions.hits, withOptions.misses]).toEqual([0, 1]);
    expect(readdirSync(dir).filter((f) => f.endsWith('.fit'))).toHaveLength(3);
  });

  it('a damaged file is no fit: the KB fits as it would have and keeps the new fit', async () => {
    const dir = join(scratch, 'damaged');
    await new BackgroundRefitter(indexOf(), fileFitCache(dir)).refit();
    const [file] = readdirSync(dir);
    writeFileSync(join(dir, file!), 'not a fit');

    const cache = countingCache(dir);
    const index = indexOf();
    await new BackgroundRefitter(index, cache).refit();
    expect([cache.hits, cache.misses]).toEqual([0, 1]);
    expect(decide(index, 'when does my refund arrive').candidates[0]?.articleId).toBe(decide(indexOf(), 'when does my refund arrive').candidates[0]?.articleId);
    const again = countingCache(dir);
    await new BackgroundRefitter(indexOf(), again).refit();
    expect(again.hits).toBe(1);
  });

  it('keeps the eight newest fits of a folder, and the one in use among them', () => {
    const dir = join(scratch, 'many');
    const cache = fileFitCache(dir);
    const index = indexOf(englishArticles.slice(0, 2));
    const fit = index.exportFit();
    const requestFor = (n: number) => ({
      articles: englishArticles.slice(0, 2).map((a, i) => (i === 0 ? { ...a, title: `${a.title} ${n}` } : a)),
      options: index.options,
      calibrationOptions: index.calibrationOptions,
      wordVectors: true,
      embeddings: null,
    });
    cache.lookup(requestFor(0)).keep(fit);
    for (let n = 1; n < 10; n++) {
      cache.lookup(requestFor(n)).keep(fit);
      // the first KB is asked for again and again: it is in use, whatever was kept since
      expect(cache.lookup(requestFor(0)).fit).toBeDefined();
    }
    expect(readdirSync(dir).filter((f) => f.endsWith('.fit'))).toHaveLength(8);
    expect(cache.lookup(requestFor(1)).fit).toBeUndefined();
    expect(cache.lookup(requestFor(9)).fit).toBeDefined();
  });

  it('keeps what indexing made of each text: an index seeded with it ranks exactly as one that analysed every text', async () => {
    const dir = join(scratch, 'analysis');
    const articles = [...englishArticles, ...chineseArticles];
    const made = indexOf(articles);
    await new BackgroundRefitter(made, fileFitCache(dir)).refit();
    const kept = fileFitCache(dir).textAnalysis(made.options);
    expect(kept?.features.get(chineseArticles[0]!.questions[0]!)).toEqual(made.textAnalysis().features.get(chineseArticles[0]!.questions[0]!));

    const seeded = new KbIndex();
    seeded.seedTextAnalysis(kept!);
    for (const a of articles) seeded.upsert(a);
    seeded.seedTextAnalysis(null);
    await new BackgroundRefitter(seeded, fileFitCache(dir)).refit();
    for (const { text } of chineseQueries) {
      const a = decide(made, text);
      const b = decide(seeded, text);
      expect(b.candidates.map((c) => [c.articleId, c.score]), text).toEqual(a.candidates.map((c) => [c.articleId, c.score]));
      expect(b.confidence, text).toBe(a.confidence);
    }
  });

  it('a seeded index takes the analysis of a text from the seed, and analyses the texts the seed lacks', () => {
    const [first, second] = englishArticles;
    const analysed = indexOf([first!]).textAnalysis();
    // the seed says the title has no features at all: an index that used it cannot find the title's words
    analysed.features.set(first!.title, new Map());
    const seeded = new KbIndex();
    seeded.seedTextAnalysis(analysed);
    seeded.upsert({ ...first!, questions: [], body: '' });
    seeded.upsert(second!);
    seeded.seedTextAnalysis(null);
    expect(seeded.textAnalysis().features.get(first!.title)?.size).toBe(0);
    expect(seeded.textAnalysis().features.get(second!.title)?.size).toBeGreaterThan(0);
  });
});
