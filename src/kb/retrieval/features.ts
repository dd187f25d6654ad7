/**
 * Sparse features of a text for matching: stemmed words, word pairs, character n-grams of
 * Latin words (typo tolerance) and character uni/bigrams of CJK runs (segmentation errors
 * and traditional/simplified variants). Each feature kind has a weight multiplier.
 */
import { normalizeText } from './normalize.ts';
import { segmentNormalized, type Token } from './tokenizer.ts';

export interface FeatureOptions {
  word: number;
  stopWord: number;
  pair: number;
  charGram: number;
  cjkBigram: number;
  cjkUnigram: number;
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

function addRunGrams(counts: Counts, run: string, o: FeatureOptions, prefix: string): void {
  const chars = [...run];
  for (let i = 0; i < chars.length; i++) {
    const c = chars[i] as string;
    add(counts, `${prefix}u:${c}`, o.cjkUnigram);
    const next = chars[i + 1];
    if (next !== undefined) add(counts, `${prefix}b:${c}${next}`, o.cjkBigram);
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
  const tokens: Token[] = segmentNormalized(normalized);
  const counts: Counts = new Map();
  let prev: Token | null = null;
  for (const t of tokens) {
    if (t.script === 'latin') {
      add(counts, `w:${t.term}`, t.stop ? o.stopWord : o.word);
      if (!t.stop && !ctx.noCharGrams && !ctx.isKnownTerm?.(t.term)) addCharGrams(counts, t.surface, o);
    } else if (t.script === 'hangul') {
      add(counts, `w:${t.term}`, o.word);
    } else {
      // CJK words from the segmenter are often single characters; bigrams carry most signal.
      if ([...t.term].length > 1) add(counts, `w:${t.term}`, o.word * 0.5);
    }
    if (t.script === 'latin' && !t.stop) {
      if (prev) add(counts, `p:${prev.term}_${t.term}`, o.pair);
      prev = t;
    } else if (t.script !== 'latin') {
      prev = null;
    }
  }
  for (const m of normalized.matchAll(CJK_RUN)) addRunGrams(counts, m[0], o, '');
  for (const m of normalized.matchAll(HANGUL_RUN)) addRunGrams(counts, m[0], o, 'k');
  const out: FeatureVector = new Map();
  for (const [k, [n, w]] of counts) out.set(k, w * (1 + Math.log(n)));
  return out;
}
