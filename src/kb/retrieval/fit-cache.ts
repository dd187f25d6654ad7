/**
 * Fits kept between runs. A KB's fit (re-ranker and calibration) costs seconds and depends only
 * on the articles, the options, the word vectors and the fitting code; a restart, or a `kb search`
 * on an unchanged KB, installs the fit the last run made instead of making it again (issue 19:
 * `kb search` spent 2–3 of its 5 s on the sample KB's fit).
 *
 * The key is a SHA-256 of all of that: the request itself (the articles' texts, tags and
 * languages, not their ids: canonicalOf; the options; the embedding vectors), the sources of this folder and of chinese/
 * (the fitting and segmenting code), the installed word vectors' identity and the lockfile (the
 * segmenter's dictionaries come from packages). Anything else changed makes a new key, so a stale
 * fit is never installed; a key's file is written once, atomically (another process may be
 * writing the same key).
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { deserialize, serialize } from 'node:v8';
import type { PortableFit, TextAnalysis } from './kb-index.ts';
import type { RankingOptions } from './ranking.ts';
import type { RefitRequest } from './refit-worker.ts';
import { INSTALLED_WORD_VECTORS_DIR } from './word-vectors.ts';

export interface FitCache {
  /** The fit kept for this request, if any, and how to keep the one made for it. */
  lookup(request: Omit<RefitRequest, 'id'>): { fit: PortableFit | undefined; keep(fit: PortableFit): void };
  /** The text analysis kept by the last run with these options (kb-index.ts TextAnalysis). */
  textAnalysis(options: RankingOptions): TextAnalysis | undefined;
  keepTextAnalysis(options: RankingOptions, analysis: TextAnalysis): void;
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

/**
 * Articles in an order of their content alone, and the key of the request. Ids are left out of
 * the key: one KB imported into two databases (the sample KB of every new desk, a staging copy)
 * gets other ids but the same fit, stored with each article's place in this order instead of its
 * id (portable()) and given the ids of the run that installs it (installable()).
 */
function canonicalOf(request: Omit<RefitRequest, 'id'>): { key: string; ids: string[] } {
  const contents = request.articles.map((a) => ({ id: a.id, content: JSON.stringify({ ...a, id: undefined }) }));
  contents.sort((a, b) => (a.content < b.content ? -1 : a.content > b.content ? 1 : 0));
  const hash = createHash('sha256').update(fittingCodeIdentity());
  hash.update(JSON.stringify({ articles: contents.map((c) => c.content), options: request.options, calibrationOptions: request.calibrationOptions, wordVectors: request.wordVectors, model: request.embeddings?.model ?? null }));
  for (const [text, vector] of request.embeddings?.entries ?? []) hash.update(text).update(new Uint8Array(vector.buffer, vector.byteOffset, vector.byteLength));
  return { key: hash.digest('hex'), ids: contents.map((c) => c.id) };
}

/** The fit with every article id replaced by `rename(id)` (the classifier's classes, the probe counts). */
function renamed(fit: PortableFit, rename: (id: string) => string): PortableFit {
  return {
    ...fit,
    classifier: fit.classifier ? { ...fit.classifier, articleOfClass: fit.classifier.articleOfClass.map(rename) } : null,
    calibration: { ...fit.calibration, articleProbes: Object.fromEntries(Object.entries(fit.calibration.articleProbes).map(([id, probes]) => [rename(id), probes])) },
  };
}

function portable(fit: PortableFit, ids: string[]): PortableFit {
  const place = new Map(ids.map((id, i) => [id, String(i)]));
  return renamed(fit, (id) => place.get(id) ?? id);
}

function installable(fit: PortableFit, ids: string[]): PortableFit {
  return renamed(fit, (place) => ids[Number(place)] ?? place);
}

/**
 * Fits as files in `dir` (the data folder's kb-fits/). A file that cannot be read or written is
 * as good as no cache: the KB fits as it would have anyway.
 */
export function fileFitCache(dir: string): FitCache {
  return {
    lookup(request) {
      const { key, ids } = canonicalOf(request);
      const path = join(dir, `${key}.fit`);
      let fit: PortableFit | undefined;
      try {
        fit = installable(deserialize(readFileSync(path)) as PortableFit, ids);
      } catch {
        fit = undefined;
      }
      if (fit) touch(path);
      return {
        fit,
        keep(made) {
          if (writeAtomically(path, portable(made, ids))) forgetOldFits(dir);
        },
      };
    },
    textAnalysis(options) {
      try {
        return deserialize(readFileSync(analysisPath(dir, options))) as TextAnalysis;
      } catch {
        return undefined;
      }
    },
    keepTextAnalysis(options, analysis) {
      writeAtomically(analysisPath(dir, options), analysis);
    },
  };
}

/** One file a code version and options: texts are looked up in it, so one run's texts are enough. */
function analysisPath(dir: string, options: RankingOptions): string {
  const key = createHash('sha256').update(fittingCodeIdentity()).update(JSON.stringify(options)).digest('hex');
  return join(dir, `${key}.analysis`);
}

/** False when it could not: a full disk or a read-only folder costs the next run a fit, nothing else. */
function writeAtomically(path: string, value: unknown): boolean {
  try {
    mkdirSync(dirname(path), { recursive: true });
    const staged = `${path}.${process.pid}`;
    writeFileSync(staged, serialize(value));
    renameSync(staged, path);
    return true;
  } catch {
    return false;
  }
}

/** A fit in use stays among the newest the folder keeps (forgetOldFits); a read-only folder keeps it anyway. */
function touch(path: string): void {
  try {
    const now = new Date();
    utimesSync(path, now, now);
  } catch {
    // nothing is removed from a folder that cannot be written either
  }
}

function forgetOldFits(dir: string): void {
  const fits = readdirSync(dir)
    .filter((f) => f.endsWith('.fit'))
    .map((f) => ({ f, at: statSync(join(dir, f)).mtimeMs }))
    .sort((a, b) => b.at - a.at);
  for (const { f } of fits.slice(KEEP_FITS)) rmSync(join(dir, f), { force: true });
}
