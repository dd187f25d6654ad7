import { describe, expect, it } from 'vitest';
import { extractFeatures, MAX_INPUT_CHARS, normalizeText, terms, tokenize } from '../../../src/kb/retrieval/index.ts';

describe('normalizeText', () => {
  it('folds full-width characters and case (NFKC + lower case)', () => {
    expect(normalizeText('ＡＢＣ１２３ Hello')).toBe('abc123 hello');
  });
  it('folds traditional Chinese to simplified (OpenCC)', () => {
    expect(normalizeText('帳號與訂單')).toBe('帐号与订单');
  });
  it('truncates very long input on purpose', () => {
    expect(normalizeText('a'.repeat(100_000)).length).toBe(MAX_INPUT_CHARS);
  });
});

describe('tokenize', () => {
  it('stems English words and drops stop-words from terms', () => {
    expect(terms('The refunds are not showing')).toEqual(['refund', 'not', 'show']);
  });
  it('splits negative contractions into a "not"', () => {
    expect(terms("Why isn't my card working?")).toEqual(['why', 'not', 'card', 'work']);
  });
  it('segments Chinese into dictionary words', () => {
    const t = tokenize('我的银行卡丢了怎么办');
    expect(t.every((x) => x.script === 'cjk')).toBe(true);
    expect(t.map((x) => x.term)).toEqual(['我', '的', '银行卡', '丢', '了', '怎么办']);
  });
  it('does not break on Japanese and Korean text', () => {
    expect(tokenize('パスワードをリセットする方法').map((t) => t.term)).toContain('パスワード');
    expect(tokenize('비밀번호를 재설정하는 방법').map((t) => t.script)).toEqual(['hangul', 'hangul', 'hangul']);
  });
  it('treats full-width and half-width input alike', () => {
    expect(terms('ＲＥＦＵＮＤ')).toEqual(terms('refund'));
  });
});

describe('extractFeatures', () => {
  it('emits Chinese character bigrams across segmenter words', () => {
    const f = extractFeatures('退款多久');
    expect(f.has('b:退款')).toBe(true);
    expect(f.has('b:款多')).toBe(true);
  });
  it('emits word pairs and character n-grams for English', () => {
    const f = extractFeatures('refund missing');
    expect(f.has('w:refund')).toBe(true);
    expect(f.has('p:refund_miss')).toBe(true);
    expect([...f.keys()].some((k) => k.startsWith('c:'))).toBe(true);
  });
});
