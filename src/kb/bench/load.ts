/** Build an index from a benchmark dataset (the articles as the KB would hold them). */
import { KbIndex } from '../retrieval/kb-index.ts';
import type { KbDataset } from './dataset.ts';

export function indexDataset(dataset: KbDataset, index: KbIndex = new KbIndex()): KbIndex {
  for (const a of dataset.articles) {
    const language = a.language ?? a.lang ?? dataset.language;
    index.upsert({ id: a.id, title: a.title, body: a.body, questions: [...a.questions], tags: [...a.tags], ...(language ? { language } : {}) });
  }
  return index;
}
