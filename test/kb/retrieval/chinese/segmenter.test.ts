import { describe, expect, it } from 'vitest';
import { extractFeatures, normalizeText, terms, tokenize } from '../../../../src/kb/retrieval/index.ts';
import { hasHan, searchWords } from '../../../../src/kb/retrieval/chinese/segmenter.ts';
import { CHINESE_STOP_WORDS, generalIdf } from '../../../../src/kb/retrieval/chinese/lexicon.ts';

describe('Chinese segmentation (jieba)', () => {
  it('cuts sentences into dictionary words', () => {
    expect(terms('银行卡丢了怎么办')).toEqual(expect.arrayContaining(['银行卡', '怎么办']));
    expect(tokenize('逾期会产生滞纳金吗').map((t) => t.surface)).toEqual(['逾期', '会', '产生', '滞纳金', '吗']);
  });
  it('gives the words inside a long word too, in search mode', () => {
    const w = searchWords('会不会产生滞纳金');
    expect(w).toContain('滞纳金');
    expect(w).toContain('滞纳');
  });
  it('keeps English between Chinese words on the English path', () => {
    expect(terms('我的qq账号refunds')).toEqual(expect.arrayContaining(['qq', '账户', 'refund']));
  });
  it('marks greetings and particles as stop words', () => {
    const t = tokenize('你好，请问怎么还款呢');
    expect(t.filter((x) => x.stop).map((x) => x.surface)).toEqual(['你好', '请问', '呢']);
    expect(CHINESE_STOP_WORDS.has('还款')).toBe(false);
  });
  it("weighs words by jieba's general IDF: particles weigh less than topic words", () => {
    expect(generalIdf('的')).toBeLessThan(generalIdf('怎么'));
    expect(generalIdf('怎么')).toBeLessThan(generalIdf('还款'));
    const f = extractFeatures('怎么还款');
    expect(f.get('w:怎么') as number).toBeLessThan(f.get('w:还款') as number);
  });
  it('finds Han characters', () => {
    expect(hasHan('refund 退款')).toBe(true);
    expect(hasHan('refund')).toBe(false);
  });
});

describe('traditional to simplified (OpenCC)', () => {
  it('folds characters', () => {
    expect(normalizeText('我的帳號怎麼登錄不了')).toBe('我的帐号怎么登录不了');
  });
  it('folds Taiwan words to mainland ones', () => {
    expect(normalizeText('軟體下載')).toBe('软件下载');
  });
  it('leaves simplified text and English alone', () => {
    expect(normalizeText('为什么不能借款了')).toBe('为什么不能借款了');
    expect(normalizeText('Refund my Order')).toBe('refund my order');
  });
  it('gives traditional and simplified questions the same features', () => {
    expect([...extractFeatures('為什麼還款失敗')].sort()).toEqual([...extractFeatures('为什么还款失败')].sort());
  });
});
