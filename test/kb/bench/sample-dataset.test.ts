import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseDataset } from '../../../src/kb/bench/dataset.ts';
import { OUT_OF_SCOPE_QUESTIONS, sampleKbDataset } from '../../../src/kb/bench/sample-dataset.ts';
import { parseArticleFile } from '../../../src/kb/markdown.ts';

// The dataset `bench kb --all` runs when ../shared/bench is not there: the sample KB, each
// article's first example question held out as its query, plus questions no article covers.

const SAMPLE = 'examples/kb';
const articles = readdirSync(SAMPLE)
  .filter((f) => f.endsWith('.md'))
  .sort()
  .map((f) => parseArticleFile(f, readFileSync(join(SAMPLE, f), 'utf8')));

describe('the sample KB as a benchmark dataset', () => {
  const dataset = sampleKbDataset(SAMPLE);

  it('holds out each article\'s first example question as its query; the article keeps the rest', () => {
    expect(dataset.name).toBe('examples-kb');
    expect(dataset.articles.map((a) => a.id)).toEqual(articles.map((a) => a.slug));
    for (const article of articles) {
      const [heldOut, ...kept] = article.questions!;
      expect(dataset.articles.find((a) => a.id === article.slug)).toMatchObject({ title: article.title, questions: kept, lang: article.language });
      expect(dataset.queries).toContainEqual({ text: heldOut, expected: article.slug });
    }
  });

  it('adds out-of-scope questions, in English and Chinese, that should be escalated', () => {
    const outOfScope = dataset.queries.filter((q) => q.expected === null).map((q) => q.text);
    expect(outOfScope).toEqual(OUT_OF_SCOPE_QUESTIONS);
    expect(outOfScope.some((q) => /\p{Script=Han}/u.test(q))).toBe(true);
    expect(dataset.queries.length).toBe(articles.length + OUT_OF_SCOPE_QUESTIONS.length);
  });

  it('is a valid dataset', () => {
    expect(parseDataset(JSON.parse(JSON.stringify(dataset)))).toEqual(dataset);
  });
});
