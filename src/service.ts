import type { Config } from './config/env.ts';
import { SolodeskError } from './errors.ts';
import { openDatabase, type Database } from './db/open-database.ts';
import { createHttpServer, type HttpServer, type Readiness } from './http/server.ts';
import { systemClock, type Clock } from './observability/clock.ts';
import { databaseProbe, type DatabaseProbe } from './observability/health.ts';
import type { Logger } from './observability/logger.ts';
import { createMetrics, type Metrics } from './observability/metrics.ts';
import { registerSecrets, secretsOf } from './observability/redact.ts';

// The composition root of `solodesk start`: HTTP server, database, then every configured part.
// The port is bound first, so a busy port fails before the database is touched; until the parts
// are up, /healthz and the webhook routes answer 503 (platforms deliver again later). Parts start
// in order and stop in reverse. A required part failing stops the start; an optional one (a
// channel) that fails is retried with backoff while the others run (DESIGN.md §3).

export interface ServicePart {
  name: string;
  /** A required part failing to start stops the service; optional ones (channels) are retried. */
  required?: boolean;
  start(): Promise<void>;
  stop(): Promise<void>;
}

export interface ServiceContext {
  config: Config;
  logger: Logger;
  metrics: Metrics;
  db: Database;
  http: HttpServer;
  /** The service's clock, which the core's pipeline and queues use too. */
  clock?: Clock;
}

export interface RunningService {
  port: number;
  context: ServiceContext;
  stop(): Promise<void>;
}

export type PartsFactory = (context: ServiceContext) => Promise<ServicePart[]> | ServicePart[];

/** What /healthz and `solodesk_part_up` say about a part. */
export type PartState = 'starting' | 'running' | 'retrying' | 'failed' | 'stopped';

export interface RetryPolicy {
  /** Wait before the first retry; doubled after each failure. */
  firstDelayMs: number;
  maxDelayMs: number;
  /** An optional part still starting after this is reported `retrying` (and waited for). */
  startTimeoutMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { firstDelayMs: 2_000, maxDelayMs: 5 * 60_000, startTimeoutMs: 30_000 };

export interface ServiceOptions {
  logger: Logger;
  parts?: PartsFactory;
  host?: string;
  /** Aborting it while starting (a signal during migrations) stops at the next step and rejects with its reason. */
  signal?: AbortSignal;
  /** Timers of part retries and of the database probe (tests move time themselves). */
  clock?: Clock;
  retry?: Partial<RetryPolicy>;
}

export async function startService(config: Config, options: ServiceOptions): Promise<RunningService> {
  const { logger, signal } = options;
  const clock = options.clock ?? systemClock;
  const retry = { ...DEFAULT_RETRY, ...options.retry };
  registerSecrets(secretsOf(config));
  const metrics = createMetrics();
  const parts: SupervisedPart[] = [];
  const partStates = (): Record<string, PartState> => Object.fromEntries(parts.map((p) => [p.name, p.state]));
  let phase: 'starting' | 'ready' | 'stopping' = 'starting';
  let database: { db: Database; probe: DatabaseProbe } | undefined;

  const readiness = async (): Promise<Readiness> => {
    if (phase !== 'ready' || database === undefined) return { ready: false, details: { status: phase, parts: partStates() } };
    const reachable = await database.probe();
    return {
      ready: reachable,
      details: { status: reachable ? 'ok' : 'database_unreachable', database: database.db.kind, parts: partStates() },
    };
  };
  const http = createHttpServer({ logger, metrics, readiness, accepting: () => phase === 'ready' });
  const port = await listenOnPort(http, config.port, options.host);
  logger.info({ port, pid: process.pid }, 'listening; migrating the database and starting the parts');

  let db: Database | undefined;
  try {
    signal?.throwIfAborted();
    db = await openDatabase(config.database);
    const prisma = db.prisma;
    database = { db, probe: databaseProbe({ query: () => prisma.$queryRaw`SELECT 1`, clock }) };
    signal?.throwIfAborted();
    const migration = await db.migrate();
    logger.info({ applied: migration.applied, database: db.kind }, 'database migrated');
    const context: ServiceContext = { config, logger, metrics, db, http, clock };
    for (const part of (await options.parts?.(context)) ?? []) {
      signal?.throwIfAborted();
      const supervised = new SupervisedPart(part, { logger, metrics, clock, retry });
      parts.push(supervised);
      // A required part is waited for (its work must not run on against a closed database);
      // an optional one may take long, so a stop request does not wait for it.
      await (part.required ? supervised.start() : untilAborted(supervised.start(), signal));
    }
    signal?.throwIfAborted();
    phase = 'ready';
    logger.info({ port, database: db.kind, parts: partStates() }, 'solodesk is ready');
    const running = db;
    let stopping: Promise<void> | undefined;
    return {
      port,
      context,
      stop() {
        stopping ??= (async () => {
          phase = 'stopping';
          logger.info('shutting down: no new requests, finishing the ones in flight');
          await http.close();
          await stopParts(parts);
          await running.close();
          logger.info('stopped');
        })();
        return stopping;
      },
    };
  } catch (error) {
    phase = 'stopping';
    await http.close(0);
    await stopParts(parts);
    await db?.close();
    throw error;
  }
}

async function listenOnPort(http: HttpServer, port: number, host: string | undefined): Promise<number> {
  try {
    return await http.listen(port, host);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const where = host ? `${host}:${port}` : String(port);
    if (code === 'EADDRINUSE') {
      throw new SolodeskError('port_in_use', `PORT: ${where} is already in use by another process; stop it, or set PORT to a free port`, { cause: error });
    }
    if (code === 'EACCES') {
      throw new SolodeskError('port_denied', `PORT: ${where} needs privileges this process does not have; set PORT above 1023`, { cause: error });
    }
    throw error;
  }
}

async function stopParts(parts: SupervisedPart[]): Promise<void> {
  for (const part of [...parts].reverse()) await part.stop();
}

/** Rejects with the signal's reason as soon as it aborts; the work itself goes on. */
function untilAborted<T>(work: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (signal === undefined) return work;
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason);
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

/**
 * One part's lifecycle: its state (for /healthz and `solodesk_part_up`), and for an optional part
 * the retries with exponential backoff after a failed start, until it runs or the service stops.
 * A part is never started twice at once: a start that outlives `startTimeoutMs` is waited for.
 */
class SupervisedPart {
  state: PartState = 'starting';
  private failures = 0;
  private attempt: Promise<void> | undefined;
  private retryTimer: unknown;
  private stopping = false;

  constructor(
    private readonly part: ServicePart,
    private readonly deps: { logger: Logger; metrics: Metrics; clock: Clock; retry: RetryPolicy },
  ) {
    this.setState('starting');
  }

  get name(): string {
    return this.part.name;
  }

  /** The first start: a required part's failure is thrown; an optional part's is retried later. */
  async start(): Promise<void> {
    if (!this.part.required) return this.launch();
    try {
      await this.part.start();
    } catch (error) {
      this.setState('failed');
      throw error;
    }
    this.setState('running');
  }

  async stop(): Promise<void> {
    this.stopping = true;
    this.deps.clock.clearTimeout(this.retryTimer);
    // A start still in flight is told to stop too; if it completes later, onStarted stops it again.
    if (this.state === 'running' || this.attempt !== undefined) await this.stopPart();
    this.setState('stopped');
  }

  /** Resolves when this attempt has started, failed, or taken longer than startTimeoutMs. */
  private launch(): Promise<void> {
    const { clock, retry } = this.deps;
    const attempt = Promise.resolve().then(() => this.part.start());
    this.attempt = attempt;
    const settled = attempt.then(
      () => this.onStarted(),
      (error: unknown) => this.onFailed(error),
    );
    let timer: unknown;
    const slow = new Promise<void>((resolve) => {
      timer = clock.setTimeout(() => {
        this.onSlow();
        resolve();
      }, retry.startTimeoutMs);
    });
    return Promise.race([settled, slow]).finally(() => clock.clearTimeout(timer));
  }

  private onStarted(): void {
    this.attempt = undefined;
    if (this.stopping) {
      void this.stopPart();
      return;
    }
    if (this.failures > 0 || this.state === 'retrying') {
      this.deps.logger.info({ part: this.name, failures: this.failures }, `${this.name} recovered: running again`);
    }
    this.failures = 0;
    this.setState('running');
  }

  private onFailed(error: unknown): void {
    this.attempt = undefined;
    if (this.stopping) return;
    this.failures += 1;
    this.deps.metrics.partStartFailures.inc({ part: this.name });
    const { firstDelayMs, maxDelayMs } = this.deps.retry;
    const delayMs = Math.min(maxDelayMs, firstDelayMs * 2 ** (this.failures - 1));
    this.setState('retrying');
    this.deps.logger.error(
      { err: error, part: this.name, failures: this.failures, retryInMs: delayMs },
      `${this.name} did not start; retrying in ${delayMs / 1000} s, the rest keeps running`,
    );
    this.retryTimer = this.deps.clock.setTimeout(() => {
      this.retryTimer = undefined;
      if (!this.stopping) void this.launch();
    }, delayMs);
  }

  private onSlow(): void {
    if (this.attempt === undefined || this.stopping) return;
    this.setState('retrying');
    this.deps.logger.warn(
      { part: this.name, afterMs: this.deps.retry.startTimeoutMs },
      `${this.name} has not started yet; the rest keeps running, and it joins when it does`,
    );
  }

  private async stopPart(): Promise<void> {
    try {
      await this.part.stop();
    } catch (error) {
      this.deps.logger.error({ err: error, part: this.name }, 'part did not stop cleanly');
    }
  }

  private setState(state: PartState): void {
    this.state = state;
    this.deps.metrics.partUp.set({ part: this.name }, state === 'running' ? 1 : 0);
  }
}
