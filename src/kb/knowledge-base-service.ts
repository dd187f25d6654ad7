import { randomUUID } from 'node:crypto';
import type { PrismaClient } from '@prisma/client';
import { systemClock, type Clock } from '../observability/clock.ts';
import type { Logger } from '../observability/logger.ts';
import {
  ArticleNotFoundError,
  assignSlugs,
  chunksOf,
  definedOnly,
  recordRevisions,
  sameContent,
  toView,
  validate,
  type ArticleRow,
} from './article-store.ts';
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
import { fileFitCache } from './retrieval/fit-cache.ts';
import { kbHealth, type KbHealth } from './kb-health.ts';
import type { Embedder } from './retrieval/embedder.ts';
import { KbIndex } from './retrieval/index.ts';
import type { IndexedArticle } from './retrieval/ranking.ts';
import { installedWordVectors } from './retrieval/word-vectors.ts';
import { slugify } from './slug.ts';
import { EMBEDDING_RETRY_AFTER_MS, StoredEmbeddings } from './stored-embeddings.ts';

// Articles live in the database (every change a revision and an audit row); the index lives in
// memory and follows the database: this process's changes at once, other processes' changes on
// the next decision after `syncIntervalMs`. With an embedding model, an article's vectors follow
// it: fetched (or made once and stored) before the next fit, and until then it is matched by
// words alone.

export { ArticleNotFoundError, InvalidArticleError } from './article-store.ts';

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
  /** An embedding model (OPENAI_EMBEDDING_MODEL): ranking then fuses words and vectors. */
  embedder?: Embedder | undefined;
  /** Told when the embedding model fails (then ranked by words): no texts, no secrets. */
  logger?: Pick<Logger, 'warn'> | undefined;
  /** When the embedding model is asked again after a failure. */
  clock?: Clock | undefined;
  /** A folder to keep fits in between runs (fit-cache.ts); none: every run fits anew. */
  fitCacheDir?: string | undefined;
}

export function createKnowledgeBase(prisma: PrismaClient, options: KnowledgeBaseOptions = {}): KnowledgeBaseService {
  return new KnowledgeBaseService(prisma, options);
}

export class KnowledgeBaseService implements KnowledgeBase {
  readonly thresholds: DecisionThresholds;
  private readonly syncIntervalMs: number;
  private indexAndRefitter: { index: KbIndex; refitter: BackgroundRefitter } | undefined;
  private readonly fitCacheDir: string | undefined;
  private readonly embeddings: StoredEmbeddings | undefined;
  /** published articles whose texts may lack a vector (embedPending) */
  private readonly toEmbed = new Set<string>();
  private embedding: Promise<void> | undefined;
  private readonly onRefitError: (error: unknown) => void;
  private readonly published = new Map<string, ArticleView>();
  private watermark = new Date(0);
  private lastSync = 0;
  private loading: Promise<void> | undefined;
  private prepareTimer: NodeJS.Timeout | undefined;
  private pendingTimer: NodeJS.Timeout | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private readonly refitPendingAfterMs: number | null;

  constructor(
    private readonly prisma: PrismaClient,
    options: KnowledgeBaseOptions = {},
  ) {
    this.thresholds = options.thresholds ?? DEFAULT_THRESHOLDS;
    this.syncIntervalMs = options.syncIntervalMs ?? 2_000;
    this.onRefitError = options.onRefitError ?? (() => {});
    this.refitPendingAfterMs = options.refitPendingAfterMs === undefined ? 30_000 : options.refitPendingAfterMs;
    this.embeddings = options.embedder ? new StoredEmbeddings(prisma, options.embedder, { logger: options.logger, clock: options.clock ?? systemClock }) : undefined;
    this.fitCacheDir = options.fitCacheDir;
  }

  // Made on first use: a command that only lists or edits articles never loads the word vectors.
  private get index(): KbIndex {
    return this.indexed().index;
  }

  private get refitter(): BackgroundRefitter {
    return this.indexed().refitter;
  }

  private indexed(): { index: KbIndex; refitter: BackgroundRefitter } {
    if (!this.indexAndRefitter) {
      const index = new KbIndex({}, {}, installedWordVectors(), this.embeddings?.table ?? null);
      const cache = this.fitCacheDir === undefined ? undefined : fileFitCache(this.fitCacheDir);
      index.seedTextAnalysis(cache?.textAnalysis(index.options) ?? null);
      for (const view of this.published.values()) index.upsert(indexedOf(view));
      index.seedTextAnalysis(null);
      this.indexAndRefitter = { index, refitter: new BackgroundRefitter(index, cache) };
    }
    return this.indexAndRefitter;
  }

  /** The embedding model in use (null: ranking by words alone). */
  get embeddingModel(): string | null {
    return this.embeddings?.model ?? null;
  }

  /** Tokens the embedding model counted for this KB since it started. */
  get embeddingTokens(): number {
    return this.embeddings?.tokensUsed ?? 0;
  }

  async decide(text: string): Promise<KbAnswer> {
    await this.sync();
    // the first decision waits for the first fit; later ones use the last fit while a refit runs
    if (!this.index.hasFit()) await this.prepare();
    const queryVector = this.embeddings ? await this.embeddings.embedQuestion(text) : undefined;
    const decision = decide(this.index, text, this.thresholds, queryVector);
    const ranked = decision.candidates.flatMap((c) => {
      const article = this.published.get(c.articleId);
      return article ? [{ article, score: c.score, confidence: c.confidence }] : [];
    });
    return { decision, ranked };
  }

  /**
   * Reads every article and builds the index now. A server does this before it is ready: building
   * it analyses every text (seconds on a large or Chinese KB without kept analysis), and done on a
   * first question instead it would hold up every request behind it (a webhook's store deadline
   * is one second).
   */
  /** Whether the index has been built (buildIndex, or the first thing that ranked). */
  get indexBuilt(): boolean {
    return this.indexAndRefitter !== undefined;
  }

  async buildIndex(): Promise<void> {
    await this.sync(true);
    this.indexed();
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
  /** The service stops: a refit in flight is given up (the fit in use stays), and its worker ended. */
  stopRefits(): void {
    if (this.prepareTimer) clearTimeout(this.prepareTimer);
    this.prepareTimer = undefined;
    this.indexAndRefitter?.refitter.stop();
  }

  async prepare(): Promise<void> {
    if (this.prepareTimer) clearTimeout(this.prepareTimer);
    this.prepareTimer = undefined;
    await this.embedPending();
    await this.refitSafely(() => this.refitter.refit());
  }

  /** Refits for any change since the fit in use, however small (see refitPendingAfterMs). */
  async refitPendingChanges(): Promise<void> {
    if (this.pendingTimer) clearTimeout(this.pendingTimer);
    this.pendingTimer = undefined;
    await this.embedPending();
    await this.refitSafely(() => this.refitter.refitAnyChange());
  }

  /**
   * Gives the articles indexed since the last pass their vectors (stored, or made once); those
   * that gained one are indexed again. One pass at a time; what a failure left waits for the next.
   */
  private embedPending(): Promise<void> {
    if (!this.embeddings || this.toEmbed.size === 0) return this.embedding ?? Promise.resolve();
    this.embedding ??= this.embedWhilePending(this.embeddings).finally(() => (this.embedding = undefined));
    return this.embedding;
  }

  private async embedWhilePending(embeddings: StoredEmbeddings): Promise<void> {
    while (this.toEmbed.size > 0) {
      const ids = [...this.toEmbed];
      this.toEmbed.clear();
      const articles = ids.flatMap((id) => {
        const view = this.published.get(id);
        return view ? [indexedOf(view)] : [];
      });
      const { gained, complete } = await embeddings.ensure(articles);
      // the article as it is now: an edit made while the model worked is pending again anyway
      for (const id of gained) {
        const view = this.published.get(id);
        if (view) this.index.upsert(indexedOf(view));
      }
      if (!complete) {
        for (const id of ids) if (this.published.has(id)) this.toEmbed.add(id);
        // without another change nothing would ask again: try once the model has rested
        this.retryTimer ??= setTimeout(() => {
          this.retryTimer = undefined;
          void this.prepare();
        }, EMBEDDING_RETRY_AFTER_MS);
        this.retryTimer.unref();
        return;
      }
    }
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
    // Until something ranks, the published articles are all the index will need (indexed()).
    const index = this.indexAndRefitter?.index;
    if (view.status === 'published') {
      this.published.set(view.id, view);
      index?.upsert(indexedOf(view));
      if (this.embeddings) this.toEmbed.add(view.id);
    } else if (this.published.delete(view.id)) {
      index?.remove(view.id);
      this.toEmbed.delete(view.id);
    }
    if (index) this.schedulePrepare();
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

function indexedOf(view: ArticleView): IndexedArticle {
  return { id: view.id, title: view.title, body: view.body, questions: view.questions, tags: view.tags, language: view.language };
}
