/**
 * Refits an index's re-ranker and calibration in a worker thread. A refit costs seconds on a
 * KB with a few thousand example questions; run on the main thread it would stall every
 * webhook for that long (Slack wants an answer within 3 s). Meanwhile the index keeps serving
 * with its previous fit; the new one is installed when it is ready. One refit at a time per
 * index; a request made while one runs is folded into a single follow-up. The worker is
 * shared by every index in the process and holds no state between requests.
 */
import { Worker } from 'node:worker_threads';
import { SolodeskError } from '../../errors.ts';
import type { FitCache } from './fit-cache.ts';
import type { KbIndex, PortableFit } from './kb-index.ts';
import type { RefitRequest } from './refit-worker.ts';

type Reply = { id: number; fit: PortableFit } | { id: number; error: string };

/** The worker's entry picks the compiled worker, or our TypeScript sources through tsx. */
const WORKER_ENTRY = new URL('./refit-worker.mjs', import.meta.url);

class RefitWorker {
  private worker: Worker | undefined;
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (fit: PortableFit) => void; reject: (e: Error) => void }>();

  fit(request: Omit<RefitRequest, 'id'>): Promise<PortableFit> {
    const worker = this.ensureWorker();
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      // keep the process alive while a refit is owed to someone, not while idle
      worker.ref();
      worker.postMessage({ ...request, id } satisfies RefitRequest);
    });
  }

  private settle(id: number): { resolve: (fit: PortableFit) => void; reject: (e: Error) => void } | undefined {
    const p = this.pending.get(id);
    this.pending.delete(id);
    if (this.pending.size === 0) this.retire();
    return p;
  }

  /** Ends the worker now (the service stops): what it owed is refused, and it keeps nothing alive. */
  stop(): void {
    const owed = [...this.pending.values()];
    this.pending.clear();
    this.retire();
    for (const p of owed) p.reject(new SolodeskError('kb_refit_failed', 'KB refit stopped: the service is stopping'));
  }

  /**
   * Ends an idle worker: it holds a second copy of the KB's models and dictionaries (a hundred MB
   * and more), and refits come minutes apart; the next one starts a worker again.
   */
  private retire(): void {
    const worker = this.worker;
    if (worker === undefined) return;
    this.worker = undefined;
    worker.removeAllListeners('exit');
    worker.removeAllListeners('error');
    worker.on('error', () => undefined);
    void worker.terminate();
  }

  private ensureWorker(): Worker {
    if (this.worker) return this.worker;
    const worker = new Worker(WORKER_ENTRY);
    worker.on('message', (reply: Reply) => {
      const p = this.settle(reply.id);
      if (!p) return;
      if ('fit' in reply) p.resolve(reply.fit);
      else p.reject(new SolodeskError('kb_refit_failed', `KB refit failed: ${reply.error}`));
    });
    const fail = (error: Error): void => {
      if (this.worker === worker) this.worker = undefined;
      const owed = [...this.pending.values()];
      this.pending.clear();
      for (const p of owed) p.reject(new SolodeskError('kb_refit_failed', `KB refit worker stopped: ${error.message}`, { cause: error }));
    };
    worker.on('error', fail);
    worker.on('exit', (code) => fail(new Error(`exit code ${code}`)));
    this.worker = worker;
    return worker;
  }
}

const sharedWorker = new RefitWorker();

export class BackgroundRefitter {
  private running: Promise<void> | undefined;
  private again = false;
  /** the call being made wants a refit for any change, not only for enough of them */
  private anyChange = false;

  /** `cache`: fits kept between runs (fit-cache.ts); a KB fitted before installs its fit without a worker. */
  constructor(
    private readonly index: KbIndex,
    private readonly cache?: FitCache,
  ) {
    index.refitOnDemand = false;
  }

  /**
   * Refit if the index wants it; resolves once a fit at least as new as the index at call time
   * is installed. Rejects if the worker fails (the index keeps its previous fit).
   */
  refit(): Promise<void> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    if (!this.index.needsRefit() && !(this.anyChange && this.index.hasUnfittedChanges())) return Promise.resolve();
    this.running = this.cycle().finally(() => (this.running = undefined));
    return this.running;
  }

  /**
   * Refit if the KB changed at all since the fit in use (a lesson or two that needsRefit()
   * alone would let wait for more): what a desk does once its KB has been quiet a while.
   */
  async refitAnyChange(): Promise<void> {
    if (this.running) await this.running.catch(() => undefined);
    this.anyChange = true;
    try {
      await this.refit();
    } finally {
      this.anyChange = false;
    }
  }

  /** Stops the refit in flight, if any (its waiters are refused); the next refit starts a worker again. */
  stop(): void {
    sharedWorker.stop();
  }

  private async cycle(): Promise<void> {
    do {
      this.again = false;
      const fittedAt = this.index.changeCount;
      const articles = [...this.index.articles()];
      const request = {
        articles,
        options: this.index.options,
        calibrationOptions: this.index.calibrationOptions,
        wordVectors: this.index.wordVectors !== null,
        embeddings: this.index.embeddings ? { model: this.index.embeddings.model, entries: this.index.embeddings.entriesFor(articles) } : null,
      };
      const kept = this.cache?.lookup(request);
      const fit = kept?.fit ?? (await sharedWorker.fit(request));
      if (kept && !kept.fit) {
        kept.keep(fit);
        this.cache?.keepTextAnalysis(this.index.options, this.index.textAnalysis());
      }
      this.index.installFit(fit, fittedAt, articles.length);
    } while (this.again && this.index.needsRefit());
  }
}
