import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FALLBACK_SLUG, numberedSlug, slugify, SLUG_PATTERN } from '../../src/kb/slug.ts';

describe('slugify', () => {
  it('spells Chinese titles in toneless pinyin, one word per syllable', () => {
    expect(slugify('如何申请退款')).toBe('ru-he-shen-qing-tui-kuan');
    expect(slugify('怎么申请退款？')).toBe('zen-me-shen-qing-tui-kuan');
    // polyphones are read in context, and traditional characters too
    expect(slugify('银行卡')).toBe('yin-hang-ka');
    expect(slugify('訂單發票')).toBe('ding-dan-fa-piao');
    // ü as v, so 绿 (lv) and 路 (lu) stay apart
    expect(slugify('绿色')).toBe('lv-se');
  });

  it('keeps Latin words and digits between the Chinese ones', () => {
    expect(slugify('API 密钥怎么用？')).toBe('api-mi-yao-zen-me-yong');
    expect(slugify('iPhone不能登录2次')).toBe('iphone-bu-neng-deng-lu-2-ci');
    expect(slugify('Reset your password')).toBe('reset-your-password');
    expect(slugify('Crème brûlée')).toBe('creme-brulee');
  });

  it('gives other scripts with no Latin letters the neutral slug, and never reads kanji as pinyin', () => {
    for (const title of ['パスワードを忘れました', '비밀번호를 잊어버렸어요', 'مرحبا', '！？', '']) expect(slugify(title), title).toBe(FALLBACK_SLUG);
    expect(slugify('API キーを忘れた')).toBe('api');
  });

  it('cuts a long title between syllables, within 60 characters', () => {
    const title = '为什么总是显示身份证信息输入错误次数过多，我已经试了很多遍了还是不行';
    const slug = slugify(title);
    expect(slug.length).toBeLessThanOrEqual(60);
    expect(slug).toBe('wei-shen-me-zong-shi-xian-shi-shen-fen-zheng-xin-xi-shu-ru');
    expect(slugify('a'.repeat(100))).toBe('a'.repeat(60));
  });

  it('always gives a valid slug, numbered or not', () => {
    const chinese = fc.string({ unit: fc.integer({ min: 0x4e00, max: 0x9fff }).map((c) => String.fromCodePoint(c)), maxLength: 120 });
    fc.assert(
      fc.property(fc.oneof(fc.string({ unit: 'binary', maxLength: 200 }), chinese), fc.integer({ min: 2, max: 10_000_000 }), (title, n) => {
        expect(slugify(title)).toMatch(SLUG_PATTERN);
        expect(numberedSlug(slugify(title), n)).toMatch(SLUG_PATTERN);
      }),
    );
  });
});
