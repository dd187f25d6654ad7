/**
 * Synthetic scale benchmark: a deterministic KB of generated articles over a Zipf-distributed
 * vocabulary of made-up words (realistic vocabulary size: a few tens of thousands of types),
 * then `decide` latency percentiles over generated queries.
 */
import { decide } from '../decision.ts';
import { KbIndex } from '../retrieval/kb-index.ts';
import type { IndexedArticle } from '../retrieval/ranking.ts';
import { percentile } from './metrics.ts';

export interface SyntheticOptions {
  articles: number;
  queries: number;
  seed?: number;
  vocabulary?: number;
  questionsPerArticle?: number;
}

export interface SyntheticScaleResult {
  articles: number;
  queries: number;
  vocabulary: number;
  build_ms: number;
  prepare_ms: number;
  p50_ms: number;
  p99_ms: number;
  max_ms: number;
  answered: number;
}

/** mulberry32: small deterministic PRNG */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const SYLLABLES = 'ba be bi bo bu ca ce ci co cu da de di do du fa fe fi fo ga ge go ka ke ki ko la le li lo lu ma me mi mo mu na ne ni no nu pa pe pi po ra re ri ro ru sa se si so su ta te ti to tu va ve vi vo za ze zo'.split(' ');

function makeVocabulary(size: number, rand: () => number): string[] {
  const words = new Set<string>();
  while (words.size < size) {
    const n = 2 + Math.floor(rand() * 3);
    let w = '';
    for (let i = 0; i < n; i++) w += SYLLABLES[Math.floor(rand() * SYLLABLES.length)];
    words.add(w);
  }
  return [...words];
}

/** Zipf sampler over ranks 0..n-1 (exponent ~1) by inverse CDF on a precomputed table. */
function zipf(n: number, rand: () => number): () => number {
  const cdf = new Float64Array(n);
  let s = 0;
  for (let i = 0; i < n; i++) cdf[i] = s += 1 / (i + 1);
  return () => {
    const u = rand() * s;
    let lo = 0;
    let hi = n - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((cdf[mid] as number) < u) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
}

export function syntheticKb(options: SyntheticOptions): { articles: IndexedArticle[]; queries: string[]; vocabulary: number } {
  const rand = rng(options.seed ?? 42);
  const vocabSize = options.vocabulary ?? 30_000;
  const vocab = makeVocabulary(vocabSize, rand);
  const common = zipf(vocabSize, rand);
  const word = (): string => vocab[common()] as string;
  const perArticle = options.questionsPerArticle ?? 5;
  const topics: string[][] = [];
  const articles: IndexedArticle[] = [];
  const sentence = (topic: string[], len: number): string => {
    const out: string[] = [];
    for (let i = 0; i < len; i++) out.push(rand() < 0.35 ? (topic[Math.floor(rand() * topic.length)] as string) : word());
    return out.join(' ');
  };
  for (let a = 0; a < options.articles; a++) {
    const topic = Array.from({ length: 6 }, () => vocab[Math.floor(rand() * vocabSize)] as string);
    topics.push(topic);
    articles.push({
      id: `syn-${a}`,
      title: sentence(topic, 4),
      body: Array.from({ length: 4 }, () => sentence(topic, 12)).join('. '),
      questions: Array.from({ length: perArticle }, () => sentence(topic, 6 + Math.floor(rand() * 8))),
      tags: [],
    });
  }
  const queries: string[] = [];
  for (let q = 0; q < options.queries; q++) {
    const topic = topics[Math.floor(rand() * topics.length)] as string[];
    queries.push(sentence(topic, 5 + Math.floor(rand() * 12)));
  }
  return { articles, queries, vocabulary: vocabSize };
}

export function syntheticScaleBenchmark(options: SyntheticOptions): SyntheticScaleResult {
  const { articles, queries, vocabulary } = syntheticKb(options);
  const t0 = performance.now();
  const index = new KbIndex();
  for (const a of articles) index.upsert(a);
  const t1 = performance.now();
  index.prepare();
  const t2 = performance.now();
  // warm up the JIT on a few queries, then time every query
  for (const q of queries.slice(0, 20)) decide(index, q);
  const latencies: number[] = [];
  let answered = 0;
  for (const q of queries) {
    const s = performance.now();
    const d = decide(index, q);
    latencies.push(performance.now() - s);
    if (d.outcome === 'answer') answered++;
  }
  return {
    articles: articles.length,
    queries: queries.length,
    vocabulary,
    build_ms: t1 - t0,
    prepare_ms: t2 - t1,
    p50_ms: percentile(latencies, 50),
    p99_ms: percentile(latencies, 99),
    max_ms: Math.max(0, ...latencies),
    answered,
  };
}
