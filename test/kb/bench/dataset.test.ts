import { describe, expect, it } from 'vitest';
import { decide } from '../../../src/kb/decision.ts';
import { datasetLanguages } from '../../../src/kb/bench/dataset.ts';
import { indexDataset, parseDataset, runDecisionBenchmark, syntheticKb } from '../../../src/kb/bench/index.ts';

const valid = {
  name: 'tiny',
  language: 'en',
  articles: [
    { id: 'a1', title: 'Refunds', body: '', questions: ['Where is my refund?', 'How long does a refund take?'], tags: [] },
    { id: 'a2', title: 'Shipping', body: 'Delivery takes 3 days', questions: ['Where is my parcel?'] },
  ],
  queries: [
    { text: 'when will my refund arrive', expected: 'a1' },
    { text: 'do you sell bicycles', expected: null },
  ],
};

describe('parseDataset', () => {
  it('accepts a valid dataset (object or JSON text) and fills defaults', () => {
    const d = parseDataset(JSON.stringify(valid));
    expect(d.articles[1]?.tags).toEqual([]);
    expect(d.queries[1]?.expected).toBeNull();
  });
  it('rejects invalid JSON', () => {
    expect(() => parseDataset('{nope')).toThrow(/not valid JSON/);
  });
  it('names missing fields', () => {
    expect(() => parseDataset({ articles: [{ title: 'x' }], queries: [] })).toThrow(/articles\.0\.id/);
    expect(() => parseDataset({ articles: [] })).toThrow(/queries/);
  });
  it('rejects duplicate article ids and unknown expected ids', () => {
    const dup = { ...valid, articles: [valid.articles[0], valid.articles[0]] };
    expect(() => parseDataset(dup)).toThrow(/duplicate article id "a1"/);
    const unknown = { ...valid, queries: [{ text: 'x', expected: 'a9' }] };
    expect(() => parseDataset(unknown)).toThrow(/queries\.0\.expected: unknown article id "a9"/);
  });
});

describe('indexDataset + runDecisionBenchmark', () => {
  it('runs the real decision end to end on a tiny dataset', async () => {
    const d = parseDataset(valid);
    const index = indexDataset(d);
    expect(index.size).toBe(2);
    const m = await runDecisionBenchmark({ queries: d.queries, decideQuery: (t) => decide(index, t) });
    expect(m.queries).toBe(2);
    expect(m.top1).toBe(1);
  });
});

describe('syntheticKb', () => {
  it('is deterministic for a seed', () => {
    const a = syntheticKb({ articles: 20, queries: 5, seed: 7 });
    const b = syntheticKb({ articles: 20, queries: 5, seed: 7 });
    expect(a.articles).toEqual(b.articles);
    expect(a.queries).toEqual(b.queries);
    expect(a.articles).toHaveLength(20);
  });
});

describe('datasetLanguages', () => {
  it("takes each article's language, else the data set's, else English; most common first", () => {
    expect(datasetLanguages(parseDataset(valid))).toEqual(['en']);
    expect(datasetLanguages(parseDataset({ ...valid, language: undefined }))).toEqual(['en']);
    expect(datasetLanguages(parseDataset({ ...valid, language: 'zh' }))).toEqual(['zh']);
    const mixed = { ...valid, language: 'zh', articles: [...valid.articles, { id: 'a3', title: 'Hours', lang: 'en' }, { id: 'a4', title: 'Hours', language: 'en' }, { id: 'a5', title: 'x' }] };
    expect(datasetLanguages(parseDataset(mixed))).toEqual(['zh', 'en']);
    expect(datasetLanguages(parseDataset({ ...valid, articles: [], queries: [], language: 'ja' }))).toEqual(['ja']);
  });
});
