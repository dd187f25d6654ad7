/**
 * Word segmentation for English and CJK text. English words are split on contractions
 * ("isn't" → "is not") and stemmed (Porter); Chinese goes through jieba and its dictionary
 * (chinese/segmenter.ts), with customer-service variants folded to one form; Japanese and
 * Korean through Intl.Segmenter (ICU, built into Node). Stop-words are marked so the feature
 * extractor can drop or shrink them.
 */
import { stemmer } from 'stemmer';
import { hasKana, isCjk, isHangul, normalizeText } from './normalize.ts';
import { hasHan, searchWords, words } from './chinese/segmenter.ts';
import { canonicalWord, foldPhrases } from './chinese/synonyms.ts';
import { CHINESE_STOP_WORDS } from './chinese/lexicon.ts';

export type TokenScript = 'latin' | 'cjk' | 'hangul';

export interface Token {
  /** normalised surface form (lower case, NFKC; Chinese variants folded) */
  surface: string;
  /** form used for matching: stemmed (English), canonical variant (Chinese), else the surface */
  term: string;
  script: TokenScript;
  stop: boolean;
}

const segmenter = new Intl.Segmenter(undefined, { granularity: 'word' });

export const ENGLISH_STOP_WORDS: ReadonlySet<string> = new Set(
  (
    'a an the i me my mine myself we us our you your yours he him his she her it its they them their ' +
    'this that these those is am are was were be been being do does did doing have has had having ' +
    'will would shall should can could may might must to of in on at by for with from into onto about ' +
    'as and or but if so than then there here just also too very please hi hello hey thanks thank ' +
    'im ive id ill youre some any'
  ).split(' '),
);

const CONTRACTION = /^(.+?)(n't|'s|'m|'re|'ve|'ll|'d)$/u;

function latinTokens(word: string, out: Token[]): void {
  let base = word;
  let negated = false;
  const m = CONTRACTION.exec(word);
  if (m && m[1] !== undefined && m[2] !== undefined) {
    base = m[1];
    if (m[2] === "n't") {
      negated = true;
      if (base === 'ca') base = 'can';
      else if (base === 'wo') base = 'will';
    }
  }
  base = base.replace(/'/gu, '');
  if (base.length > 0) {
    const stop = ENGLISH_STOP_WORDS.has(base);
    out.push({ surface: base, term: stop ? base : stemmer(base), script: 'latin', stop });
  }
  if (negated) out.push({ surface: 'not', term: 'not', script: 'latin', stop: false });
}

/** Text in Latin/Greek/Cyrillic scripts only: spaces separate words, a regex is enough. */
const SPACED_SCRIPTS_ONLY = /^[\p{Script=Latin}\p{Script=Greek}\p{Script=Cyrillic}\p{Script=Common}\p{M}]*$/u;
const SPACED_WORD = /[\p{L}\p{N}\p{M}]+(?:['.][\p{L}\p{N}\p{M}]+)*/gu;

/** How Chinese is cut: each character in one word, or search mode (long words and their parts). */
export type ChineseMode = 'words' | 'search';

function chineseTokens(run: string, mode: ChineseMode, out: Token[]): void {
  const folded = foldPhrases(run);
  for (const w of mode === 'search' ? searchWords(folded) : words(folded)) {
    const term = canonicalWord(w);
    out.push({ surface: w, term, script: 'cjk', stop: CHINESE_STOP_WORDS.has(term) });
  }
}

const HAN_RUN = /\p{Script=Han}+/gu;

/** Segment already-normalised text into tokens. */
export function segmentNormalized(normalized: string, chinese: ChineseMode = 'words'): Token[] {
  const out: Token[] = [];
  if (SPACED_SCRIPTS_ONLY.test(normalized)) {
    // fast path (Intl.Segmenter costs ~10x more and gives the same words here)
    for (const m of normalized.matchAll(SPACED_WORD)) latinTokens(m[0], out);
    return out;
  }
  if (hasHan(normalized) && !hasKana(normalized)) {
    // Chinese: jieba for the Han runs, the usual path for what lies between them
    let at = 0;
    for (const m of normalized.matchAll(HAN_RUN)) {
      if (m.index > at) out.push(...segmentNormalized(normalized.slice(at, m.index)));
      chineseTokens(m[0], chinese, out);
      at = m.index + m[0].length;
    }
    if (at < normalized.length) out.push(...segmentNormalized(normalized.slice(at)));
    return out;
  }
  for (const seg of segmenter.segment(normalized)) {
    if (!seg.isWordLike) continue;
    const word = seg.segment;
    if (isCjk(word)) out.push({ surface: word, term: word, script: 'cjk', stop: false });
    else if (isHangul(word)) out.push({ surface: word, term: word, script: 'hangul', stop: false });
    else latinTokens(word, out);
  }
  return out;
}

/** Normalise and segment raw text. */
export function tokenize(text: string): Token[] {
  return segmentNormalized(normalizeText(text));
}

/** The matching terms of a text (stemmed, stop-words removed): handy for display and tests. */
export function terms(text: string): string[] {
  return tokenize(text)
    .filter((t) => !t.stop)
    .map((t) => t.term);
}
