/**
 * Inverted index of sparse feature vectors ("documents" are an article's title, each of its
 * example questions and its body). Incremental: adding a document appends postings, removing
 * one marks it dead; dead postings are compacted lazily once they are a large share.
 * Document frequencies are kept per article (a feature counts once per article), so the
 * inverse frequency measures how well a feature tells articles apart.
 */
import { ENGLISH_STOP_WORDS } from './tokenizer.ts';
import type { FeatureVector } from './features.ts';

export type DocKind = 'title' | 'question' | 'body';

interface Postings {
  docs: number[];
  vals: number[];
}

export interface StoredDoc {
  article: number;
  kind: DocKind;
  feats: number[];
  vals: number[];
  /** L2 norm of the idf-weighted vector, as of the last norm refresh */
  norm: number;
  alive: boolean;
}

export class VectorStore {
  private readonly featureIds = new Map<string, number>();
  private readonly featureNames: string[] = [];
  private readonly postings: Postings[] = [];
  /** per feature id: number of live articles containing it */
  private readonly articleFreq: number[] = [];
  /** per feature id: true for character n-gram features (typo tolerance only) */
  private readonly charGram: boolean[] = [];
  /** per feature id: true for stop-word features */
  private readonly stopWord: boolean[] = [];
  readonly docs: StoredDoc[] = [];
  private deadPostings = 0;
  private livePostings = 0;
  private liveArticles = 0;
  private mutationsSinceNorms = 0;
  /** when false, add/remove do not count towards the norm-refresh drift (calibration probes) */
  trackDrift = true;
  private articlesAtNorms = 0;

  /** number of feature ids handed out so far (ids are 0 … featureCount - 1) */
  get featureCount(): number {
    return this.featureIds.size;
  }

  /** feature id of a feature, or -1 when the index never saw it */
  featureId(feature: string): number {
    return this.featureIds.get(feature) ?? -1;
  }

  /** the feature an id stands for ('' for an id the store never handed out) */
  featureName(featureId: number): string {
    return this.featureNames[featureId] ?? '';
  }

  private intern(feature: string): number {
    let id = this.featureIds.get(feature);
    if (id === undefined) {
      id = this.postings.length;
      this.featureIds.set(feature, id);
      this.featureNames.push(feature);
      this.postings.push({ docs: [], vals: [] });
      this.articleFreq.push(0);
      this.charGram.push(feature.startsWith('c:'));
      this.stopWord.push(feature.startsWith('w:') && ENGLISH_STOP_WORDS.has(feature.slice(2)));
    }
    return id;
  }

  /** True for stop-word features (down-weighted for retrieval). */
  isStopWord(featureId: number): boolean {
    return this.stopWord[featureId] === true;
  }

  /** True for character n-gram features. */
  isCharGram(featureId: number): boolean {
    return this.charGram[featureId] === true;
  }

  get articleCount(): number {
    return this.liveArticles;
  }

  /** Inverse article frequency of a feature id (-1 = unseen feature). */
  idf(featureId: number): number {
    const df = featureId < 0 ? 0 : (this.articleFreq[featureId] ?? 0);
    return Math.log(1 + (this.liveArticles + 1) / (df + 0.5));
  }

  /** Add one article's documents; returns their doc ids. */
  addArticle(article: number, docs: Array<{ kind: DocKind; features: FeatureVector }>): number[] {
    const seen = new Set<number>();
    const ids: number[] = [];
    for (const d of docs) {
      const feats: number[] = [];
      const vals: number[] = [];
      const docId = this.docs.length;
      for (const [f, v] of d.features) {
        const id = this.intern(f);
        feats.push(id);
        vals.push(v);
        const p = this.postings[id] as Postings;
        p.docs.push(docId);
        p.vals.push(v);
        seen.add(id);
      }
      this.livePostings += feats.length;
      this.docs.push({ article, kind: d.kind, feats, vals, norm: 1, alive: true });
      ids.push(docId);
    }
    for (const id of seen) this.articleFreq[id] = (this.articleFreq[id] ?? 0) + 1;
    this.liveArticles += 1;
    if (this.trackDrift) this.mutationsSinceNorms += 1;
    for (const id of ids) this.refreshNorm(id);
    return ids;
  }

  /** Remove the documents of one article (given by doc ids). */
  removeArticle(docIds: readonly number[]): void {
    const seen = new Set<number>();
    for (const id of docIds) {
      const d = this.docs[id];
      if (!d || !d.alive) continue;
      d.alive = false;
      for (const f of d.feats) seen.add(f);
      this.deadPostings += d.feats.length;
      this.livePostings -= d.feats.length;
      d.feats = [];
      d.vals = [];
    }
    for (const f of seen) this.articleFreq[f] = Math.max(0, (this.articleFreq[f] ?? 0) - 1);
    this.liveArticles -= 1;
    if (this.trackDrift) this.mutationsSinceNorms += 1;
    if (this.deadPostings > 1000 && this.deadPostings > this.livePostings) this.compact();
  }

  private compact(): void {
    for (const p of this.postings) {
      let w = 0;
      for (let r = 0; r < p.docs.length; r++) {
        const doc = p.docs[r] as number;
        if (this.docs[doc]?.alive) {
          p.docs[w] = doc;
          p.vals[w] = p.vals[r] as number;
          w++;
        }
      }
      p.docs.length = w;
      p.vals.length = w;
    }
    this.deadPostings = 0;
  }

  refreshNorm(docId: number): void {
    const d = this.docs[docId];
    if (!d) return;
    let s = 0;
    for (let i = 0; i < d.feats.length; i++) {
      const w = (d.vals[i] as number) * this.idf(d.feats[i] as number);
      s += w * w;
    }
    d.norm = Math.sqrt(s) || 1;
  }

  /**
   * Norms depend on the global idf, which drifts as articles come and go. They are refreshed
   * lazily, all at once, when the article count has changed by more than ~5% since the last
   * refresh (new documents get exact norms when added).
   */
  ensureFreshNorms(): boolean {
    const drift = this.mutationsSinceNorms;
    if (drift === 0 || drift <= Math.max(2, this.articlesAtNorms * 0.05)) return false;
    for (let i = 0; i < this.docs.length; i++) if (this.docs[i]?.alive) this.refreshNorm(i);
    this.mutationsSinceNorms = 0;
    this.articlesAtNorms = this.liveArticles;
    return true;
  }

  /**
   * Accumulate idf²-weighted dot products between a query and every live document sharing a
   * feature. Features in more than `maxDfShare` of the articles are skipped (they carry
   * almost no information and have the longest posting lists).
   */
  accumulate(
    query: ReadonlyArray<[number, number]>,
    scores: Float64Array,
    touched: number[],
    maxDfShare = 1,
  ): void {
    const limit = Math.max(50, this.liveArticles * maxDfShare);
    for (const [f, qv] of query) {
      if (f < 0) continue;
      if ((this.articleFreq[f] ?? 0) > limit) continue;
      const idf = this.idf(f);
      const w = qv * idf * idf;
      const p = this.postings[f] as Postings;
      const docs = p.docs;
      const vals = p.vals;
      for (let i = 0; i < docs.length; i++) {
        const doc = docs[i] as number;
        const prev = scores[doc] as number;
        if (prev === 0) touched.push(doc);
        scores[doc] = prev + w * (vals[i] as number);
      }
    }
  }
}
