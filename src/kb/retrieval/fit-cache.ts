/**
 * Fits kept between runs. A KB's fit (re-ranker and calibration) costs seconds and depends only
 * on the articles, the options, the word vectors and the fitting code; a restart, or a `kb search`
 * on an unchanged KB, installs the fit the last run made instead of making it again (issue 19:
 * `kb search` spent 2–3 of its 5 s on the sample KB's fit).
 *
 * The key is a SHA-256 of all of that: the request itself (the articles with their ids, texts,
 * tags and languages; the options; the embedding vectors), the sources of this folder and of chinese/
 * (the fitting and segmenting code), the installed word vectors' identity and the lockfile (the
 * segmenter's dictionaries come from packages). Anything else changed makes a new key, so a stale
 * fit is never installed; a key's file is written once, atomically (another process may be
 * writing the same key).
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { deserialize, serialize } from 'node:v8';
import type { PortableFit } from './kb-index.ts';
import type { RefitRequest } from './refit-worker.ts';
import { INSTALLED_WORD_VECTORS_DIR } from './word-vectors.ts';

export interface FitCache {
  /** The fit kept for this request, if any, and how to keep the one made for it. */
  lookup(request: Omit<RefitRequest, 'id'>): { fit: PortableFit | undefined; keep(fit: PortableFit): void };
}

/** Fits of one data folder; a few KBs' worth (a desk has one KB; tests and benchmarks more). */
const KEEP_FITS = 8;

const RETRIEVAL_DIR = fileURLToPath(new URL('.', import.meta.url));
const LOCKFILE = fileURLToPath(new URL('../../../package-lock.json', import.meta.url));

let codeIdentity: string | undefined;

/** What besides the request decides a fit: the fitting code, the word vectors, the packages. */
function fittingCodeIdentity(): string {
  if (codeIdentity !== undefined) return codeIdentity;
  const hash = createHash('sha256');
  for (const name of sourcesIn(RETRIEVAL_DIR)) hash.update(name).update(readFileSync(join(RETRIEVAL_DIR, name)));
  for (const file of [LOCKFILE, join(INSTALLED_WORD_VECTORS_DIR, 'meta.json')]) {
    try {
      hash.update(readFileSync(file));
    } catch {
      hash.update(`no ${file}`);
    }
  }
  return (codeIdentity = hash.digest('hex'));
}

/** The TypeScript files under `dir` (chinese/ too), relative, in a fixed order. */
function sourcesIn(dir: string): string[] {
  return (readdirSync(dir, { recursive: true }) as string[]).filter((f) => f.endsWith('.ts')).sort();
}

function keyOf(request: Omit<RefitRequest, 'id'>): string {
  const hash = createHash('sha256').update(fittingCodeIdentity());
  hash.update(JSON.stringify({ articles: request.articles, options: request.options, calibrationOptions: request.calibrationOptions, wordVectors: request.wordVectors, model: request.embeddings?.model ?? null }));
  for (const [text, vector] of request.embeddings?.entries ?? []) hash.update(text).update(new Uint8Array(vector.buffer, vector.byteOffset, vector.byteLength));
  return hash.digest('hex');
}

/**
 * Fits as files in `dir` (the data folder's kb-fits/). A file that cannot be read or written is
 * as good as no cache: the KB fits as it would have anyway.
 */
export function fileFitCache(dir: string): FitCache {
  return {
    lookup(request) {
      const path = join(dir, `${keyOf(request)}.fit`);
      let fit: PortableFit | undefined;
      try {
        fit = deserialize(readFileSync(path)) as PortableFit;
      } catch {
        fit = undefined;
      }
      return {
        fit,
        keep(made) {
          try {
            mkdirSync(dir, { recursive: true });
            const staged = `${path}.${process.pid}`;
            writeFileSync(staged, serialize(made));
            renameSync(staged, path);
            forgetOldFits(dir);
          } catch {
            // a full disk or a read-only folder costs the next run a fit, nothing else
          }
        },
      };
    },
  };
}

function forgetOldFits(dir: string): void {
  const fits = readdirSync(dir)
    .filter((f) => f.endsWith('.fit'))
    .map((f) => ({ f, at: statSync(join(dir, f)).mtimeMs }))
    .sort((a, b) => b.at - a.at);
  for (const { f } of fits.slice(KEEP_FITS)) rmSync(join(dir, f), { force: true });
}
