export { KbDataset, KbDatasetArticle, KbDatasetQuery, parseDataset } from './dataset.ts';
export { runDecisionBenchmark, percentile, ratio } from './metrics.ts';
export type { KbBenchmarkMetrics, LearningPoint, DecisionBenchmarkInput } from './metrics.ts';
export { formatBenchmarkSummary, metricsJsonLine } from './summary.ts';
export { syntheticScaleBenchmark, syntheticKb } from './synthetic.ts';
export type { SyntheticScaleResult, SyntheticOptions } from './synthetic.ts';
export { indexDataset } from './load.ts';
