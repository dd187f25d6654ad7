export { KbIndex, DEFAULT_RANKING_OPTIONS } from './kb-index.ts';
export type { IndexedArticle, RankedCandidate, ScoredCandidate, RankingOptions } from './ranking.ts';
export { tokenize, terms, ENGLISH_STOP_WORDS } from './tokenizer.ts';
export type { Token, TokenScript } from './tokenizer.ts';
export { normalizeText, MAX_INPUT_CHARS } from './normalize.ts';
export { extractFeatures, DEFAULT_FEATURE_OPTIONS } from './features.ts';
export type { FeatureOptions, FeatureVector } from './features.ts';
export { calibrate, confidenceOf, top3ConfidenceOf, DEFAULT_CALIBRATION_OPTIONS, FALLBACK_CALIBRATION } from './calibration.ts';
export type { Calibration, CalibrationOptions } from './calibration.ts';
