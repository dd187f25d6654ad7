import { describe, expect, it } from 'vitest';
import { formatKbHealth } from '../../src/cli/kb-health-report.ts';
import { kbHealth } from '../../src/kb/kb-health.ts';
import { KbIndex } from '../../src/kb/retrieval/index.ts';
import { englishArticles } from './fixtures.ts';

describe('kb health', () => {
  it('says a young KB answers only repeats, and names the articles that need example questions', () => {
    const index = new KbIndex();
    for (const a of englishArticles) index.upsert(a);
    index.upsert({ id: 'lonely', title: 'Gift cards', body: 'We sell gift cards in the shop.', questions: ['Do you sell gift cards?'], tags: [] });
    const health = kbHealth(index);
    expect(health).toMatchObject({ articles: englishArticles.length + 1, answers: 'verbatim', threshold: null, tooFewProbes: true });
    expect(health.inScopeProbes).toBeGreaterThan(0);
    expect(health.needsQuestions.map((a) => a.articleId)).toContain('lonely');
    expect(health.needsQuestions.find((a) => a.articleId === 'lonely')?.why).toBe('few questions');

    const lines = formatKbHealth(health, [{ id: 'lonely', slug: 'gift-cards' } as never]);
    expect(lines.join('\n')).toMatch(/answers only near-verbatim repeats/);
    expect(lines.join('\n')).toMatch(/gift-cards\s+1 question\(s\)/);
  });

  it('reports the threshold, its expected precision and its bound when the probes vouch for one', () => {
    const health = {
      ...kbHealth(new KbIndex()),
      answers: 'threshold' as const,
      threshold: 0.9,
      expectedPrecision: 0.985,
      precisionLowerBound: 0.955,
      expectedCoverage: 0.3,
    };
    const text = formatKbHealth(health, []).join('\n');
    expect(text).toMatch(/confidence is ≥ 0\.9: expected precision 98\.5 % \(at least 95\.5 % with 90\.0 % confidence\)/);
    expect(text).toMatch(/assuming 60\.0 % of questions are not covered/);
  });
});
