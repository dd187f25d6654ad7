import type { PrismaClient } from '@prisma/client';
import { SolodeskError } from '../errors.ts';
import type { Clock } from '../observability/clock.ts';
import type { Logger } from '../observability/logger.ts';
import type { Embedder } from './retrieval/embedder.ts';
import type { IndexedArticle } from './retrieval/ranking.ts';
import { embeddedTextsOf, embeddingInput, EmbeddingTable, textHash, unitVector } from './retrieval/text-embeddings.ts';

// The KB's vectors from the embedding model: loaded from the database (TextEmbedding, keyed by
// model and text hash) or, for a text no process has embedded yet, asked of the model once and
// stored. A customer's question is embedded at decision time and never stored (`customer
// forget` could not find it again). A failing model never fails the KB: the texts wait for the
// next pass and the question is ranked by words.

/**
 * OpenAI takes up to 2,048 inputs and 300,000 tokens a request. 256 texts and 100,000 characters
 * (at most 200,000 tokens at two a character) stay under both, and keep one request short
 * enough to finish within LLM_TIMEOUT_MS.
 */
const MAX_TEXTS_PER_REQUEST = 256;
const MAX_CHARS_PER_REQUEST = 100_000;

/** Hashes a query looks up at once, and rows an insert writes (bind parameters stay far below 32,767). */
const ROWS_PER_STATEMENT = 500;

/**
 * After a failure the model is left alone this long: a server that is down would otherwise make
 * every decision wait LLM_TIMEOUT_MS before ranking by words. A minute: a down server then slows
 * one decision a minute, and a recovered one is back in use within a minute.
 */
export const EMBEDDING_RETRY_AFTER_MS = 60_000;

export interface StoredEmbeddingsOptions {
  logger?: Pick<Logger, 'warn'> | undefined;
  clock: Clock;
}

export class StoredEmbeddings {
  readonly table: EmbeddingTable;
  private tokens = 0;
  private unavailableUntil = -Infinity;

  constructor(
    private readonly prisma: PrismaClient,
    private readonly embedder: Embedder,
    private readonly options: StoredEmbeddingsOptions,
  ) {
    this.table = new EmbeddingTable(embedder.model);
  }

  get model(): string {
    return this.embedder.model;
  }

  /** Tokens the model counted for this KB since it started (texts and questions). */
  get tokensUsed(): number {
    return this.tokens;
  }

  /**
   * Puts a vector in the table for every text of these articles: from the database when some
   * process embedded it before, else from the model (and then stored). Returns the ids of the
   * articles that gained a vector, and whether every text has one now. Never throws: what the
   * model or the database refused is logged and left for the next pass.
   */
  async ensure(articles: readonly IndexedArticle[]): Promise<{ gained: Set<string>; complete: boolean }> {
    const gained = new Set<string>();
    try {
      return { gained, complete: await this.fill(articles, gained) };
    } catch (error) {
      this.options.logger?.warn({ event: 'kb_embedding_store_failed', err: error }, 'reading or storing KB embeddings failed; tried again on the next pass');
      return { gained, complete: false };
    }
  }

  private async fill(articles: readonly IndexedArticle[], gained: Set<string>): Promise<boolean> {
    const articlesOf = new Map<string, string[]>();
    const textOf = new Map<string, string>();
    for (const article of articles) {
      for (const text of embeddedTextsOf(article)) {
        const hash = textHash(text);
        if (this.table.has(hash)) continue;
        textOf.set(hash, text);
        articlesOf.set(hash, [...(articlesOf.get(hash) ?? []), article.id]);
      }
    }
    const found = (hashes: Iterable<string>): void => {
      for (const hash of hashes) for (const id of articlesOf.get(hash) ?? []) gained.add(id);
    };
    if (textOf.size === 0) return true;
    found(await this.load([...textOf.keys()]));
    const missing = [...textOf].filter(([hash]) => !this.table.has(hash));
    if (missing.length === 0) return true;
    if (this.resting()) return false;
    for (const batch of batchesOf(missing)) {
      const vectors = await this.embedOrWarn(batch.map(([, text]) => text), 'articles');
      if (!vectors) return false;
      const embedded = batch.flatMap(([hash], i) => {
        const unit = unitVector(vectors[i] ?? []);
        return unit ? [{ hash, unit }] : [];
      });
      const rows = embedded.map(({ hash, unit }) => ({ model: this.model, textHash: hash, vector: Array.from(unit) }));
      for (let i = 0; i < rows.length; i += ROWS_PER_STATEMENT) {
        // another process may have stored the same text meanwhile: its vector is as good
        await this.prisma.textEmbedding.createMany({ data: rows.slice(i, i + ROWS_PER_STATEMENT), skipDuplicates: true });
      }
      for (const { hash, unit } of embedded) this.table.add(hash, unit);
      found(embedded.map((e) => e.hash));
    }
    return missing.every(([hash]) => this.table.has(hash));
  }

  /**
   * The question's vector: the KB's own when it repeats one of its texts, else the model's; null
   * when the model fails or is resting after a failure (the question is then ranked by words).
   */
  async embedQuestion(text: string): Promise<Float32Array | null> {
    const input = embeddingInput(text);
    if (!input) return null;
    const known = this.table.vectorOf(input);
    if (known) return known;
    if (this.resting()) return null;
    const vectors = await this.embedOrWarn([input], 'question');
    return vectors ? unitVector(vectors[0] ?? []) : null;
  }

  private resting(): boolean {
    return this.options.clock.now() < this.unavailableUntil;
  }

  private async embedOrWarn(texts: string[], purpose: 'articles' | 'question'): Promise<number[][] | null> {
    try {
      const { vectors, tokens } = await this.embedder.embed(texts);
      this.tokens += tokens;
      return vectors;
    } catch (error) {
      this.unavailableUntil = this.options.clock.now() + EMBEDDING_RETRY_AFTER_MS;
      // What failed, never the texts (a customer's words) nor the server's message, which may
      // quote them: the error's class, code and status say enough to act on.
      const detail =
        error instanceof SolodeskError
          ? { error: error.name, code: error.code, ...('status' in error && typeof error.status === 'number' ? { status: error.status } : {}) }
          : { error: error instanceof Error ? error.name : typeof error };
      this.options.logger?.warn(
        { event: 'kb_embedding_failed', purpose, texts: texts.length, model: this.model, retryInMs: EMBEDDING_RETRY_AFTER_MS, ...detail },
        purpose === 'question' ? 'embedding the question failed; ranked by words alone' : 'embedding KB texts failed; they are ranked by words until the next try',
      );
      return null;
    }
  }

  /** Vectors stored by any process for these hashes, into the table; returns the hashes found. */
  private async load(hashes: string[]): Promise<string[]> {
    const found: string[] = [];
    for (let i = 0; i < hashes.length; i += ROWS_PER_STATEMENT) {
      const rows = await this.prisma.textEmbedding.findMany({
        where: { model: this.model, textHash: { in: hashes.slice(i, i + ROWS_PER_STATEMENT) } },
        select: { textHash: true, vector: true },
      });
      for (const row of rows) if (this.table.add(row.textHash, row.vector)) found.push(row.textHash);
    }
    return found;
  }
}

/** Requests of at most MAX_TEXTS_PER_REQUEST texts and MAX_CHARS_PER_REQUEST characters. */
function batchesOf<T extends readonly [string, string]>(items: readonly T[]): T[][] {
  const batches: T[][] = [];
  let current: T[] = [];
  let chars = 0;
  for (const item of items) {
    if (current.length > 0 && (current.length >= MAX_TEXTS_PER_REQUEST || chars + item[1].length > MAX_CHARS_PER_REQUEST)) {
      batches.push(current);
      current = [];
      chars = 0;
    }
    current.push(item);
    chars += item[1].length;
  }
  if (current.length > 0) batches.push(current);
  return batches;
}
