import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Config } from './config/env.ts';
import { createCore, type Core } from './core/create-core.ts';
import type { Database } from './db/open-database.ts';
import { createDeskKnowledgeBase } from './desk-knowledge-base.ts';
import type { KnowledgeBaseOptions, KnowledgeBaseService } from './kb/knowledge-base-service.ts';
import type { Embedder } from './kb/retrieval/embedder.ts';
import { importKbDirectory } from './kb/markdown.ts';
import { systemClock, type Clock } from './observability/clock.ts';
import type { Logger } from './observability/logger.ts';
import type { Metrics } from './observability/metrics.ts';
import { createTokenBudget } from './llm/budget.ts';
import { createLlmClient } from './llm/client.ts';
import { createDrafter, type Drafter } from './llm/drafter.ts';
import { createEmbedder } from './llm/embedder.ts';
import { DEFAULT_FOUNDER_TOPICS } from './llm/founder-topics.ts';
import { createLlmMetrics } from './llm/metrics.ts';

// The desk without its channels: the KB and the core pipeline over one database, configured
// from the environment. `start`, `chat` and the KB commands all build it the same way.

export const SAMPLE_KB_DIR = fileURLToPath(new URL('../examples/kb', import.meta.url));

export interface Desk {
  kb: KnowledgeBaseService;
  core: Core;
  /** The LLM drafter the core uses (LLM_MODE draft or auto); the benchmark asks it too. */
  drafter?: Drafter;
}

export function createDesk(deps: { db: Database; config: Config; logger: Logger; metrics: Metrics; kb?: Pick<KnowledgeBaseOptions, 'refitPendingAfterMs'>; clock?: Clock }): Desk {
  const { config } = deps;
  const kb = createDeskKnowledgeBase(deps.db, config, { logger: deps.logger, embedder: embedderOf(config.llm, deps), clock: deps.clock, kb: deps.kb });
  const drafter = config.llm.mode === 'off' ? undefined : drafterOf(config.llm, deps);
  const core = createCore({
    prisma: deps.db.prisma,
    kb,
    logger: deps.logger,
    metrics: deps.metrics,
    ...(deps.clock ? { clock: deps.clock } : {}),
    ...(drafter ? { drafter } : {}),
    settings: {
      llmMode: drafter ? config.llm.mode : 'off',
      ...(config.businessHours ? { businessHours: config.businessHours } : {}),
      ...(config.floodLimitPerMinute ? { floodLimitPerMinute: config.floodLimitPerMinute } : {}),
      csatEnabled: config.csat.enabled,
      ...(config.csat.afterAnswerMs ? { csatAfterAnswerMs: config.csat.afterAnswerMs } : {}),
      ...(config.insight.csatHalfLifeDays !== undefined ? { csatHalfLifeDays: config.insight.csatHalfLifeDays } : {}),
    },
    // PGlite has one connection: decisions run one at a time, so a waiting delivery is stored
    // after at most one decision's transaction.
    ...(deps.db.kind === 'pglite' ? { processor: { concurrency: 1 } } : {}),
  });
  return { kb, core, ...(drafter ? { drafter } : {}) };
}

/** The LLM drafter (LLM_MODE draft or auto): its client, its daily token budget and its metrics, on the desk's clock. */
function drafterOf(llm: Config['llm'], deps: { logger: Logger; metrics: Metrics; clock?: Clock }): Drafter {
  const clock = deps.clock ?? systemClock;
  return createDrafter({
    client: createLlmClient(llm, { clock }),
    model: llm.model,
    budget: createTokenBudget({ dailyTokens: llm.dailyTokens, clock }),
    clock,
    logger: deps.logger.child({ part: 'llm' }),
    metrics: createLlmMetrics(deps.metrics.registry),
    founderTopics: [...DEFAULT_FOUNDER_TOPICS, ...llm.founderTopics],
  });
}

/** A new desk starts with the sample KB, so it answers something from the first message. */
export async function importSampleKbIfEmpty(desk: Desk, db: Database, logger: Logger): Promise<void> {
  if ((await db.prisma.article.count()) > 0 || !existsSync(SAMPLE_KB_DIR)) return;
  try {
    const result = await importKbDirectory(desk.kb, SAMPLE_KB_DIR, 'solodesk:sample');
    logger.info({ articles: result.created.length }, 'empty KB: imported the sample articles from examples/kb');
  } catch (error) {
    // Two processes starting together on one empty database both try; the import is one
    // transaction, so the loser's is rolled back whole and the winner's articles are there. The
    // loser sees a unique-slug violation or, when the winner committed first, a taken slug.
    if ((await db.prisma.article.count()) === 0) throw error;
    logger.info('another process imported the sample KB at the same moment');
  }
}

/**
 * The KB's embedding model (OPENAI_EMBEDDING_MODEL, with the LLM server configured): vectors for
 * its articles and questions, through an LLM client of its own on the desk's clock.
 */
export function embedderOf(llm: Config['llm'], deps: { metrics?: Metrics; clock?: Clock | undefined }): Embedder | undefined {
  if (llm.embeddingModel === undefined) return undefined;
  const clock = deps.clock ?? systemClock;
  return createEmbedder({ client: createLlmClient(llm, { clock }), model: llm.embeddingModel, ...(deps.metrics ? { registry: deps.metrics.registry } : {}) });
}
