import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Config } from './config/env.ts';
import { createCore, type Core } from './core/create-core.ts';
import type { Database } from './db/open-database.ts';
import { DEFAULT_THRESHOLDS } from './kb/decision.ts';
import { createKnowledgeBase, type KnowledgeBaseService } from './kb/knowledge-base-service.ts';
import { importKbDirectory } from './kb/markdown.ts';
import type { Logger } from './observability/logger.ts';
import type { Metrics } from './observability/metrics.ts';

// The desk without its channels: the KB and the core pipeline over one database, configured
// from the environment. `start`, `chat` and the KB commands all build it the same way.

export const SAMPLE_KB_DIR = fileURLToPath(new URL('../examples/kb', import.meta.url));

export interface Desk {
  kb: KnowledgeBaseService;
  core: Core;
}

export function createDesk(deps: { db: Database; config: Config; logger: Logger; metrics: Metrics }): Desk {
  const { config } = deps;
  const kb = createKnowledgeBase(deps.db.prisma, {
    thresholds: {
      answer: config.kb.answerThreshold ?? DEFAULT_THRESHOLDS.answer,
      suggest: config.kb.suggestThreshold ?? DEFAULT_THRESHOLDS.suggest,
    },
  });
  const core = createCore({
    prisma: deps.db.prisma,
    kb,
    logger: deps.logger,
    metrics: deps.metrics,
    settings: {
      ...(config.businessHours ? { businessHours: config.businessHours } : {}),
      ...(config.floodLimitPerMinute ? { floodLimitPerMinute: config.floodLimitPerMinute } : {}),
    },
  });
  return { kb, core };
}

/** A new desk starts with the sample KB, so it answers something from the first message. */
export async function importSampleKbIfEmpty(desk: Desk, db: Database, logger: Logger): Promise<void> {
  if ((await db.prisma.article.count()) > 0 || !existsSync(SAMPLE_KB_DIR)) return;
  const result = await importKbDirectory(desk.kb, SAMPLE_KB_DIR, 'solodesk:sample');
  logger.info({ articles: result.created.length }, 'empty KB: imported the sample articles from examples/kb');
}
