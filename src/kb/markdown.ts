import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import matter from 'gray-matter';
import { z } from 'zod';
import { SolodeskError } from '../errors.ts';
import type { ArticleInput, ArticleView, KnowledgeBase } from './knowledge-base.ts';
import { SLUG_PATTERN } from './slug.ts';

// The KB as a folder of Markdown files with front matter, so a founder can keep it in git.
// import → export → import gives the same articles (the file name is the slug).

const FrontMatter = z.object({
  title: z.string().min(1),
  questions: z.array(z.coerce.string()).default([]),
  tags: z.array(z.coerce.string()).default([]),
  lang: z.string().default('en'),
  status: z.enum(['draft', 'published', 'archived']).default('published'),
});

export class KbFileError extends SolodeskError {
  constructor(file: string, problem: string) {
    super('kb_file_invalid', `${file}: ${problem}`);
  }
}

export function parseArticleFile(fileName: string, text: string): ArticleInput & { slug: string } {
  const slug = basename(fileName, '.md');
  if (!SLUG_PATTERN.test(slug)) throw new KbFileError(fileName, 'the file name must be a slug (lowercase letters, digits, dashes)');
  let parsed: matter.GrayMatterFile<string>;
  try {
    // gray-matter caches by content; a fresh object keeps one file's data out of another's.
    parsed = matter(text, {});
  } catch (error) {
    throw new KbFileError(fileName, `front matter is not valid YAML (${(error as Error).message.split('\n')[0]})`);
  }
  const front = FrontMatter.safeParse(parsed.data);
  if (!front.success) {
    const issue = front.error.issues[0]!;
    throw new KbFileError(fileName, `front matter field "${issue.path.join('.') || 'title'}": ${issue.message}`);
  }
  return {
    slug,
    title: front.data.title,
    body: parsed.content.replace(/^\n+/, '').replace(/\s+$/, ''),
    questions: front.data.questions,
    tags: front.data.tags,
    language: front.data.lang,
    status: front.data.status,
  };
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

/** Reads every file first and imports nothing if one is invalid. */
export async function importKbDirectory(kb: KnowledgeBase, dir: string, actor: string): Promise<ImportResult> {
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.md'))
    .sort();
  const articles = files.map((file) => parseArticleFile(file, readFileSync(join(dir, file), 'utf8')));
  const result: ImportResult = { created: [], updated: [], unchanged: [] };
  const fresh: typeof articles = [];
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

export async function exportKbDirectory(kb: KnowledgeBase, dir: string): Promise<string[]> {
  mkdirSync(dir, { recursive: true });
  const articles = [...(await kb.list()), ...(await kb.list({ status: 'archived' }))];
  for (const article of articles) writeFileSync(join(dir, `${article.slug}.md`), formatArticleFile(article));
  return articles.map((a) => a.slug);
}
