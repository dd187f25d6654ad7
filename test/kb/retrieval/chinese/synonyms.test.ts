import { describe, expect, it } from 'vitest';
import { extractFeatures, KbIndex } from '../../../../src/kb/retrieval/index.ts';
import { areSynonyms, canonicalWord, foldPhrases } from '../../../../src/kb/retrieval/chinese/synonyms.ts';

function bigrams(text: string): Set<string> {
  const chars = [...text];
  return new Set(chars.slice(1).map((c, i) => `${chars[i]}${c}`));
}

describe('Chinese synonym folding', () => {
  it('folds variants of a question word or a service verb to one form', () => {
    expect(areSynonyms('如何', '怎么')).toBe(true);
    expect(areSynonyms('为啥', '为什么')).toBe(true);
    expect(areSynonyms('借钱', '贷款')).toBe(true);
    expect(canonicalWord('额度')).toBe('额度');
    expect(areSynonyms('额度', '利息')).toBe(false);
  });
  it('folds multi-character variants in the text, longest first', () => {
    expect(foldPhrases('如何借钱')).toBe('怎么借款');
    expect(foldPhrases('审核不成功')).toBe('审核失败');
    expect(foldPhrases('换了手机号码')).toBe('换了手机号');
  });
  it('leaves product names and unrelated words alone', () => {
    expect(foldPhrases('花呗和借呗')).toBe('花呗和借呗');
  });
  it('makes a variant pair share word and bigram features', () => {
    const a = extractFeatures('如何借钱');
    const b = extractFeatures('怎么贷款');
    for (const k of ['w:怎么', 'w:借款', 'b:借款']) {
      expect(a.has(k), k).toBe(true);
      expect(b.has(k), k).toBe(true);
    }
  });
});

describe('ranking a paraphrase through synonyms', () => {
  const articles = [
    { id: 'loan-failed', title: '为什么贷款不成功', questions: ['为什么贷款不成功'] },
    { id: 'loan-slow', title: '借款到账很慢', questions: ['借款到账很慢'] },
    { id: 'phone', title: '怎么修改绑定的手机号', questions: ['怎么修改绑定的手机号'] },
    { id: 'early', title: '提前还款有手续费吗', questions: ['提前还款有手续费吗'] },
    { id: 'limit', title: '额度可以提高吗', questions: ['额度可以提高吗'] },
  ];
  const index = new KbIndex({}, {}, null);
  for (const a of articles) index.upsert({ ...a, body: '', tags: [], language: 'zh' });

  it('ranks the right article first with no bigram in common but synonyms', () => {
    const query = '为啥借钱失败了';
    const shared = [...bigrams(query)].filter((b) => bigrams(articles[0]?.title ?? '').has(b));
    expect(shared).toEqual([]);
    expect(index.rank(query)[0]?.articleId).toBe('loan-failed');
  });
  it('still ranks the direct matches', () => {
    expect(index.rank('如何更换手机号码')[0]?.articleId).toBe('phone');
    expect(index.rank('能不能增加额度')[0]?.articleId).toBe('limit');
  });
});
