/**
 * The KB benchmark dataset format (`solodesk bench kb --help` shows it): articles plus queries
 * whose `expected` is the id of the right article, or null when the right behaviour is to escalate.
 */
import { z } from 'zod';

export const KbDatasetArticle = z.object({
  id: z.string().min(1),
  title: z.string(),
  body: z.string().default(''),
  questions: z.array(z.string()).default([]),
  tags: z.array(z.string()).default([]),
  lang: z.string().optional(),
  language: z.string().optional(),
});

export const KbDatasetQuery = z.object({
  text: z.string(),
  expected: z.string().min(1).nullable(),
});

export const KbDataset = z
  .object({
    name: z.string().default('dataset'),
    language: z.string().optional(),
    articles: z.array(KbDatasetArticle),
    queries: z.array(KbDatasetQuery),
  })
  .superRefine((d, ctx) => {
    const ids = new Set<string>();
    d.articles.forEach((a, i) => {
      if (ids.has(a.id)) ctx.addIssue({ code: 'custom', path: ['articles', i, 'id'], message: `duplicate article id "${a.id}"` });
      ids.add(a.id);
    });
    d.queries.forEach((q, i) => {
      if (q.expected !== null && !ids.has(q.expected)) {
        ctx.addIssue({ code: 'custom', path: ['queries', i, 'expected'], message: `unknown article id "${q.expected}"` });
      }
    });
  });

export type KbDataset = z.infer<typeof KbDataset>;
export type KbDatasetQuery = z.infer<typeof KbDatasetQuery>;
export type KbDatasetArticle = z.infer<typeof KbDatasetArticle>;

/** Validate a dataset (parsed JSON or JSON text); throws an Error naming each problem (and the file, given `source`). */
export function parseDataset(json: unknown, source?: string): KbDataset {
  let value = json;
  if (typeof json === 'string') {
    try {
      value = JSON.parse(json);
    } catch (e) {
      throw new Error(`dataset is not valid JSON: ${(e as Error).message}`, { cause: e });
    }
  }
  const r = KbDataset.safeParse(value);
  if (!r.success) {
    const lines = r.error.issues.slice(0, 20).map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
    throw new Error(`invalid KB dataset${source ? ` ${source}` : ''}:\n${lines.join('\n')}`);
  }
  return r.data;
}

/**
 * The languages of a data set's articles, the most common first: each article's own, else the
 * data set's, else English (what the KB assumes for an article that names none).
 */
export function datasetLanguages(dataset: KbDataset): string[] {
  const counts = new Map<string, number>();
  for (const a of dataset.articles) {
    const language = articleLanguage(a, dataset);
    counts.set(language, (counts.get(language) ?? 0) + 1);
  }
  if (counts.size === 0) counts.set(dataset.language ?? 'en', 1);
  return [...counts].sort((a, b) => b[1] - a[1]).map(([language]) => language);
}

export function articleLanguage(article: KbDatasetArticle, dataset: Pick<KbDataset, 'language'>): string {
  return article.language ?? article.lang ?? dataset.language ?? 'en';
}
