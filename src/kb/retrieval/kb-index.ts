/**
 * KbIndex: the in-memory retrieval index over articles (title, example questions, body).
 *
 * Ranking combines two views of an article, both IDF-weighted cosines:
 *  - nearest example: the best cosine between the query and the title or one example question
 *    (or the body, discounted);
 *  - centroid: the cosine between the query and the mean of the article's normalised
 *    title/question vectors (a Rocchio classifier; robust when one example is an outlier).
 * On KBs up to a few hundred articles, a classifier re-ranker (reranker.ts) adds
 * classifierWeight × P(article) to the best retrieval candidates' scores; it is refitted
 * together with the calibration (lazily, by prepare(), or in a worker: exportFit/installFit).
 * With pretrained word vectors (word-vectors.ts; English), the re-ranker also sees each
 * text's word-vector mean, and the best word-vector cosine between the query and a title or
 * example question adds to the score (a paraphrase with no word in common still matches).
 * upsert/remove are incremental; global statistics (norms under the current idf) are
 * refreshed lazily when the KB has drifted.
 */
import { DEFAULT_FEATURE_OPTIONS, extractFeatures, type FeatureVector } from './features.ts';
import type { IndexedArticle, RankedCandidate, RankingOptions, ScoredCandidate } from './ranking.ts';
import { calibrate, DEFAULT_CALIBRATION_OPTIONS, type Calibration, type CalibrationOptions } from './calibration.ts';
import { TopCandidates } from './top-candidates.ts';
import { VectorStore, type DocKind } from './vector-store.ts';
import { cosine, installedWordVectors, sentenceVector, type WordVectors } from './word-vectors.ts';
import { DEFAULT_SOFTMAX_OPTIONS } from './classifier.ts';
import { Reranker, type PortableClassifier } from './reranker.ts';

export const DEFAULT_RANKING_OPTIONS: RankingOptions = {
  features: DEFAULT_FEATURE_OPTIONS,
  nearestWeight: 0.3,
  bodyWeight: 0.6,
  maxDfShare: 0.05,
  maxQueryFeatures: 400,
  queryCharGramsForUnknownOnlyAbove: 2000,
  classifierMaxArticles: 400,
  classifierWeight: 1,
  rerankPool: 30,
  classifierFolds: 10,
  averageFoldModels: false,
  classifierArticleFolds: 10,
  classifierMaxWork: 400_000,
  classifierCharGrams: true,
  classifierStopWordWeight: DEFAULT_FEATURE_OPTIONS.stopWord,
  softmax: DEFAULT_SOFTMAX_OPTIONS,
  classifierVectorWeight: 2,
  semanticWeight: 0.3,
};

/**
 * A fit (re-ranker and calibration) in a form another KbIndex over the same articles can
 * install: features by name, not by this index's ids. Made in a worker thread (refit-worker.ts)
 * so that refitting never blocks the process that answers customers.
 */
export interface PortableFit {
  classifier: PortableClassifier | null;
  calibration: Calibration;
}

interface ArticleEntry {
  article: IndexedArticle;
  slot: number;
  docIds: number[];
  /** doc ids of the title and questions (the centroid members) */
  memberIds: number[];
  centroidNorm: number;
  /** extracted features by text, reused when the article is edited */
  featureCache: Map<string, FeatureVector>;
  /** sentence vectors of the title and questions, in memberIds order (null: no known word) */
  memberVectors: Array<Float32Array | null>;
  /** sentence vectors by text, reused when the article is edited */
  vectorCache: Map<string, Float32Array | null>;
}

export class KbIndex {
  private readonly store = new VectorStore();
  private readonly byId = new Map<string, ArticleEntry>();
  private readonly bySlot: Array<ArticleEntry | undefined> = [];
  private readonly freeSlots: number[] = [];
  private docScores = new Float64Array(0);
  private slotScores = new Float64Array(0);
  private version = 0;
  private fitted: Calibration | null = null;
  private readonly reranker: Reranker;
  /** bounded best-candidate selection (query path, reused) */
  private readonly top = new TopCandidates();
  /** feature id → stamp of the last article marked (the matched-share feature) */
  private featStamp = new Int32Array(0);
  private stamp = 0;
  private touched: number[] = [];
  readonly options: RankingOptions;
  readonly calibrationOptions: CalibrationOptions;
  readonly wordVectors: WordVectors | null;
  /**
   * false: calibration() never refits on the query path, it serves the last fit installed
   * (installFit) and leaves refitting to the owner (a background worker); see needsRefit().
   */
  refitOnDemand = true;
  /** an article was added that the classifier has never seen */
  private unknownToClassifier = false;

  /** `wordVectors` defaults to the ones made at install time (none: lexical features only). */
  constructor(options: Partial<RankingOptions> = {}, calibrationOptions: Partial<CalibrationOptions> = {}, wordVectors: WordVectors | null = installedWordVectors()) {
    this.options = { ...DEFAULT_RANKING_OPTIONS, ...options };
    this.calibrationOptions = { ...DEFAULT_CALIBRATION_OPTIONS, ...calibrationOptions };
    this.wordVectors = wordVectors;
    this.reranker = new Reranker(this.store, this.options);
  }

  private sentenceVectorOf(text: string): Float32Array | null {
    return this.wordVectors ? sentenceVector(text, this.wordVectors) : null;
  }

  /**
   * The confidence calibration of this KB, refitted lazily once the KB has changed enough
   * since the last fit (20 changes, a fifth of the articles or a tenth of the example
   * questions, whichever is more).
   */
  calibration(): Calibration {
    if (this.needsRefit() && (this.refitOnDemand || !this.fitted)) this.refitNow();
    return this.fitted as Calibration;
  }

  /** True once the KB has changed enough since the last fit to be worth refitting. */
  needsRefit(): boolean {
    const c = this.fitted;
    // A tenth of the example questions: a founder's lessons are in the word index at once, and
    // one more example among many moves the fit little. Replaying banking77-dev-k5-h20 in learn
    // mode (~1,000 lessons) refitted every 20 lessons and took 13.5 min, almost all of it refits.
    if (!c) return true;
    const enough = Math.max(20, Math.ceil(c.fittedSize * 0.2), Math.ceil(c.fittedQuestions * 0.1));
    return this.unknownToClassifier || this.version - c.fittedAt >= enough || (c.fittedSize < 2 && this.size >= 2);
  }

  /** True when the KB changed since the fit in use was made (however little). */
  hasUnfittedChanges(): boolean {
    return this.fitted === null || this.version !== this.fitted.fittedAt;
  }

  /** Whether any fit (re-ranker and calibration) is in place. */
  hasFit(): boolean {
    return this.fitted !== null;
  }

  /** Fit the re-ranker and the calibration on this thread, now. */
  refitNow(): void {
    this.unknownToClassifier = false;
    this.refreshStatistics();
    this.reranker.fit([...this.byId.values()]);
    this.fitted = calibrate(this, this.calibrationOptions);
  }

  /** Fit now (whether or not the KB changed) and return the fit in portable form. */
  exportFit(): PortableFit {
    this.refitNow();
    return { classifier: this.reranker.export(), calibration: this.fitted as Calibration };
  }

  /**
   * Install a fit made elsewhere from this index's articles as of change count `fittedAt`.
   * Features this index does not know (the KB changed since) are dropped; articles the fit does
   * not know get no classifier probability until the next fit.
   */
  installFit(fit: PortableFit, fittedAt: number, fittedSize: number): void {
    this.refreshStatistics();
    this.fitted = { ...fit.calibration, fittedAt, fittedSize };
    this.reranker.install(fit.classifier);
    this.unknownToClassifier = fit.classifier !== null && [...this.byId.keys()].some((id) => !this.reranker.knows(id));
  }

  /** Increases on every change; lets caches (e.g. calibration) know they are stale. */
  get changeCount(): number {
    return this.version;
  }

  get size(): number {
    return this.byId.size;
  }

  has(articleId: string): boolean {
    return this.byId.has(articleId);
  }

  get(articleId: string): IndexedArticle | undefined {
    return this.byId.get(articleId)?.article;
  }

  articles(): IterableIterator<IndexedArticle> {
    const it = this.byId.values();
    return (function* () {
      for (const e of it) yield e.article;
    })();
  }

  upsert(article: IndexedArticle): void {
    const previous = this.byId.get(article.id)?.featureCache;
    const previousVectors = this.byId.get(article.id)?.vectorCache;
    this.removeEntry(article.id);
    const slot = this.freeSlots.pop() ?? this.bySlot.length;
    const featureCache = new Map<string, FeatureVector>();
    const featuresOf = (text: string, noCharGrams = false): FeatureVector => {
      let v = featureCache.get(text) ?? previous?.get(text);
      if (!v) v = extractFeatures(text, this.options.features, { noCharGrams });
      featureCache.set(text, v);
      return v;
    };
    const docs: Array<{ kind: DocKind; features: FeatureVector }> = [];
    if (article.title.trim()) docs.push({ kind: 'title', features: featuresOf(article.title) });
    for (const q of article.questions) if (q.trim()) docs.push({ kind: 'question', features: featuresOf(q) });
    if (article.body.trim()) docs.push({ kind: 'body', features: featuresOf(article.body, true) });
    const docIds = this.store.addArticle(slot, docs);
    const memberIds = docIds.filter((id) => this.store.docs[id]?.kind !== 'body');
    const vectorCache = new Map<string, Float32Array | null>();
    const memberVectors: Array<Float32Array | null> = [];
    if (this.wordVectors) {
      for (const t of [article.title, ...article.questions]) {
        if (!t.trim()) continue;
        // null (no known word) is a cached answer too
        const cached = vectorCache.has(t) ? vectorCache.get(t) : previousVectors?.get(t);
        const v = cached === undefined ? this.sentenceVectorOf(t) : cached;
        vectorCache.set(t, v);
        memberVectors.push(v);
      }
    }
    const entry: ArticleEntry = { article, slot, docIds, memberIds, centroidNorm: 1, featureCache, memberVectors, vectorCache };
    this.bySlot[slot] = entry;
    this.byId.set(article.id, entry);
    this.refreshCentroid(entry);
    this.version++;
    // an article the classifier has never seen: refit (classifier and calibration) soon
    if (this.reranker.hasModel && !this.reranker.knows(article.id) && this.store.trackDrift) this.unknownToClassifier = true;
  }

  /**
   * Run `probe` with the classifier trained without question fold `fold`, or (articleFold)
   * without the articles of that fold (calibration probes).
   */
  withClassifierFold<T>(fold: number, probe: () => T, articleFold = false): T {
    return this.reranker.withFold(fold, probe, articleFold);
  }

  remove(articleId: string): void {
    if (this.removeEntry(articleId)) this.version++;
  }

  private removeEntry(articleId: string): boolean {
    const entry = this.byId.get(articleId);
    if (!entry) return false;
    this.store.removeArticle(entry.docIds);
    this.byId.delete(articleId);
    this.bySlot[entry.slot] = undefined;
    this.freeSlots.push(entry.slot);
    return true;
  }

  private refreshCentroid(entry: ArticleEntry): void {
    const sum = new Map<number, number>();
    for (const id of entry.memberIds) {
      const d = this.store.docs[id];
      if (!d) continue;
      for (let i = 0; i < d.feats.length; i++) {
        const f = d.feats[i] as number;
        const w = ((d.vals[i] as number) * this.store.idf(f)) / d.norm;
        sum.set(f, (sum.get(f) ?? 0) + w);
      }
    }
    let s = 0;
    for (const v of sum.values()) s += v * v;
    const n = Math.max(1, entry.memberIds.length);
    entry.centroidNorm = Math.sqrt(s) / n || 1;
  }

  /**
   * Run `probe` with the index temporarily changed (an article replaced or removed), then
   * restore it. Used by calibration (leave-one-out); does not count as a change.
   */
  withTemporaryChange<T>(articleId: string, replacement: IndexedArticle | null, probe: () => T): T {
    const original = this.byId.get(articleId)?.article;
    const version = this.version;
    this.store.trackDrift = false;
    try {
      if (replacement) this.upsert(replacement);
      else this.remove(articleId);
      return probe();
    } finally {
      if (original) this.upsert(original);
      else this.remove(articleId);
      this.store.trackDrift = true;
      this.version = version;
    }
  }

  /** Bring lazily maintained statistics up to date (also done on demand by rank). */
  private refreshStatistics(): void {
    if (this.store.ensureFreshNorms()) for (const e of this.byId.values()) this.refreshCentroid(e);
  }

  /** Do the lazy work now (norms, calibration) so that the next query is fast. */
  prepare(): void {
    this.refreshStatistics();
    if (this.size > 0) this.calibration();
  }

  rank(text: string, limit = 10): RankedCandidate[] {
    return this.rankDetailed(text, limit).map(({ articleId, score }) => ({ articleId, score }));
  }

  /** Rank with score components, best first. */
  rankDetailed(text: string, limit = 10): ScoredCandidate[] {
    if (this.byId.size === 0 || !text.trim()) return [];
    this.refreshStatistics();
    const o = this.options;
    const isKnownTerm = this.size > o.queryCharGramsForUnknownOnlyAbove ? (term: string): boolean => this.store.featureId(`w:${term}`) >= 0 : undefined;
    const feats = [...extractFeatures(text, o.features, isKnownTerm ? { isKnownTerm } : {})];
    const query: Array<[number, number]> = [];
    let qNorm2 = 0;
    for (const [f, v] of feats) {
      const id = this.store.featureId(f);
      const w = v * this.store.idf(id);
      qNorm2 += w * w;
      if (id >= 0) query.push([id, v]);
    }
    if (query.length === 0) return [];
    if (query.length > o.maxQueryFeatures) {
      query.sort((a, b) => b[1] * this.store.idf(b[0]) - a[1] * this.store.idf(a[0]));
      query.length = o.maxQueryFeatures;
    }
    const qNorm = Math.sqrt(qNorm2) || 1;
    const qVec = this.sentenceVectorOf(text);
    const docs = this.store.docs;
    if (this.docScores.length < docs.length) this.docScores = new Float64Array(Math.max(1024, docs.length * 2));
    const scores = this.docScores;
    const touched = this.touched;
    touched.length = 0;
    this.store.accumulate(query, scores, touched, o.maxDfShare);

    // per article slot: best member cosine, best body cosine, sum of cosines over members
    const slots = this.bySlot.length;
    if (this.slotScores.length < slots * 3) this.slotScores = new Float64Array(Math.max(256, slots * 6));
    const acc = this.slotScores;
    const hitSlots: number[] = [];
    for (const docId of touched) {
      const dot = scores[docId] as number;
      scores[docId] = 0;
      const d = docs[docId];
      if (!d || !d.alive) continue;
      const cos = dot / (d.norm * qNorm);
      const base = d.article * 3;
      if (acc[base] === 0 && acc[base + 1] === 0 && acc[base + 2] === 0) hitSlots.push(d.article);
      if (d.kind === 'body') acc[base + 1] = Math.max(acc[base + 1] as number, cos);
      else {
        if (cos > (acc[base] as number)) acc[base] = cos;
        acc[base + 2] = (acc[base + 2] as number) + cos;
      }
    }
    const keep = this.reranker.hasModel ? Math.max(limit, o.rerankPool) : limit;
    const top = this.top;
    top.reset(keep);
    for (const slot of hitSlots) {
      const base = slot * 3;
      const member = acc[base] as number;
      const body = acc[base + 1] as number;
      const sumCos = acc[base + 2] as number;
      acc[base] = 0;
      acc[base + 1] = 0;
      acc[base + 2] = 0;
      const entry = this.bySlot[slot];
      if (!entry) continue;
      const n = Math.max(1, entry.memberIds.length);
      const centroid = sumCos / n / entry.centroidNorm;
      const nearest = Math.max(member, body * o.bodyWeight);
      top.offer(o.nearestWeight * nearest + (1 - o.nearestWeight) * centroid, slot, nearest, centroid);
    }
    const out: Array<ScoredCandidate & { slot: number }> = [];
    for (const t of top.bestFirst()) {
      const entry = this.bySlot[t.slot] as ArticleEntry;
      out.push({ articleId: entry.article.id, score: t.score, nearest: t.nearest, centroid: t.centroid, matched: 0, prob: 0, rivalProb: 0, semantic: 0, slot: t.slot });
    }
    this.reranker.rescore(out, query, qNorm, qVec, (id) => this.byId.has(id));
    if (qVec) {
      for (const c of out) {
        const entry = this.bySlot[c.slot] as ArticleEntry;
        let best = 0;
        for (const mv of entry.memberVectors) if (mv) best = Math.max(best, cosine(qVec, mv));
        c.semantic = best;
        c.score += o.semanticWeight * best;
      }
    }
    out.sort((a, b) => b.score - a.score || (a.articleId < b.articleId ? -1 : 1));
    if (out.length > limit) out.length = limit;
    const wordWeights = feats
      .filter(([f]) => f.startsWith('w:'))
      .map(([f, v]) => {
        const id = this.store.featureId(f);
        const w = v * this.store.idf(id);
        return [id, w * w] as const;
      });
    const wordMass = wordWeights.reduce((a, [, w]) => a + w, 0);
    return out.map(({ slot, ...c }) => {
      const entry = this.bySlot[slot];
      if (entry && wordMass > 0) {
        // mark the article's features with a fresh stamp (no per-candidate set)
        const stamp = this.nextStamp();
        const marks = this.featStamp;
        for (const id of entry.docIds) {
          const fs = this.store.docs[id]?.feats;
          if (!fs) continue;
          for (let i = 0; i < fs.length; i++) {
            const f = fs[i] as number;
            if (f >= 0 && f < marks.length) marks[f] = stamp;
          }
        }
        let m = 0;
        for (const [id, w] of wordWeights) if (id >= 0 && id < marks.length && marks[id] === stamp) m += w;
        c.matched = m / wordMass;
      }
      return c;
    });
  }

  /** A new stamp for featStamp (sized to the feature vocabulary; reset on wrap-around). */
  private nextStamp(): number {
    const n = this.store.featureCount;
    if (this.featStamp.length < n) this.featStamp = new Int32Array(Math.max(1024, n * 2));
    if (++this.stamp >= 0x7fffffff) {
      this.featStamp.fill(0);
      this.stamp = 1;
    }
    return this.stamp;
  }
}
