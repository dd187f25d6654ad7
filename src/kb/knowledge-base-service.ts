import { randomUUID } from 'node:crypto';
import type { Prisma, PrismaClient } from '@prisma/client';
import { SolodeskError } from '../errors.ts';
import { decide, DEFAULT_THRESHOLDS, type DecisionThresholds } from './decision.ts';
import type {
  ArticleInput,
  ArticleStatus,
  ArticleView,
  KbAnswer,
  KnowledgeBase,
  RevisionView,
} from './knowledge-base.ts';
import { BackgroundRefitter } from './retrieval/background-refit.ts';
import { kbHealth, type KbHealth } from './kb-health.ts';
import { KbIndex } from './retrieval/index.ts';
import { numberedSlug, slugify, SLUG_PATTERN } from './slug.ts';

// Articles live in the database (every change a revision and an audit row); the index lives in
// memory and follows the database: this process's changes at once, other processes' changes on
// the next decision after `syncIntervalMs`.

type Tx = Prisma.TransactionClient;
type ArticleRow = Prisma.ArticleGetPayload<object>;

export interface KnowledgeBaseOptions {
  thresholds?: DecisionThresholds;
  /** How stale the index may get with respect to other processes' edits. */
  syncIntervalMs?: number;
  /** Told when a background refit failed (the KB then refits on the calling thread). */
  onRefitError?: (error: unknown) => void;
  /**
   * Refit for any change at most this long after it (null: only once enough has changed, as
   * the benchmark does to stay reproducible). Default 30 s: a founder's single lesson reaches
   * the re-ranker and the calibration within half a minute, not after 19 more lessons.
   */
  refitPendingAfterMs?: number | null;
}

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

export function createKnowledgeBase(prisma: PrismaClient, options: KnowledgeBaseOptions = {}): KnowledgeBaseService {
  return new KnowledgeBaseService(prisma, options);
}

export class KnowledgeBaseService implements KnowledgeBase {
  readonly thresholds: DecisionThresholds;
  private readonly syncIntervalMs: number;
  private readonly index = new KbIndex();
  private readonly refitter = new BackgroundRefitter(this.index);
  private readonly onRefitError: (error: unknown) => void;
  private readonly published = new Map<string, ArticleView>();
  private watermark = new Date(0);
  private lastSync = 0;
  private loading: Promise<void> | undefined;
  private prepareTimer: NodeJS.Timeout | undefined;
  private pendingTimer: NodeJS.Timeout | undefined;
  private readonly refitPendingAfterMs: number | null;

  constructor(
    private readonly prisma: PrismaClient,
    options: KnowledgeBaseOptions = {},
  ) {
    this.thresholds = options.thresholds ?? DEFAULT_THRESHOLDS;
    this.syncIntervalMs = options.syncIntervalMs ?? 2_000;
    this.onRefitError = options.onRefitError ?? (() => {});
    this.refitPendingAfterMs = options.refitPendingAfterMs === undefined ? 30_000 : options.refitPendingAfterMs;
  }

  async decide(text: string): Promise<KbAnswer> {
    await this.sync();
    // the first decision waits for the first fit; later ones use the last fit while a refit runs
    if (!this.index.hasFit()) await this.prepare();
    const decision = decide(this.index, text, this.thresholds);
    const ranked = decision.candidates.flatMap((c) => {
      const article = this.published.get(c.articleId);
      return article ? [{ article, score: c.score, confidence: c.confidence }] : [];
    });
    return { decision, ranked };
  }

  /** Brings the index up to date with the database (other processes' edits). */
  async sync(force = false): Promise<void> {
    if (!force && Date.now() - this.lastSync < this.syncIntervalMs) return;
    this.loading ??= this.pullChanges().finally(() => (this.loading = undefined));
    await this.loading;
  }

  /** How sure the bot is across the KB and which articles need example questions (kb-health.ts). */
  async health(): Promise<KbHealth> {
    await this.sync(true);
    await this.prepare();
    return kbHealth(this.index);
  }

  async getBySlug(slug: string): Promise<ArticleView | null> {
    const row = await this.prisma.article.findUnique({ where: { slug } });
    return row ? toView(row) : null;
  }

  async getById(id: string): Promise<ArticleView | null> {
    if (!/^[0-9a-f-]{36}$/i.test(id)) return null;
    const row = await this.prisma.article.findUnique({ where: { id } });
    return row ? toView(row) : null;
  }

  async list(filter: { tag?: string; status?: ArticleStatus } = {}): Promise<ArticleView[]> {
    const rows = await this.prisma.article.findMany({
      where: {
        ...(filter.status ? { status: filter.status } : { status: { not: 'archived' } }),
        ...(filter.tag ? { tags: { has: filter.tag } } : {}),
      },
      orderBy: { slug: 'asc' },
    });
    return rows.map(toView);
  }

  async create(input: ArticleInput, actor: string): Promise<ArticleView> {
    const [created] = await this.createMany([input], actor);
    return created!;
  }

  /**
   * Creates several articles in one transaction: all of them or none. A fixed number of
   * statements whatever the batch size (`kb import` of a few thousand articles): one to see
   * which slugs are taken, then the rows, revisions and audit entries in bulk.
   */
  async createMany(inputs: ArticleInput[], actor: string): Promise<ArticleView[]> {
    const cleaned = inputs.map((input) => ({ wanted: input.slug, clean: validate(input) }));
    if (cleaned.length === 0) return [];
    const rows = await this.prisma.$transaction(
      async (tx) => {
        const slugs = await assignSlugs(
          tx,
          cleaned.map(({ wanted, clean }) => (wanted === undefined ? { slug: slugify(clean.title), exact: false } : { slug: wanted, exact: true })),
        );
        // ids chosen here, so the returned rows can be put back in input order whatever order
        // the database returns them in
        const data = cleaned.map(({ clean }, i) => ({ id: randomUUID(), ...clean, slug: slugs[i]!, author: actor }));
        const created: ArticleRow[] = [];
        for (const chunk of chunksOf(data)) created.push(...(await tx.article.createManyAndReturn({ data: chunk })));
        await recordRevisions(tx, created, actor, 'created');
        const byId = new Map(created.map((row) => [row.id, row]));
        return data.map(({ id }) => byId.get(id)!);
      },
      { timeout: 60_000, maxWait: 15_000 },
    );
    return rows.map((row) => this.applyLocally(row));
  }

  async update(slug: string, patch: Partial<ArticleInput>, actor: string, change = 'edited'): Promise<ArticleView> {
    const row = await this.prisma.$transaction(async (tx) => {
      const current = await tx.article.findUnique({ where: { slug } });
      if (!current) throw new ArticleNotFoundError(slug);
      const next = validate({ ...toView(current), ...definedOnly(patch) });
      if (sameContent(current, next)) return current;
      const updated = await tx.article.update({
        where: { id: current.id },
        data: { ...next, version: { increment: 1 } },
      });
      await recordRevisions(tx, [updated], actor, change);
      return updated;
    });
    return this.applyLocally(row);
  }

  archive(slug: string, actor: string): Promise<ArticleView> {
    return this.update(slug, { status: 'archived' }, actor, 'archived');
  }

  async history(slug: string): Promise<RevisionView[]> {
    const article = await this.prisma.article.findUnique({
      where: { slug },
      include: { revisions: { orderBy: { version: 'desc' } } },
    });
    if (!article) throw new ArticleNotFoundError(slug);
    return article.revisions.map((r) => ({
      version: r.version,
      title: r.title,
      body: r.body,
      questions: r.questions,
      tags: r.tags,
      status: r.status,
      author: r.author,
      change: r.change,
      createdAt: r.createdAt,
    }));
  }

  async addExampleQuestion(articleId: string, question: string, actor: string): Promise<ArticleView> {
    const article = await this.getById(articleId);
    if (!article) throw new ArticleNotFoundError(articleId);
    const phrasing = question.trim().slice(0, 500);
    const known = article.questions.some((q) => q.trim().toLowerCase() === phrasing.toLowerCase());
    if (!phrasing || known) return article;
    return this.update(article.slug, { questions: [...article.questions, phrasing] }, actor, `learned question: ${phrasing}`);
  }

  /**
   * Refits the re-ranker and calibration if the KB changed enough, in a worker thread; resolves
   * when the new fit is in use. Should the worker fail, refits here (slow, but never stale).
   */
  async prepare(): Promise<void> {
    if (this.prepareTimer) clearTimeout(this.prepareTimer);
    this.prepareTimer = undefined;
    await this.refitSafely(() => this.refitter.refit());
  }

  /** Refits for any change since the fit in use, however small (see refitPendingAfterMs). */
  async refitPendingChanges(): Promise<void> {
    if (this.pendingTimer) clearTimeout(this.pendingTimer);
    this.pendingTimer = undefined;
    await this.refitSafely(() => this.refitter.refitAnyChange());
  }

  /** True when the fit in use has seen every change to the KB. */
  fitIsCurrent(): boolean {
    return !this.index.hasUnfittedChanges();
  }

  private async refitSafely(refit: () => Promise<void>): Promise<void> {
    try {
      await refit();
    } catch (error) {
      this.onRefitError(error);
      this.index.refitNow();
    }
  }

  private schedulePrepare(): void {
    if (!this.prepareTimer) {
      this.prepareTimer = setTimeout(() => void this.prepare(), 50);
      this.prepareTimer.unref();
    }
    if (!this.pendingTimer && this.refitPendingAfterMs !== null) {
      this.pendingTimer = setTimeout(() => void this.refitPendingChanges(), this.refitPendingAfterMs);
      this.pendingTimer.unref();
    }
  }

  private applyLocally(row: ArticleRow): ArticleView {
    const view = toView(row);
    this.indexArticle(view);
    return view;
  }

  private indexArticle(view: ArticleView): void {
    if (view.status === 'published') {
      this.published.set(view.id, view);
      this.index.upsert({
        id: view.id,
        title: view.title,
        body: view.body,
        questions: view.questions,
        tags: view.tags,
        language: view.language,
      });
    } else if (this.published.delete(view.id)) {
      this.index.remove(view.id);
    }
    this.schedulePrepare();
  }

  private async pullChanges(): Promise<void> {
    const started = new Date();
    // `>=` and a small overlap: an edit committed in the same millisecond as the last pull is
    // re-read rather than missed; re-indexing an article is idempotent.
    const since = new Date(this.watermark.getTime() - 1_000);
    const rows = await this.prisma.article.findMany({ where: { updatedAt: { gte: since } }, orderBy: { updatedAt: 'asc' } });
    for (const row of rows) {
      const known = this.published.get(row.id);
      if (known && known.version === row.version && row.status === 'published') continue;
      this.indexArticle(toView(row));
    }
    const newest = rows.at(-1)?.updatedAt;
    if (newest && newest > this.watermark) this.watermark = newest;
    this.lastSync = started.getTime();
  }
}

type ArticleContent = Required<Omit<ArticleInput, 'slug'>>;

function validate(input: ArticleInput | (Partial<ArticleInput> & ArticleView)): ArticleContent {
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

function definedOnly<T extends object>(patch: T): Partial<T> {
  return Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined)) as Partial<T>;
}

function sameContent(row: ArticleRow, next: ArticleContent): boolean {
  const current = contentOf(row);
  return (Object.keys(next) as Array<keyof ArticleContent>).every(
    (key) => JSON.stringify(current[key]) === JSON.stringify(next[key]),
  );
}

/** Batches of bulk inserts: PostgreSQL takes at most 32,767 bind parameters per statement. */
const ROWS_PER_INSERT = 1_000;

function chunksOf<T>(items: T[]): T[][] {
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
async function assignSlugs(tx: Tx, wanted: Array<{ slug: string; exact: boolean }>): Promise<string[]> {
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

async function recordRevisions(tx: Tx, rows: ArticleRow[], actor: string, change: string): Promise<void> {
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
function contentOf(row: ArticleRow): ArticleContent {
  return {
    title: row.title,
    body: row.body,
    questions: row.questions,
    tags: row.tags,
    language: row.language,
    status: row.status,
  };
}

function toView(row: ArticleRow): ArticleView {
  return {
    id: row.id,
    slug: row.slug,
    ...contentOf(row),
    version: row.version,
    author: row.author,
    updatedAt: row.updatedAt,
  };
}
