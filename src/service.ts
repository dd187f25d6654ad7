import type { Config } from './config/env.ts';
import { openDatabase, type Database } from './db/open-database.ts';
import { createHttpServer, type HttpServer } from './http/server.ts';
import type { Logger } from './observability/logger.ts';
import { createMetrics, type Metrics } from './observability/metrics.ts';

// The composition root of `solodesk start`: database, HTTP server, then every configured part.
// Parts start in order and stop in reverse; a part that fails to start is logged and skipped so
// that one broken channel never stops the others (DESIGN.md §3).

export interface ServicePart {
  name: string;
  /** A required part failing to start stops the service; optional ones (channels) are skipped. */
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
}

export interface RunningService {
  port: number;
  context: ServiceContext;
  stop(): Promise<void>;
}

/** An optional part (a channel) that has not started by then is reported failed; the rest goes on. */
const OPTIONAL_START_MS = 30_000;

function startWithin(part: ServicePart, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    part.start(),
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${part.name} did not start within ${ms / 1000} s`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

export type PartsFactory = (context: ServiceContext) => Promise<ServicePart[]> | ServicePart[];

export async function startService(
  config: Config,
  options: { logger: Logger; parts?: PartsFactory; host?: string },
): Promise<RunningService> {
  const { logger } = options;
  const metrics = createMetrics();
  const db = await openDatabase(config.database);
  let http: HttpServer | undefined;
  const started: ServicePart[] = [];
  const status: Record<string, string> = {};
  let ready = false;
  try {
    const migration = await db.migrate();
    logger.info({ applied: migration.applied, database: db.kind }, 'database migrated');
    http = createHttpServer({
      logger,
      metrics,
      readiness: () => ({ ready, details: { database: db.kind, parts: status } }),
    });
    const context: ServiceContext = { config, logger, metrics, db, http };
    for (const part of (await options.parts?.(context)) ?? []) {
      try {
        await (part.required ? part.start() : startWithin(part, OPTIONAL_START_MS));
        started.push(part);
        status[part.name] = 'running';
      } catch (error) {
        if (part.required) throw error;
        status[part.name] = 'failed';
        logger.error({ err: error, part: part.name }, `${part.name} did not start; the rest keeps running`);
      }
    }
    const port = await http.listen(config.port, options.host);
    ready = true;
    logger.info({ port, database: db.kind, parts: status }, 'solodesk is ready');
    let stopping: Promise<void> | undefined;
    return {
      port,
      context,
      stop() {
        stopping ??= shutdown(logger, http!, started, db);
        return stopping;
      },
    };
  } catch (error) {
    if (http) await http.close(0);
    await stopParts(logger, started);
    await db.close();
    throw error;
  }
}

async function shutdown(logger: Logger, http: HttpServer, parts: ServicePart[], db: Database): Promise<void> {
  logger.info('shutting down: no new requests, finishing the ones in flight');
  await http.close();
  await stopParts(logger, parts);
  await db.close();
  logger.info('stopped');
}

async function stopParts(logger: Logger, parts: ServicePart[]): Promise<void> {
  for (const part of [...parts].reverse()) {
    try {
      await part.stop();
    } catch (error) {
      logger.error({ err: error, part: part.name }, 'part did not stop cleanly');
    }
  }
}
