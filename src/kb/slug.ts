import { createRequire } from 'node:module';

// pinyin-pro (~0.1 s to load) is loaded on the first Chinese title, not by every command that
// touches the KB (`kb list` never names an article).
const require = createRequire(import.meta.url);
let pinyin: typeof import('pinyin-pro').pinyin | undefined;

export const SLUG_PATTERN = /^[a-z0-9][a-z0-9-]{0,79}$/;

/** What a title with nothing readable in Latin letters (Japanese, Korean, Arabic …) is called. */
export const FALLBACK_SLUG = 'article';

const MAX_BASE_LENGTH = 60;
const HAN = /\p{Script=Han}+/gu;
// Kanji in a Japanese title read as Chinese pinyin would be a wrong, misleading name.
const KANA_OR_HANGUL = /[\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]/u;

/**
 * A URL- and filename-safe slug from a title. Chinese is spelled in toneless pinyin, one word
 * per syllable (如何申请退款 → ru-he-shen-qing-tui-kuan), so every Chinese article gets a
 * readable name of its own instead of one shared fallback that only a number tells apart.
 */
export function slugify(title: string): string {
  const spelled = KANA_OR_HANGUL.test(title) ? title : title.replace(HAN, (run) => ` ${spellHan(run)} `);
  const slug = spelled
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
  return clip(slug, MAX_BASE_LENGTH) || FALLBACK_SLUG;
}

/** The whole run at once: pinyin-pro reads polyphones from their neighbours (银行 → yin hang). */
function spellHan(run: string): string {
  // ü as v, the usual way to type it (绿 → lv), rather than losing the dots (lu is 路)
  pinyin ??= (require('pinyin-pro') as typeof import('pinyin-pro')).pinyin;
  return pinyin(run, { toneType: 'none', type: 'array', v: true }).join(' ');
}

/** At most `max` characters, cut between words when there is a word boundary to cut at. */
function clip(slug: string, max: number): string {
  if (slug.length <= max) return slug;
  const cut = slug.slice(0, max);
  const lastBreak = cut.lastIndexOf('-');
  const wholeWords = slug[max] === '-' || lastBreak <= 0 ? cut : cut.slice(0, lastBreak);
  return wholeWords.replace(/-+$/, '');
}

/** `base-n`: still within SLUG_PATTERN's 80 characters for any n a KB will reach. */
export function numberedSlug(base: string, n: number): string {
  return `${base.slice(0, 70).replace(/-+$/, '')}-${n}`;
}
