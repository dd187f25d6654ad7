/**
 * Worker thread body (started by background-refit.ts): fits the re-ranker and the calibration
 * for a snapshot of the articles, off the thread that answers customers. Each request builds a
 * fresh index from the articles it carries, so the worker keeps no state but the word vectors.
 */
import { parentPort } from 'node:worker_threads';
import { KbIndex } from './kb-index.ts';
import type { IndexedArticle, RankingOptions } from './ranking.ts';
import type { CalibrationOptions } from './calibration.ts';
import { installedWordVectors } from './word-vectors.ts';
import { EmbeddingTable } from './text-embeddings.ts';

export interface RefitRequest {
  id: number;
  articles: IndexedArticle[];
  options: RankingOptions;
  calibrationOptions: CalibrationOptions;
  wordVectors: boolean;
  /** the embedding model's vectors of the articles' texts, by text hash (null: none) */
  embeddings: { model: string; entries: Array<[string, Float32Array]> } | null;
}

parentPort?.on('message', (request: RefitRequest) => {
  try {
    const embeddings = request.embeddings ? EmbeddingTable.fromEntries(request.embeddings.model, request.embeddings.entries) : null;
    const index = new KbIndex(request.options, request.calibrationOptions, request.wordVectors ? installedWordVectors() : null, embeddings);
    for (const article of request.articles) index.upsert(article);
    const fit = index.exportFit();
    parentPort?.postMessage({ id: request.id, fit }, fit.classifier ? [fit.classifier.weights.buffer as ArrayBuffer] : []);
  } catch (error) {
    parentPort?.postMessage({ id: request.id, error: error instanceof Error ? error.message : String(error) });
  }
});
