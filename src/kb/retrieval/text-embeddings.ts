/**
 * Vectors of the embedding model (OPENAI_EMBEDDING_MODEL) for the KB's texts, held in memory by
 * the hash of the text sent: an article's title and body, and each of its example questions.
 * The hash is the key in the database too (TextEmbedding), so an unchanged text is never sent
 * again, whatever article or revision it belongs to, and a changed one is.
 */
import { createHash } from 'node:crypto';
import type { IndexedArticle } from './ranking.ts';

/**
 * Characters of a text that are embedded. OpenAI's embedding models take 8,191 tokens an input;
 * at up to two tokens a character (CJK text in cl100k), 4,000 characters stay under it. The
 * start of an article (title, first paragraphs) is what says what it is about.
 */
export const MAX_EMBEDDED_CHARS = 4_000;

/** A text exactly as it is sent to the model (and hashed). */
export function embeddingInput(text: string): string {
  return text.trim().slice(0, MAX_EMBEDDED_CHARS);
}

/** What is embedded of an article: its title and body as one text, then each example question. */
export function embeddedTextsOf(article: Pick<IndexedArticle, 'title' | 'body' | 'questions'>): string[] {
  const texts = [embeddingInput(`${article.title}\n\n${article.body}`)];
  for (const q of article.questions) {
    const input = embeddingInput(q);
    if (input) texts.push(input);
  }
  return texts.filter(Boolean);
}

/** sha256 of the text, hex: the key a vector is stored under (with the model's name). */
export function textHash(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/** The vector scaled to unit length (so a dot product is the cosine); null for a zero or broken one. */
export function unitVector(values: ArrayLike<number>): Float32Array | null {
  let n2 = 0;
  for (let i = 0; i < values.length; i++) n2 += (values[i] as number) * (values[i] as number);
  if (!(n2 > 0) || !Number.isFinite(n2)) return null;
  const n = Math.sqrt(n2);
  return Float32Array.from(values, (x) => x / n);
}

/** Best cosine between a unit query vector and unit vectors of one article (0 with none). */
export function bestCosine(query: Float32Array, vectors: readonly Float32Array[]): number {
  let best = -Infinity;
  for (const v of vectors) {
    // a vector of another length (the server changed the model's size) is no evidence
    if (v.length !== query.length) continue;
    let d = 0;
    for (let i = 0; i < v.length; i++) d += (query[i] as number) * (v[i] as number);
    if (d > best) best = d;
  }
  return best === -Infinity ? 0 : best;
}

/** One model's vectors by text hash. */
export class EmbeddingTable {
  private readonly byHash = new Map<string, Float32Array>();

  constructor(readonly model: string) {}

  get size(): number {
    return this.byHash.size;
  }

  has(hash: string): boolean {
    return this.byHash.has(hash);
  }

  /** The vector of a text (as embeddingInput made it), if it has one. */
  vectorOf(text: string): Float32Array | undefined {
    return this.byHash.get(textHash(text));
  }

  /** Keeps a vector, made unit length; false when it is unusable (zero, not finite). */
  add(hash: string, vector: ArrayLike<number>): boolean {
    const unit = unitVector(vector);
    if (unit) this.byHash.set(hash, unit);
    return unit !== null;
  }

  /** The vectors of these articles' texts, for a table in another thread (refit-worker.ts). */
  entriesFor(articles: Iterable<IndexedArticle>): Array<[string, Float32Array]> {
    const out: Array<[string, Float32Array]> = [];
    const seen = new Set<string>();
    for (const article of articles) {
      for (const text of embeddedTextsOf(article)) {
        const hash = textHash(text);
        const v = this.byHash.get(hash);
        if (v && !seen.has(hash)) {
          seen.add(hash);
          out.push([hash, v]);
        }
      }
    }
    return out;
  }

  /** A table from entries made by entriesFor (vectors already unit length). */
  static fromEntries(model: string, entries: ReadonlyArray<readonly [string, Float32Array]>): EmbeddingTable {
    const table = new EmbeddingTable(model);
    for (const [hash, v] of entries) table.byHash.set(hash, v);
    return table;
  }
}
