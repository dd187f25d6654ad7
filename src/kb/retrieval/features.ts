/**
 * Sparse features of a text for matching: stemmed words, word pairs, character n-grams of
 * Latin words (typo tolerance) and character uni/bigrams of CJK runs (segmentation errors,
 * words the dictionary lacks). Chinese words come from jieba in search mode, weighted by
 * jieba's general-corpus IDF (chinese/lexicon.ts). Each feature kind has a weight multiplier.
 */
import { hasKana, normalizeText } from './normalize.ts';
import { segmentNormalized, type Token } from './tokenizer.ts';
import { hasHan } from './chinese/segmenter.ts';
import { foldPhrases } from './chinese/synonyms.ts';
import { generalIdf, TOPIC_IDF } from './chinese/lexicon.ts';

export interface FeatureOptions {
  word: number;
  stopWord: number;
  pair: number;
  charGram: number;
  cjkBigram: number;
  cjkUnigram: number;
  /** Chinese characters (Japanese and Korean ones get cjkUnigram) */
  zhUnigram: number;
  /** Chinese dictionary words (jieba, search mode) */
  zhWord: number;
  /** Chinese stop words (greetings, particles, pronouns) */
  zhStopWord: number;
  /** exponent of (jieba IDF / TOPIC_IDF) in a Chinese word's weight; 0 ignores jieba's IDF */
  zhIdfPower: number;
  /** character n-gram sizes for Latin words */
  charGramSizes: readonly number[];
}

export const DEFAULT_FEATURE_OPTIONS: FeatureOptions = {
  word: 1,
  stopWord: 0.2,
  pair: 0.5,
  charGram: 0.25,
  cjkBigram: 1,
  cjkUnigram: 0.3,
  // Measured as top1 on bq-zh-dev-300 / bq-zh-young-30 (KbIndex without the re-ranker, which
  // moved neither); these defaults give 0.273 / 0.639. Characters weigh more than in Japanese:
  // BQ-style questions are short and full of typos and words the dictionary lacks (0.3:
  // 0.258 / 0.597, 1.5: 0.273 / 0.653).
  zhUnigram: 1,
  // a plateau: 0.5 gave 0.277 / 0.625, 1.5 gave 0.270 / 0.639
  zhWord: 1,
  // 0 and 0.3 measured the same as 0.1; not 0, so a question made only of stop words still
  // has word features
  zhStopWord: 0.1,
  // 0 (no jieba IDF): 0.271 / 0.639, 1: 0.275 / 0.625
  zhIdfPower: 0.5,
  charGramSizes: [4],
};

/** Feature → weighted (sublinear) term frequency. */
export type FeatureVector = Map<string, number>;

const CJK_RUN = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}]+/gu;
const HANGUL_RUN = /\p{Script=Hangul}+/gu;

/** key → [occurrences, weight of its kind] */
type Counts = Map<string, [number, number]>;

function add(counts: Counts, key: string, weight: number): void {
  if (weight <= 0) return;
  const c = counts.get(key);
  if (c) c[0] += 1;
  else counts.set(key, [1, weight]);
}

function addCharGrams(counts: Counts, word: string, o: FeatureOptions): void {
  if (o.charGram <= 0 || word.length < 4) return;
  const padded = `<${word}>`;
  for (const n of o.charGramSizes) {
    for (let i = 0; i + n <= padded.length; i++) add(counts, `c:${padded.slice(i, i + n)}`, o.charGram);
  }
}

function addRunGrams(counts: Counts, run: string, unigram: number, bigram: number, prefix: string): void {
  const chars = [...run];
  for (let i = 0; i < chars.length; i++) {
    const c = chars[i] as string;
    add(counts, `${prefix}u:${c}`, unigram);
    const next = chars[i + 1];
    if (next !== undefined) add(counts, `${prefix}b:${c}${next}`, bigram);
  }
}

export interface ExtractContext {
  /** no character n-grams at all (long texts such as article bodies) */
  noCharGrams?: boolean;
  /** only words for which this returns false get character n-grams (query side: typos) */
  isKnownTerm?: (term: string) => boolean;
}

/** Features of one text; value = kind weight × (1 + ln tf). */
export function extractFeatures(text: string, o: FeatureOptions = DEFAULT_FEATURE_OPTIONS, ctx: ExtractContext = {}): FeatureVector {
  const normalized = normalizeText(text);
  const chinese = hasHan(normalized) && !hasKana(normalized);
  const tokens: Token[] = segmentNormalized(normalized, 'search');
  const counts: Counts = new Map();
  let prev: Token | null = null;
  for (const t of tokens) {
    if (t.script === 'latin') {
      add(counts, `w:${t.term}`, t.stop ? o.stopWord : o.word);
      if (!t.stop && !ctx.noCharGrams && !ctx.isKnownTerm?.(t.term)) addCharGrams(counts, t.surface, o);
    } else if (t.script === 'hangul') {
      add(counts, `w:${t.term}`, o.word);
    } else if (chinese) {
      const w = t.stop ? o.zhStopWord : o.zhWord * (generalIdf(t.term) / TOPIC_IDF) ** o.zhIdfPower;
      add(counts, `w:${t.term}`, w);
    } else {
      // Japanese words from Intl.Segmenter are often single characters; bigrams carry most signal.
      if ([...t.term].length > 1) add(counts, `w:${t.term}`, o.word * 0.5);
    }
    if (t.script === 'latin' && !t.stop) {
      if (prev) add(counts, `p:${prev.term}_${t.term}`, o.pair);
      prev = t;
    } else if (t.script !== 'latin') {
      prev = null;
    }
  }
  for (const m of normalized.matchAll(CJK_RUN)) {
    if (chinese) addRunGrams(counts, foldPhrases(m[0]), o.zhUnigram, o.cjkBigram, '');
    else addRunGrams(counts, m[0], o.cjkUnigram, o.cjkBigram, '');
  }
  for (const m of normalized.matchAll(HANGUL_RUN)) addRunGrams(counts, m[0], o.cjkUnigram, o.cjkBigram, 'k');
  const out: FeatureVector = new Map();
  for (const [k, [n, w]] of counts) out.set(k, w * (1 + Math.log(n)));
  return out;
}
