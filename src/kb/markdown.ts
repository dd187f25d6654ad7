import { accessSync, constants, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import matter from 'gray-matter';
import { SolodeskError } from '../errors.ts';
import { checkArticleFile, KbFileError, type ArticleFile } from './article-file.ts';
import { fsReason } from './fs-problem.ts';
import { readKbFolder } from './kb-folder.ts';
import type { ArticleView, KnowledgeBase } from './knowledge-base.ts';

// The KB as a folder of Markdown files with front matter, so a founder can keep it in git.
// import → export → import gives the same articles (the file name is the slug).

export { KbFileError, type ArticleFile } from './article-file.ts';
export { readKbFolder } from './kb-folder.ts';

export function parseArticleFile(fileName: string, text: string): ArticleFile {
  const checked = checkArticleFile(fileName, text);
  if (checked.problems) throw new KbFileError(checked.problems);
  return checked.article;
}

export function formatArticleFile(article: ArticleView): string {
  return matter.stringify(`${article.body}\n`, {
    title: article.title,
    questions: article.questions,
    tags: article.tags,
    lang: article.language,
    status: article.status,
  });
}

export interface ImportResult {
  created: string[];
  updated: string[];
  unchanged: string[];
}

/** Checks every file first and imports nothing if one is invalid (KbFileError lists them all). */
export async function importKbDirectory(kb: KnowledgeBase, dir: string, actor: string): Promise<ImportResult> {
  return importArticles(kb, readKbFolder(dir), actor);
}

/** Imports articles already read and checked (readKbFolder), so a command can check before it opens the database. */
export async function importArticles(kb: KnowledgeBase, articles: ArticleFile[], actor: string): Promise<ImportResult> {
  const result: ImportResult = { created: [], updated: [], unchanged: [] };
  const fresh: ArticleFile[] = [];
  for (const article of articles) {
    const existing = await kb.getBySlug(article.slug);
    if (!existing) {
      fresh.push(article);
      continue;
    }
    const { slug, ...patch } = article;
    const updated = await kb.update(slug, patch, actor, 'imported');
    (updated.version === existing.version ? result.unchanged : result.updated).push(slug);
  }
  // New articles go in together: one transaction, so an import is fast and never half done.
  await kb.createMany(fresh, actor);
  result.created.push(...fresh.map((a) => a.slug));
  return result;
}

/** Makes the export folder, or says why it cannot be written to. */
export function prepareExportFolder(dir: string): void {
  try {
    mkdirSync(dir, { recursive: true });
    accessSync(dir, constants.W_OK);
  } catch (error) {
    throw exportFailure(dir, error);
  }
}

export async function exportKbDirectory(kb: KnowledgeBase, dir: string): Promise<string[]> {
  prepareExportFolder(dir);
  const articles = [...(await kb.list()), ...(await kb.list({ status: 'archived' }))];
  for (const article of articles) {
    const file = join(dir, `${article.slug}.md`);
    try {
      writeFileSync(file, formatArticleFile(article));
    } catch (error) {
      throw exportFailure(file, error);
    }
  }
  return articles.map((a) => a.slug);
}

function exportFailure(path: string, error: unknown): SolodeskError {
  return new SolodeskError('kb_export_failed', `cannot write to ${path} (${fsReason(error)}); give a folder you can write to`, { cause: error });
}
