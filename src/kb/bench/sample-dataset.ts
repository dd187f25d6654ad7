import { fileURLToPath } from 'node:url';
import { readKbFolder } from '../kb-folder.ts';
import type { KbDataset } from './dataset.ts';

// What `bench kb --all` runs when the public benchmark sets (../shared/bench) are not there: the
// repo's sample KB as a dataset. Each article's first example question is held out as a query
// for that article (the article keeps the rest), so a right answer is a paraphrase found, not an
// example repeated; a few questions no article covers should be escalated.

export const SAMPLE_KB_DIR = fileURLToPath(new URL('../../../examples/kb', import.meta.url));

/** Questions a software product's support desk has no article for, in both sample languages. */
export const OUT_OF_SCOPE_QUESTIONS = [
  'Do you sell gift cards?',
  'What will the weather be like tomorrow?',
  'Can you recommend a good pizza place nearby?',
  '你们卖自行车吗？',
  '今天天气怎么样？',
];

export function sampleKbDataset(dir = SAMPLE_KB_DIR): KbDataset {
  const articles = readKbFolder(dir);
  return {
    name: 'examples-kb',
    articles: articles.map((a) => ({
      id: a.slug,
      title: a.title,
      body: a.body,
      // An article with one example question keeps it: held out, the article would have none.
      questions: (a.questions ?? []).length > 1 ? a.questions!.slice(1) : [...(a.questions ?? [])],
      tags: [...(a.tags ?? [])],
      lang: a.language ?? 'en',
    })),
    queries: [
      ...articles.filter((a) => (a.questions ?? []).length > 1).map((a) => ({ text: a.questions![0]!, expected: a.slug })),
      ...OUT_OF_SCOPE_QUESTIONS.map((text) => ({ text, expected: null })),
    ],
  };
}
