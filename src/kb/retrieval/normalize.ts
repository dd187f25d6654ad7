/**
 * Text normalisation applied before segmentation: Unicode NFKC (full-width → half-width,
 * compatibility forms), lower case, traditional Chinese folded to simplified (OpenCC), and
 * inputs truncated to a bounded length so that a 100 KB message cannot blow up latency.
 */
import { Converter } from 'opencc-js/t2cn';
import { hasHan } from './chinese/segmenter.ts';

/** Characters kept from an input; longer inputs are cut (on purpose) before any work. */
export const MAX_INPUT_CHARS = 2_000;

// Taiwan standard with phrases ("twp"): besides characters (帳號 → 帐号), Taiwan words fold to
// mainland ones (軟體 → 软件, 網路 → 网络), the variants a Taiwanese customer types. Building
// the tables takes ~100 ms, so it waits for the first text with Han characters.
let toSimplified: ((text: string) => string) | null = null;

/** Fold traditional Chinese (characters and Taiwan phrases) to simplified. */
export function foldChinese(text: string): string {
  if (!hasHan(text)) return text;
  const fold = (toSimplified ??= Converter({ from: 'twp', to: 'cn' }));
  return fold(text);
}

/** NFKC + lower case + Chinese fold + apostrophe unification, after truncation. */
export function normalizeText(text: string): string {
  const cut = text.length > MAX_INPUT_CHARS ? text.slice(0, MAX_INPUT_CHARS) : text;
  return foldChinese(
    cut
      .normalize('NFKC')
      .toLowerCase()
      .replace(/[\u2018\u2019\u02bc`´]/gu, "'"),
  );
}

const CJK = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}]/u;
const HANGUL = /\p{Script=Hangul}/u;
const KANA = /[\p{Script=Hiragana}\p{Script=Katakana}]/u;

/** True when a segment is written in Chinese or Japanese script (no spaces between words). */
export function isCjk(segment: string): boolean {
  return CJK.test(segment);
}

/** True when a segment is Korean (spaced, but with agglutinated particles). */
export function isHangul(segment: string): boolean {
  return HANGUL.test(segment);
}

/** True when a text has Japanese kana (its Han characters are then kanji, not Chinese). */
export function hasKana(text: string): boolean {
  return KANA.test(text);
}
