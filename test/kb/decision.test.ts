import { describe, expect, it } from 'vitest';
import { decide, DEFAULT_THRESHOLDS } from '../../src/kb/decision.ts';
import { KbIndex } from '../../src/kb/retrieval/index.ts';
import { chineseArticles, englishArticles } from './fixtures.ts';

function build(articles = englishArticles): KbIndex {
  const index = new KbIndex();
  for (const a of articles) index.upsert(a);
  return index;
}

describe('decide', () => {
  it('escalates with confidence 0 on empty text or an empty index', () => {
    const d = decide(build(), '   ');
    expect(d).toMatchObject({ outcome: 'escalate', confidence: 0, articleId: null, suggestions: [] });
    expect(decide(new KbIndex(), 'refund').outcome).toBe('escalate');
    expect(decide(new KbIndex(), 'refund').confidence).toBe(0);
  });
  it('answers a question that matches an example exactly and confidently', () => {
    const d = decide(build(), 'How long does a refund take?');
    expect(d.candidates[0]?.articleId).toBe('refund');
    expect(d.confidence).toBeGreaterThan(0.5);
    expect(d.confidence).toBeLessThanOrEqual(1);
  });
  it('respects the thresholds: raising them turns an answer into a suggestion, then an escalation', () => {
    const index = build();
    const q = 'How long does a refund take?';
    const low = decide(index, q, { answer: 0.01, suggest: 0.005 });
    expect(low.outcome).toBe('answer');
    expect(low.articleId).toBe('refund');
    const mid = decide(index, q, { answer: 1.01, suggest: 0.01 });
    expect(mid.outcome).toBe('suggest');
    expect(mid.articleId).toBeNull();
    expect(mid.suggestions[0]).toBe('refund');
    expect(mid.suggestions.length).toBeLessThanOrEqual(3);
    const high = decide(index, q, { answer: 1.01, suggest: 1.01 });
    expect(high.outcome).toBe('escalate');
    expect(high.suggestions).toEqual([]);
  });
  it('returns at most 5 candidates, best first, with confidences in [0,1]', () => {
    const d = decide(build(), 'refund invoice order password subscription');
    expect(d.candidates.length).toBeLessThanOrEqual(5);
    for (let i = 1; i < d.candidates.length; i++) expect(d.candidates[i - 1]!.score).toBeGreaterThanOrEqual(d.candidates[i]!.score);
    for (const c of d.candidates) expect(c.confidence).toBeGreaterThanOrEqual(0);
    for (const c of d.candidates) expect(c.confidence).toBeLessThanOrEqual(1);
  });
  it('escalates text unrelated to the KB', () => {
    expect(decide(build(), 'zzzqqq xxyyzz').outcome).toBe('escalate');
  });
  it('sees edits at once: a removed article is never answered', () => {
    const index = build();
    index.remove('refund');
    const d = decide(index, 'How long does a refund take?');
    expect(d.articleId).not.toBe('refund');
    expect(d.candidates.some((c) => c.articleId === 'refund')).toBe(false);
  });
  it('works on a Chinese KB', () => {
    const d = decide(build(chineseArticles), '退款需要多久', { answer: DEFAULT_THRESHOLDS.answer, suggest: 0 });
    expect(d.candidates[0]?.articleId).toBe('zh-refund');
    expect(d.outcome === 'answer' ? d.articleId : d.suggestions[0]).toBe('zh-refund');
  });
  it("answers by default at the KB's own threshold, and suggests at a probability", () => {
    expect(DEFAULT_THRESHOLDS.answer).toBeNull();
    expect(DEFAULT_THRESHOLDS.suggest).toBeGreaterThan(0);
    expect(DEFAULT_THRESHOLDS.suggest).toBeLessThan(1);
  });
});
