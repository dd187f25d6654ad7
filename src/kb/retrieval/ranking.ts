// The shapes retrieval passes around: an indexed article, a ranked or scored candidate, and the
// ranking options with their defaults. Their own module so that the index, its re-ranker and its calibration can all
// name them without importing one another.
import { DEFAULT_FEATURE_OPTIONS, type FeatureOptions } from './features.ts';
import { DEFAULT_SOFTMAX_OPTIONS, type SoftmaxOptions } from './classifier.ts';

export interface IndexedArticle {
  id: string;
  title: string;
  body: string;
  questions: string[];
  tags: string[];
  language?: string;
}

export interface RankedCandidate {
  articleId: string;
  /** what the ranking is by: the lexical score, or with embeddings the fused one (rank-fusion.ts) */
  score: number;
}

/** A candidate with the parts of its score (used by confidence calibration). */
export interface ScoredCandidate extends RankedCandidate {
  /** best cosine to the title or one example question (body discounted) */
  nearest: number;
  /** cosine to the article centroid */
  centroid: number;
  /** share of the query's weight (idf², words only) found anywhere in the article */
  matched: number;
  /** probability the article classifier gives this article (0 without a classifier) */
  prob: number;
  /** best other classifier probability (0 without a classifier) */
  rivalProb: number;
  /** best cosine between the query's word-vector mean and a title/question's (0 without vectors) */
  semantic: number;
  /** the score from words, classifier and word vectors (= score when the query has no embedding) */
  lexical: number;
  /** best cosine between the query's embedding and the article's texts' (0 without embeddings) */
  embedding: number;
}

export interface RankingOptions {
  features: FeatureOptions;
  /** weight of the nearest-example cosine in the score; the centroid gets the rest */
  nearestWeight: number;
  /** discount of a body match relative to a question match */
  bodyWeight: number;
  /** query features present in more than this share of articles are skipped */
  maxDfShare: number;
  /** query features kept at most (highest weight first) */
  maxQueryFeatures: number;
  /**
   * above this many articles, query words known to the index get no character n-grams
   * (they then only serve typos); keeps large indexes fast, costs ~1 point of top1
   */
  queryCharGramsForUnknownOnlyAbove: number;
  /** KBs with at most this many articles get a softmax classifier re-ranker */
  classifierMaxArticles: number;
  /** weight of the classifier probability added to the retrieval score */
  classifierWeight: number;
  /** retrieval candidates re-ranked by the classifier */
  rerankPool: number;
  /** folds for cross-fitted classifiers (calibration probes see honest scores) */
  classifierFolds: number;
  /**
   * stop-word weight in the classifier's input, relative to a content word: the classifier
   * learns its own feature weights, so stop words ("why", "how", "not") that tell close
   * intents apart need not be pre-shrunk for it as they are for retrieval (features.stopWord).
   * Default = features.stopWord (the classifier sees the retrieval vectors); 1 moved
   * banking77 k5 coverage +3.9 points but k20 coverage -0.9, so it is not the default.
   */
  classifierStopWordWeight: number;
  /** the classifier also sees character n-grams (slower to train, ~+1 point top1) */
  classifierCharGrams: boolean;
  /** folds of articles for cross-fitted out-of-scope probes */
  classifierArticleFolds: number;
  /** no classifier when (training examples × articles) exceeds this (training cost bound) */
  classifierMaxWork: number;
  /** customer queries use the mean of the fold models rather than the main model */
  averageFoldModels: boolean;
  softmax: SoftmaxOptions;
  /**
   * weight of the text's word-vector mean (unit length) in the classifier input, whose sparse
   * part also has unit length; 2 beat 1 and 3 on banking77 (k5 top1 +1.4 points over 1)
   */
  classifierVectorWeight: number;
  /** weight of the best word-vector cosine to a title/question in the score */
  semanticWeight: number;
}

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
