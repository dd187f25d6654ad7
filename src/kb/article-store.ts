import type { Prisma } from '@prisma/client';
import { SolodeskError } from '../errors.ts';
import type { ArticleInput, ArticleView } from './knowledge-base.ts';
import { numberedSlug, SLUG_PATTERN } from './slug.ts';

// How articles are written to the database, apart from the service that keeps the index in step
// with them: validation, slugs, and the revision and audit rows every change leaves.

type Tx = Prisma.TransactionClient;
export type ArticleRow = Prisma.ArticleGetPayload<object>;

export class ArticleNotFoundError extends SolodeskError {
  constructor(slug: string) {
    super('article_not_found', `no article with slug "${slug}"`);
  }
}

export class InvalidArticleError extends SolodeskError {
  constructor(message: string) {
    super('article_invalid', message);
  }
}

export type ArticleContent = Required<Omit<ArticleInput, 'slug'>>;

export function validate(input: ArticleInput | (Partial<ArticleInput> & ArticleView)): ArticleContent {
  const title = (input.title ?? '').trim();
  if (!title) throw new InvalidArticleError('an article needs a title');
  if (title.length > 300) throw new InvalidArticleError('a title has at most 300 characters');
  if ((input.body ?? '').length > 100_000) throw new InvalidArticleError('a body has at most 100,000 characters');
  if (input.slug !== undefined && !SLUG_PATTERN.test(input.slug)) {
    throw new InvalidArticleError(`"${input.slug}" is not a valid slug (lowercase letters, digits and dashes)`);
  }
  const status = input.status ?? 'published';
  if (!['draft', 'published', 'archived'].includes(status)) throw new InvalidArticleError(`unknown status "${status}"`);
  return {
    title,
    body: input.body ?? '',
    questions: dedupe((input.questions ?? []).map((q) => q.trim()).filter(Boolean)),
    tags: dedupe((input.tags ?? []).map((t) => t.trim()).filter(Boolean)),
    language: input.language?.trim() || 'en',
    status,
  };
}

function dedupe(values: string[]): string[] {
  return [...new Set(values)];
}

export function definedOnly<T extends object>(patch: T): Partial<T> {
  return Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined)) as Partial<T>;
}

export function sameContent(row: ArticleRow, next: ArticleContent): boolean {
  const current = contentOf(row);
  return (Object.keys(next) as Array<keyof ArticleContent>).every(
    (key) => JSON.stringify(current[key]) === JSON.stringify(next[key]),
  );
}

/** Batches of bulk inserts: PostgreSQL takes at most 32,767 bind parameters per statement. */
const ROWS_PER_INSERT = 1_000;

export function chunksOf<T>(items: T[]): T[][] {
  const chunks: T[][] = [];
  for (let i = 0; i < items.length; i += ROWS_PER_INSERT) chunks.push(items.slice(i, i + ROWS_PER_INSERT));
  return chunks;
}

/**
 * Above this many distinct slugs in a batch, reading every slug once is cheaper than a
 * prefix condition per slug (an import of the whole KB).
 */
const PREFIX_LOOKUP_LIMIT = 100;

/**
 * A free slug for each wanted one, with a single query: an exact (explicit) slug that is taken
 * is an error; a generated one that is taken gets the lowest free `-2`, `-3` … suffix, counting
 * the batch's own earlier picks as taken.
 */
export async function assignSlugs(tx: Tx, wanted: Array<{ slug: string; exact: boolean }>): Promise<string[]> {
  const taken = await takenSlugs(tx, [...new Set(wanted.map((w) => w.slug))]);
  // Explicit slugs are reserved before any is generated: a generated slug never takes the name
  // a later file of the same import asked for.
  for (const { slug, exact } of wanted) {
    if (!exact) continue;
    if (taken.has(slug)) throw new InvalidArticleError(`an article with slug "${slug}" already exists`);
    taken.add(slug);
  }
  const nextSuffix = new Map<string, number>();
  return wanted.map(({ slug: base, exact }) => {
    if (exact) return base;
    let slug = base;
    let n = nextSuffix.get(base) ?? 2;
    while (taken.has(slug)) slug = numberedSlug(base, n++);
    nextSuffix.set(base, n);
    taken.add(slug);
    return slug;
  });
}

/** Taken slugs that equal or extend one of `bases` (all of a numbered slug's candidates). */
async function takenSlugs(tx: Tx, bases: string[]): Promise<Set<string>> {
  const rows = await tx.article.findMany({
    ...(bases.length <= PREFIX_LOOKUP_LIMIT ? { where: { OR: bases.map((base) => ({ slug: { startsWith: base } })) } } : {}),
    select: { slug: true },
  });
  return new Set(rows.map((row) => row.slug));
}

export async function recordRevisions(tx: Tx, rows: ArticleRow[], actor: string, change: string): Promise<void> {
  const action = `article.${change.split(':')[0]!.replace(/\s+/g, '_')}`;
  for (const chunk of chunksOf(rows)) {
    await tx.articleRevision.createMany({
      data: chunk.map((row) => ({ articleId: row.id, version: row.version, ...contentOf(row), author: actor, change })),
    });
    await tx.auditLog.createMany({
      data: chunk.map((row) => ({
        actor,
        action,
        entity: 'article',
        entityId: row.id,
        details: { slug: row.slug, version: row.version, change },
      })),
    });
  }
}

/** What a revision snapshots and an edit compares: the article without its identity and bookkeeping. */
export function contentOf(row: ArticleRow): ArticleContent {
  return {
    title: row.title,
    body: row.body,
    questions: row.questions,
    tags: row.tags,
    language: row.language,
    status: row.status,
  };
}

export function toView(row: ArticleRow): ArticleView {
  return {
    id: row.id,
    slug: row.slug,
    ...contentOf(row),
    version: row.version,
    author: row.author,
    updatedAt: row.updatedAt,
  };
}
