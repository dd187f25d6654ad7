import { basename } from 'node:path';
import matter from 'gray-matter';
import { z } from 'zod';
import { SolodeskError } from '../errors.ts';
import type { ArticleInput } from './knowledge-base.ts';
import { SLUG_PATTERN, slugify } from './slug.ts';

// One KB article as a Markdown file with front matter. A file is checked whole: every problem
// it has is reported at once, each with what to do about it.

/** A list in front matter: numbers and yes/no read as text; an empty entry (`tags:`) as none. */
const textList = z.preprocess(
  (value) => value ?? undefined,
  z.array(z.union([z.string(), z.number(), z.boolean()]).transform(String)).default([]),
);

const FrontMatter = z.object({
  title: z.string().min(1),
  questions: textList,
  tags: textList,
  lang: z.string().default('en'),
  status: z.enum(['draft', 'published', 'archived']).default('published'),
});

type FrontMatterField = keyof z.infer<typeof FrontMatter>;

const TITLE_HINT = "`title: <the article's title>`";

/** What is wrong with a field, and how to write it instead. */
const FIELD_PROBLEMS: Record<FrontMatterField, string> = {
  title: 'front matter `title` must be text (the article\'s title)',
  questions: 'front matter `questions` must be a list of strings (one example question per line, each starting with "- ")',
  tags: 'front matter `tags` must be a list of strings (e.g. `tags: [billing, account]`)',
  lang: 'front matter `lang` must be a language code such as en or zh',
  status: 'front matter `status` must be draft, published or archived',
};

export type ArticleFile = ArticleInput & { slug: string };

export type ArticleFileCheck = { article: ArticleFile; problems?: undefined } | { article?: undefined; problems: string[] };

/** Every problem of one file (each prefixed with its name), or the article it holds. */
export function checkArticleFile(fileName: string, text: string): ArticleFileCheck {
  const problems: string[] = [];
  const slug = basename(fileName, '.md');
  if (!SLUG_PATTERN.test(slug)) {
    problems.push(`the file name must be a slug (lowercase letters, digits, dashes): rename it to ${slugify(slug)}.md`);
  }
  let parsed: matter.GrayMatterFile<string> | undefined;
  try {
    // gray-matter caches by content; a fresh options object keeps one file's data out of another's.
    parsed = matter(text, {});
  } catch (error) {
    problems.push(`front matter is not valid YAML (${(error as Error).message.split('\n')[0]!.replace(/:$/, '')}): check the lines between the --- markers`);
  }
  const front = parsed && frontMatterOf(parsed, problems);
  if (!parsed || !front || problems.length > 0) return { problems: problems.map((p) => `${fileName}: ${p}`) };
  return {
    article: {
      slug,
      title: front.title,
      body: parsed.content.replace(/^\n+/, '').replace(/\s+$/, ''),
      questions: front.questions,
      tags: front.tags,
      language: front.lang,
      status: front.status,
    },
  };
}

function frontMatterOf(parsed: matter.GrayMatterFile<string>, problems: string[]): z.infer<typeof FrontMatter> | undefined {
  if (parsed.matter.trim() === '' && Object.keys(parsed.data).length === 0) {
    problems.push(`no front matter: start the file with a --- block holding at least ${TITLE_HINT}`);
    return undefined;
  }
  const front = FrontMatter.safeParse(parsed.data);
  if (front.success) return front.data;
  // One line per field, in the schema's order, however many list entries are wrong.
  const fields = new Set(front.error.issues.map((issue) => issue.path[0] as FrontMatterField));
  for (const field of Object.keys(FIELD_PROBLEMS) as FrontMatterField[]) {
    if (!fields.has(field)) continue;
    problems.push(field === 'title' && parsed.data.title === undefined ? `front matter has no \`title\`: add ${TITLE_HINT} between the --- markers` : FIELD_PROBLEMS[field]);
  }
  return undefined;
}

/** Some files of a KB folder (or the folder itself) cannot be imported; `problems` has one line each. */
export class KbFileError extends SolodeskError {
  readonly problems: string[];

  constructor(problems: string[], options?: { cause?: unknown }) {
    super('kb_file_invalid', problems.join('\n'), options);
    this.problems = problems;
  }
}
