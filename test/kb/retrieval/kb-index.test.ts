import { describe, expect, it } from 'vitest';
import { KbIndex } from '../../../src/kb/retrieval/index.ts';
import { chineseArticles, chineseQueries, englishArticles } from '../fixtures.ts';

function build(articles = englishArticles): KbIndex {
  const index = new KbIndex();
  for (const a of articles) index.upsert(a);
  return index;
}

describe('KbIndex ranking', () => {
  it('ranks the right English article first', () => {
    const index = build();
    expect(index.rank('i forgot my password and cannot log in')[0]?.articleId).toBe('reset-password');
    expect(index.rank('when does my refund arrive')[0]?.articleId).toBe('refund');
    expect(index.rank('where is my parcel')[0]?.articleId).toBe('shipping');
    expect(index.rank('I need the invoice as a PDF')[0]?.articleId).toBe('invoice');
  });
  it('tolerates a typo through character n-grams', () => {
    expect(build().rank('how do I unsubscibe')[0]?.articleId).toBe('cancel-subscription');
  });
  it('ranks the right Chinese article first (simplified and traditional)', () => {
    const index = build(chineseArticles);
    for (const q of chineseQueries) expect(index.rank(q.text)[0]?.articleId, q.text).toBe(q.expected);
  });
  it('returns nothing for empty text, an empty index or unknown words', () => {
    expect(build().rank('   ')).toEqual([]);
    expect(new KbIndex().rank('refund')).toEqual([]);
    expect(build().rank('zzzqqq xxyyzz')).toEqual([]);
  });
  it('respects the limit and sorts best first', () => {
    const r = build().rank('my refund for the order and invoice', 2);
    expect(r.length).toBe(2);
    expect((r[0]?.score ?? 0) >= (r[1]?.score ?? 0)).toBe(true);
  });
  it('survives Japanese, Korean and very long input', () => {
    const index = build();
    expect(() => index.rank('パスワードを忘れました 비밀번호')).not.toThrow();
    expect(index.rank('refund '.repeat(20_000))[0]?.articleId).toBe('refund');
  });
});

describe('KbIndex updates', () => {
  it('makes upsert and remove visible immediately', () => {
    const index = build();
    expect(index.size).toBe(5);
    index.upsert({ id: 'gift', title: 'Gift cards', body: '', questions: ['Can I buy a gift card?', 'Redeem a voucher'], tags: [] });
    expect(index.has('gift')).toBe(true);
    expect(index.size).toBe(6);
    expect(index.rank('buy a gift card')[0]?.articleId).toBe('gift');
    index.remove('gift');
    expect(index.has('gift')).toBe(false);
    expect(index.size).toBe(5);
    expect(index.rank('buy a gift card').some((c) => c.articleId === 'gift')).toBe(false);
  });
  it('replaces an article on upsert with the same id', () => {
    const index = build();
    index.upsert({ id: 'refund', title: 'Gift cards', body: '', questions: ['Can I buy a gift card?'], tags: [] });
    expect(index.size).toBe(5);
    expect(index.rank('buy a gift card')[0]?.articleId).toBe('refund');
    expect(index.rank('my money back please').some((c) => c.articleId === 'refund')).toBe(false);
  });
  it('keeps working through many edits (dead postings compacted)', () => {
    const index = build();
    for (let i = 0; i < 300; i++) index.upsert({ ...englishArticles[1]!, questions: [...englishArticles[1]!.questions, `refund question ${i}`] });
    expect(index.size).toBe(5);
    expect(index.rank('how long does a refund take')[0]?.articleId).toBe('refund');
  });
});
