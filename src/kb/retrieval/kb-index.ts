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
 * With an embedding model (an EmbeddingTable: text-embeddings.ts), a query that has a vector is
 * also ranked by its best cosine to each article's texts, and the two are fused with weights
 * fitted on the KB's probes along with the re-ranker (rank-fusion.ts); the calibration sees the
 * cosine and its margin.
 * upsert/remove are incremental; global statistics (norms under the current idf) are
 * refreshed lazily when the KB has drifted.
 */
import { extractFeatures, type FeatureVector } from './features.ts';
import { DEFAULT_RANKING_OPTIONS, type IndexedArticle, type RankedCandidate, type RankingOptions, type ScoredCandidate } from './ranking.ts';
import { calibrate, DEFAULT_CALIBRATION_OPTIONS, type Calibration, type CalibrationOptions } from './calibration.ts';
import { TopCandidates } from './top-candidates.ts';
import { VectorStore, type DocKind } from './vector-store.ts';
import { cosine, installedWordVectors, sentenceVector, type WordVectors } from './word-vectors.ts';
import { Reranker, type PortableClassifier } from './reranker.ts';
import { fitFusion, fuseRanks, fuseScores, nearestByEmbedding, type FusionSample, type FusionWeights } from './rank-fusion.ts';
import { MatchedShare } from './matched-share.ts';
import { LexicalScorer } from './lexical-scorer.ts';
import { bestCosine, embeddingInput, type EmbeddingTable } from './text-embeddings.ts';
import { articleEmbeddings, memberSentenceVectors } from './article-vectors.ts';

export { DEFAULT_RANKING_OPTIONS } from './ranking.ts';

/**
 * A fit (re-ranker and calibration) in a form another KbIndex over the same articles can
 * install: features by name, not by this index's ids. Made in a worker thread (refit-worker.ts)
 * so that refitting never blocks the process that answers customers.
 */
export interface PortableFit {
  classifier: PortableClassifier | null;
  /** how words and embeddings combine (null: no embeddings, or too few probes: rank fusion) */
  fusion: FusionWeights | null;
  calibration: Calibration;
}

/**
 * What indexing made of each text (its features, its sentence vector). An index seeded with the
 * analysis of an earlier run (seedTextAnalysis) reuses it for the same texts: a restart indexes the
 * KB without segmenting its Chinese again (jieba's dictionary: ~0.3 s and ~90 MB, fit-cache.ts).
 */
export interface TextAnalysis {
  features: Map<string, FeatureVector>;
  vectors: Map<string, Float32Array | null>;
}

interface CandidatePool {
  out: Array<ScoredCandidate & { slot: number }>;
  feats: Array<[string, number]>;
  lexicalHits: number;
  vectorRank: Map<number, number> | null;
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
  /** embedding-model vectors of the article's texts that have one (text-embeddings.ts) */
  embedded: Float32Array[];
  /** those vectors by text, reused when the article is edited (a text without one is looked up again) */
  embeddingCache: Map<string, Float32Array>;
}

export class KbIndex {
  private readonly store = new VectorStore();
  private readonly byId = new Map<string, ArticleEntry>();
  private readonly bySlot: Array<ArticleEntry | undefined> = [];
  private readonly freeSlots: number[] = [];
  private readonly lexical = new LexicalScorer(this.store);
  private version = 0;
  private fitted: Calibration | null = null;
  private fusion: FusionWeights | null = null;
  private readonly reranker: Reranker;
  /** bounded best-candidate selection (query path, reused) */
  private readonly top = new TopCandidates();
  /** the same for the embedding ranking */
  private readonly nearTop = new TopCandidates();
  private readonly matchedShare = new MatchedShare(this.store);
  readonly options: RankingOptions;
  readonly calibrationOptions: CalibrationOptions;
  readonly wordVectors: WordVectors | null;
  /** vectors of the embedding model by text (null: no embedding model, ranking by words alone) */
  readonly embeddings: EmbeddingTable | null;
  /**
   * false: calibration() never refits on the query path, it serves the last fit installed
   * (installFit) and leaves refitting to the owner (a background worker); see needsRefit().
   */
  refitOnDemand = true;
  /** an article was added that the classifier has never seen */
  private unknownToClassifier = false;
  /** an earlier run's analysis, for the texts of articles this index has not seen yet */
  private seed: TextAnalysis | null = null;

  /** `wordVectors` defaults to the ones made at install time (none: lexical features only). */
  constructor(
    options: Partial<RankingOptions> = {},
    calibrationOptions: Partial<CalibrationOptions> = {},
    wordVectors: WordVectors | null = installedWordVectors(),
    embeddings: EmbeddingTable | null = null,
  ) {
    this.options = { ...DEFAULT_RANKING_OPTIONS, ...options };
    this.calibrationOptions = { ...DEFAULT_CALIBRATION_OPTIONS, ...calibrationOptions };
    this.wordVectors = wordVectors;
    this.embeddings = embeddings;
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
    // before the calibration, which must see the ranking customers will get
    this.fusion = this.embeddings ? fitFusion(this, this.calibrationOptions.maxProbes) : null;
    this.fitted = calibrate(this, this.calibrationOptions);
  }

  /** Fit now (whether or not the KB changed) and return the fit in portable form. */
  exportFit(): PortableFit {
    this.refitNow();
    return { classifier: this.reranker.export(), fusion: this.fusion, calibration: this.fitted as Calibration };
  }

  /**
   * Install a fit made elsewhere from this index's articles as of change count `fittedAt`.
   * Features this index does not know (the KB changed since) are dropped; articles the fit does
   * not know get no classifier probability until the next fit.
   */
  installFit(fit: PortableFit, fittedAt: number, fittedSize: number): void {
    this.refreshStatistics();
    this.fitted = { ...fit.calibration, fittedAt, fittedSize };
    this.fusion = fit.fusion;
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

  /** Reuse `seed` for the texts of the articles upserted from now on (null: stop). */
  seedTextAnalysis(seed: TextAnalysis | null): void {
    this.seed = seed;
  }

  /** The analysis of every text of the index, for a later run's seedTextAnalysis. */
  textAnalysis(): TextAnalysis {
    const analysis: TextAnalysis = { features: new Map(), vectors: new Map() };
    for (const entry of this.byId.values()) {
      for (const [text, features] of entry.featureCache) analysis.features.set(text, features);
      for (const [text, vector] of entry.vectorCache) analysis.vectors.set(text, vector);
    }
    return analysis;
  }

  upsert(article: IndexedArticle): void {
    const previous = this.byId.get(article.id)?.featureCache ?? this.seed?.features;
    const previousVectors = this.byId.get(article.id)?.vectorCache ?? this.seed?.vectors;
    const previousEmbeddings = this.byId.get(article.id)?.embeddingCache;
    this.removeEntry(article.id);
    const slot = this.freeSlots.pop() ?? this.bySlot.length;
    const featureCache = new Map<string, FeatureVector>();
    const featuresOf = (text: string, noCharGrams = false): FeatureVector => {
      // a body is analysed without character grams: the same text as a title is another entry
      const key = noCharGrams ? `\u0000body\u0000${text}` : text;
      let v = featureCache.get(key) ?? previous?.get(key);
      if (!v) v = extractFeatures(text, this.options.features, { noCharGrams });
      featureCache.set(key, v);
      return v;
    };
    const docs: Array<{ kind: DocKind; features: FeatureVector }> = [];
    if (article.title.trim()) docs.push({ kind: 'title', features: featuresOf(article.title) });
    for (const q of article.questions) if (q.trim()) docs.push({ kind: 'question', features: featuresOf(q) });
    if (article.body.trim()) docs.push({ kind: 'body', features: featuresOf(article.body, true) });
    const docIds = this.store.addArticle(slot, docs);
    const memberIds = docIds.filter((id) => this.store.docs[id]?.kind !== 'body');
    const sentences = this.wordVectors ? memberSentenceVectors(article, (t) => this.sentenceVectorOf(t), previousVectors) : { vectors: [], cache: new Map() };
    const embeddings = this.embeddings ? articleEmbeddings(article, this.embeddings, previousEmbeddings) : { vectors: [], cache: new Map() };
    const entry: ArticleEntry = {
      article,
      slot,
      docIds,
      memberIds,
      centroidNorm: 1,
      featureCache,
      memberVectors: sentences.vectors,
      vectorCache: sentences.cache,
      embedded: embeddings.vectors,
      embeddingCache: embeddings.cache,
    };
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

  rank(text: string, limit = 10, queryVector?: Float32Array | null): RankedCandidate[] {
    return this.rankDetailed(text, limit, queryVector).map(({ articleId, score }) => ({ articleId, score }));
  }

  /**
   * Rank with score components, best first. `queryVector`: the text's embedding (null: none, rank
   * by words); when not given it is looked up among the KB's own texts, which is how the
   * calibration's probes, example questions all, find theirs.
   */
  rankDetailed(text: string, limit = 10, queryVector?: Float32Array | null): ScoredCandidate[] {
    const pool = this.candidatePool(text, limit, queryVector);
    if (!pool) return [];
    const { out, feats } = pool;
    if (pool.vectorRank) {
      if (this.fusion) fuseScores(out, this.fusion);
      else fuseRanks(out, pool.lexicalHits, pool.vectorRank);
    } else for (const c of out) c.lexical = c.score;
    out.sort((a, b) => b.score - a.score || (a.articleId < b.articleId ? -1 : 1));
    if (out.length > limit) out.length = limit;
    const words = this.matchedShare.weigh(feats);
    return out.map(({ slot, ...c }) => {
      const entry = this.bySlot[slot];
      if (entry && words.mass > 0) c.matched = this.matchedShare.share(entry.docIds, words);
      return c;
    });
  }

  /**
   * The candidates of a query before fusion, each with its lexical score and (with an
   * embedding) its best cosine: the lexical hits first (`lexicalHits` of them), then articles
   * only the embedding ranking found (`vectorRank`: their ranks there, by slot). Null: nothing.
   */
  private candidatePool(text: string, limit: number, queryVector: Float32Array | null | undefined): CandidatePool | null {
    if (this.byId.size === 0 || !text.trim()) return null;
    this.refreshStatistics();
    const o = this.options;
    const qEmb = queryVector === undefined ? (this.embeddings?.vectorOf(embeddingInput(text)) ?? null) : queryVector;
    const { feats, query, qNorm } = this.lexical.queryOf(text, o, this.size);
    if (query.length === 0 && !qEmb) return null;
    const qVec = this.sentenceVectorOf(text);
    // with an embedding, both lists (words, vectors) go as deep as the re-ranker's pool
    const keep = this.reranker.hasModel || qEmb ? Math.max(limit, o.rerankPool) : limit;
    const top = this.top;
    top.reset(keep);
    this.lexical.offerMatches(query, qNorm, o, this.bySlot.length, (slot) => this.bySlot[slot], top);
    const out: Array<ScoredCandidate & { slot: number }> = [];
    for (const t of top.bestFirst()) {
      const entry = this.bySlot[t.slot] as ArticleEntry;
      out.push({ articleId: entry.article.id, score: t.score, nearest: t.nearest, centroid: t.centroid, matched: 0, prob: 0, rivalProb: 0, semantic: 0, lexical: 0, embedding: 0, slot: t.slot });
    }
    const lexicalHits = out.length;
    const vectorRank = qEmb ? this.addNearestByEmbedding(out, qEmb, keep) : null;
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
    return { out, feats, lexicalHits, vectorRank };
  }

  /**
   * A probe for fitting the fusion: the pool of `text` (which has an embedding in the table) as
   * (lexical score, cosine, is it `articleId`); [] when the text has no embedding.
   */
  fusionSamples(text: string, articleId: string): FusionSample[] {
    const pool = this.candidatePool(text, this.options.rerankPool, undefined);
    if (!pool?.vectorRank) return [];
    return pool.out.map((c) => ({ lexical: c.score, embedding: c.embedding, right: c.articleId === articleId }));
  }

  /**
   * The `pool` articles nearest the query by embedding: added to `out` (with no lexical evidence)
   * when the lexical ranking did not find them; every candidate's best cosine set. Returns their
   * ranks by slot.
   */
  private addNearestByEmbedding(out: Array<ScoredCandidate & { slot: number }>, qEmb: Float32Array, pool: number): Map<number, number> {
    const rank = nearestByEmbedding(this.byId.values(), qEmb, pool, this.nearTop);
    const listed = new Set(out.map((c) => c.slot));
    for (const slot of rank.keys()) {
      if (listed.has(slot)) continue;
      const entry = this.bySlot[slot] as ArticleEntry;
      out.push({ articleId: entry.article.id, score: 0, nearest: 0, centroid: 0, matched: 0, prob: 0, rivalProb: 0, semantic: 0, lexical: 0, embedding: 0, slot });
    }
    for (const c of out) c.embedding = bestCosine(qEmb, (this.bySlot[c.slot] as ArticleEntry).embedded);
    return rank;
  }
}
