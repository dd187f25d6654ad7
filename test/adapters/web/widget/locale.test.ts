import { describe, expect, it } from 'vitest';
import { chooseLocale } from '../../../../src/adapters/web/widget/locale.ts';
import { STRINGS } from '../../../../src/adapters/web/widget/strings.ts';

describe('chooseLocale', () => {
  it('takes data-locale first', () => {
    expect(chooseLocale('zh', 'en-US')).toBe('zh');
    expect(chooseLocale('en', 'zh-CN')).toBe('en');
    expect(chooseLocale('ZH-Hant', undefined)).toBe('zh');
  });

  it('falls back to the browser language, zh* meaning Chinese', () => {
    expect(chooseLocale(undefined, 'zh-CN')).toBe('zh');
    expect(chooseLocale('', 'zh-TW')).toBe('zh');
    expect(chooseLocale('fr', 'zh')).toBe('zh');
    expect(chooseLocale(null, 'en-GB')).toBe('en');
  });

  it('is English otherwise', () => {
    expect(chooseLocale(undefined, undefined)).toBe('en');
    expect(chooseLocale('de', 'fr-FR')).toBe('en');
    expect(chooseLocale(undefined, 'zhx')).toBe('en');
  });
});

describe('STRINGS', () => {
  it('has every text in both languages', () => {
    expect(Object.keys(STRINGS.zh).sort()).toEqual(Object.keys(STRINGS.en).sort());
    for (const table of Object.values(STRINGS)) for (const text of Object.values(table)) expect(text.trim()).not.toBe('');
  });

  it('uses the input label as the placeholder, with an ellipsis', () => {
    expect(STRINGS.en.inputPlaceholder).toBe(`${STRINGS.en.inputLabel}…`);
    expect(STRINGS.zh.inputPlaceholder).toBe(`${STRINGS.zh.inputLabel}…`);
  });
});
