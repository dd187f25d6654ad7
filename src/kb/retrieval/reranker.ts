/**
 * The classifier re-ranker of a KbIndex: a softmax classifier (classifier.ts) over an article's
 * title and example questions, whose probability is added to the retrieval score of the best
 * candidates. Besides the main model it keeps cross-fitted copies trained without one fold of
 * the example questions (for the calibration's leave-one-out probes) or without one fold of the
 * articles (for its out-of-scope probes), so the calibration sees classifier scores as honest as
 * a customer's query gets. Inputs are the retrieval vectors (idf-weighted, stop words
 * re-weighted, unit length) plus, where the index has word vectors, the sentence vector.
 */
import { logits, softmaxInPlace, trainSoftmax, type SoftmaxModel, type TrainingExample } from './classifier.ts';
import type { IndexedArticle, RankingOptions, ScoredCandidate } from './ranking.ts';
import type { VectorStore } from './vector-store.ts';

/** The main model in portable form: features by name, weights in one transferable buffer. */
export interface PortableClassifier {
  articleOfClass: string[];
  bias: Float64Array;
  /** feature names; feature i's weights over the classes are row i of `weights` */
  features: string[];
  weights: Float64Array;
}

/** What the re-ranker learns from, per article (KbIndex's article entries). */
export interface RerankerArticle {
  article: IndexedArticle;
  /** store doc ids of the title and questions */
  memberIds: number[];
  /** their sentence vectors, in the same order */
  memberVectors: Array<Float32Array | null>;
}

type Input = Array<[number, number]>;

/** Name of a dense input feature: `#i` for sentence-vector dimension i (ids below 0). */
const DENSE_PREFIX = '#';

/** Cross-fitting fold of an example question, keyed by its article's title (stable across databases). */
export function foldOf(articleKey: string, question: string, folds: number): number {
  let h = 2166136261;
  const t = `${articleKey}\u0000${question}`;
  for (let i = 0; i < t.length; i++) {
    h ^= t.charCodeAt(i);
    h = Math.imul(h, 16777619);
  }
  return (h >>> 0) % folds;
}

export class Reranker {
  /** main model, then one per question fold, then one per article fold */
  private models: SoftmaxModel[] = [];
  private classOf = new Map<string, number>();
  private articleOfClass: string[] = [];
  /** model in use: 0 = main, k + 1 = fold k (calibration probes) */
  private activeModel = 0;
  private scratch = new Float64Array(0);
  private average = new Float64Array(0);

  constructor(
    private readonly store: VectorStore,
    private readonly options: RankingOptions,
  ) {}

  /** True when a main model is fitted or installed. */
  get hasModel(): boolean {
    return this.models.length > 0;
  }

  /** True when the re-ranker has a class for this article. */
  knows(articleId: string): boolean {
    return this.classOf.has(articleId);
  }

  /** Fit the main and cross-fitted models, or drop them when the KB is outside the size limits. */
  fit(articles: readonly RerankerArticle[]): void {
    const o = this.options;
    this.drop();
    if (articles.length < 2 || articles.length > o.classifierMaxArticles || o.classifierWeight <= 0) return;
    const classOf = new Map<string, number>();
    const articleOfClass: string[] = [];
    const all: Array<TrainingExample & { fold: number; articleFold: number }> = [];
    for (const e of articles) {
      const y = articleOfClass.length;
      classOf.set(e.article.id, y);
      articleOfClass.push(e.article.id);
      const texts = [...(e.article.title.trim() ? [''] : []), ...e.article.questions.filter((q) => q.trim())];
      for (const [m, id] of e.memberIds.entries()) {
        const d = this.store.docs[id];
        if (!d || !d.alive) continue;
        const x: Input = [];
        for (let i = 0; i < d.feats.length; i++) {
          const f = d.feats[i] as number;
          if (o.classifierCharGrams || !this.store.isCharGram(f)) x.push([f, (d.vals[i] as number) * this.store.idf(f)]);
        }
        this.normalise(x, d.norm * d.norm);
        this.appendVector(e.memberVectors[m] ?? null, x);
        // titles (and questions the fold hash cannot tell apart) stay in every fold
        all.push({ x, y, fold: d.kind === 'question' ? foldOf(e.article.title, texts[m] ?? '', o.classifierFolds) : -1, articleFold: foldOf(e.article.title, '', o.classifierArticleFolds) });
      }
    }
    if (all.length * articleOfClass.length > o.classifierMaxWork) return;
    const classes = articleOfClass.length;
    const models = [trainSoftmax(all, classes, o.softmax)];
    for (let k = 0; k < o.classifierFolds; k++) models.push(trainSoftmax(all.filter((ex) => ex.fold !== k), classes, o.softmax));
    // article folds: models that never saw a tenth of the articles (out-of-scope probes)
    for (let k = 0; k < o.classifierArticleFolds; k++) models.push(trainSoftmax(all.filter((ex) => ex.articleFold !== k), classes, o.softmax));
    this.models = models;
    this.classOf = classOf;
    this.articleOfClass = articleOfClass;
  }

  drop(): void {
    this.models = [];
    this.classOf = new Map();
    this.articleOfClass = [];
    this.activeModel = 0;
  }

  /**
   * Run `probe` with the model trained without question fold `fold`, or (articleFold) without
   * the articles of that fold (calibration probes); the main model when there are no folds.
   */
  withFold<T>(fold: number, probe: () => T, articleFold = false): T {
    const previous = this.activeModel;
    const k = fold + 1 + (articleFold ? this.options.classifierFolds : 0);
    this.activeModel = k < this.models.length ? k : 0;
    try {
      return probe();
    } finally {
      this.activeModel = previous;
    }
  }

  /**
   * Set each candidate's classifier probability and its best rival's, and add the weighted
   * probability to its score. `query`: the query's retrieval features (id, weight before idf).
   */
  rescore(candidates: ScoredCandidate[], query: Input, qNorm: number, qVec: Float32Array | null, isLive: (articleId: string) => boolean): void {
    const o = this.options;
    const model = this.models[this.activeModel];
    if (!model) return;
    if (this.scratch.length !== model.classes) this.scratch = new Float64Array(model.classes);
    const x: Input = [];
    for (const [f, v] of query) if (o.classifierCharGrams || !this.store.isCharGram(f)) x.push([f, v * this.store.idf(f)]);
    this.normalise(x, qNorm * qNorm);
    this.appendVector(qVec, x);
    const live = (c: number): boolean => isLive(this.articleOfClass[c] as string);
    let p: Float64Array;
    if (this.activeModel === 0 && o.averageFoldModels && this.models.length > o.classifierFolds) {
      // customer queries: the mean of the question-fold models, so scores are distributed
      // like those the calibration probes saw (each fold model misses 1/K of the examples)
      if (this.average.length !== model.classes) this.average = new Float64Array(model.classes);
      p = this.average.fill(0);
      for (let k = 1; k <= o.classifierFolds; k++) {
        const q = softmaxInPlace(logits(this.models[k] as SoftmaxModel, x, this.scratch), live);
        for (let c = 0; c < p.length; c++) p[c] = (p[c] as number) + (q[c] as number) / o.classifierFolds;
      }
    } else p = softmaxInPlace(logits(model, x, this.scratch), live);
    let best = 0;
    let second = 0;
    for (let c = 0; c < p.length; c++) {
      const v = p[c] as number;
      if (v > best) {
        second = best;
        best = v;
      } else if (v > second) second = v;
    }
    for (const c of candidates) {
      const k = this.classOf.get(c.articleId);
      c.prob = k === undefined ? 0 : (p[k] as number);
      c.rivalProb = c.prob >= best ? second : best;
      c.score += o.classifierWeight * c.prob;
    }
  }

  /** The main model in portable form (null when there is none). */
  export(): PortableClassifier | null {
    const main = this.models[0];
    if (!main) return null;
    const features: string[] = [];
    const weights = new Float64Array(main.weights.size * main.classes);
    for (const [f, w] of main.weights) {
      weights.set(w, features.length * main.classes);
      features.push(f < 0 ? `${DENSE_PREFIX}${-1 - f}` : this.store.featureName(f));
    }
    return { articleOfClass: [...this.articleOfClass], bias: Float64Array.from(main.bias), features, weights };
  }

  /** Install a main model made elsewhere; features this store does not know are dropped. */
  install(c: PortableClassifier | null): void {
    this.drop();
    if (!c) return;
    const classes = c.articleOfClass.length;
    const weights = new Map<number, Float64Array>();
    c.features.forEach((name, i) => {
      const dense = name.startsWith(DENSE_PREFIX);
      const id = dense ? -1 - Number(name.slice(DENSE_PREFIX.length)) : this.store.featureId(name);
      if (dense || id >= 0) weights.set(id, c.weights.subarray(i * classes, (i + 1) * classes));
    });
    this.models = [{ classes, weights, bias: c.bias }];
    this.classOf = new Map(c.articleOfClass.map((id, k) => [id, k]));
    this.articleOfClass = c.articleOfClass;
  }

  /**
   * Input from idf-weighted features (in place): stop words re-weighted, then divided by the
   * text's norm (`norm2`: squared norm of the whole text's retrieval vector, including words
   * the index does not know, so unknown words still dilute the input), adjusted for the
   * re-weighting.
   */
  private normalise(x: Input, norm2: number): void {
    const o = this.options;
    const stopScale = o.features.stopWord > 0 ? (o.classifierStopWordWeight * o.features.word) / o.features.stopWord : 1;
    let n2 = norm2;
    if (stopScale !== 1) {
      for (const e of x) {
        if (!this.store.isStopWord(e[0])) continue;
        n2 += (stopScale * stopScale - 1) * e[1] * e[1];
        e[1] *= stopScale;
      }
    }
    const n = Math.sqrt(Math.max(n2, 0)) || 1;
    for (const e of x) e[1] /= n;
  }

  /** The sentence vector as dense features (ids below 0: apart from the vocabulary's). */
  private appendVector(v: Float32Array | null, x: Input): void {
    const w = this.options.classifierVectorWeight;
    if (!v || w <= 0) return;
    for (let i = 0; i < v.length; i++) x.push([-1 - i, (v[i] as number) * w]);
  }
}
