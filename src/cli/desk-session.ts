import { resolve } from 'node:path';
import type { PrismaClient } from '@prisma/client';
import type { Config } from '../config/env.ts';
import { assertDataDirFree } from '../db/data-dir-lock.ts';
import type { Desk } from '../desk.ts';
import type { KnowledgeBaseService } from '../kb/knowledge-base-service.ts';

// The database (and the desk on it) for a command that runs once and exits. Loaded only when a
// command runs, and loading the driver, Prisma and the KB only after the embedded database's
// folder was found free: a command on a folder the server holds says so in a fraction of a second.

/** Fails at once when another process holds the embedded database (nothing to check with DATABASE_URL). */
export function assertDatabaseFree(config: Config): void {
  if (config.database.url === undefined && !config.database.dataDir.startsWith('memory://')) assertDataDirFree(resolve(config.database.dataDir));
}

async function openFor(config: Config) {
  assertDatabaseFree(config);
  const { openDatabase } = await import('../db/open-database.ts');
  const db = await openDatabase(config.database);
  try {
    await db.migrate();
  } catch (error) {
    await db.close();
    throw error;
  }
  return db;
}

export async function withPrisma(config: Config, run: (prisma: PrismaClient) => Promise<void>): Promise<void> {
  const db = await openFor(config);
  try {
    await run(db.prisma);
  } finally {
    await db.close();
  }
}

export async function withDesk(config: Config, run: (desk: Desk) => Promise<void>): Promise<void> {
  // Before the imports below start: a refusal must not wait for them to finish loading.
  assertDatabaseFree(config);
  const [db, { createDesk }, { createLogger }, { createMetrics }] = await Promise.all([
    openFor(config),
    import('../desk.ts'),
    import('../observability/logger.ts'),
    import('../observability/metrics.ts'),
  ]);
  try {
    await run(createDesk({ db, config, logger: createLogger({ level: 'warn' }), metrics: createMetrics() }));
  } finally {
    await db.close();
  }
}

/**
 * The KB alone, for the commands that read or edit articles: none of the pipeline, the metrics or
 * the LLM is loaded (the LLM client only when an embedding model is configured).
 */
export async function withKnowledgeBase(config: Config, run: (kb: KnowledgeBaseService) => Promise<void>): Promise<void> {
  assertDatabaseFree(config);
  const [db, { createDeskKnowledgeBase }, { createLogger }] = await Promise.all([
    openFor(config),
    import('../desk-knowledge-base.ts'),
    import('../observability/logger.ts'),
  ]);
  try {
    const embedder = config.llm.embeddingModel === undefined ? undefined : (await import('../desk.ts')).embedderOf(config.llm, {});
    const kb = createDeskKnowledgeBase(db, config, { logger: createLogger({ level: 'warn' }), embedder });
    try {
      await run(kb);
    } finally {
      kb.stopRefits();
    }
  } finally {
    await db.close();
  }
}
