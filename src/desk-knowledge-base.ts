import type { Config } from './config/env.ts';
import type { Database } from './db/open-database.ts';
import { DEFAULT_THRESHOLDS } from './kb/decision.ts';
import { createKnowledgeBase, type KnowledgeBaseOptions, type KnowledgeBaseService } from './kb/knowledge-base-service.ts';
import type { Embedder } from './kb/retrieval/embedder.ts';
import type { Clock } from './observability/clock.ts';
import type { Logger } from './observability/logger.ts';

// The desk's KB as the configuration makes it: thresholds, where fits are kept, the embedding
// model. Apart from the desk (desk.ts) so that a command that only reads or edits articles
// (`kb list`, `kb import`, `kb search`) loads the KB and nothing of the pipeline or the LLM.

export function createDeskKnowledgeBase(
  db: Database,
  config: Config,
  deps: { logger: Logger; embedder?: Embedder | undefined; clock?: Clock | undefined; kb?: Pick<KnowledgeBaseOptions, 'refitPendingAfterMs'> | undefined },
): KnowledgeBaseService {
  return createKnowledgeBase(db.prisma, {
    thresholds: {
      answer: config.kb.answerThreshold ?? DEFAULT_THRESHOLDS.answer,
      suggest: config.kb.suggestThreshold ?? DEFAULT_THRESHOLDS.suggest,
    },
    onRefitError: (err) => deps.logger.error({ err }, 'KB refit worker failed; refitting on the main thread'),
    // Fits kept between runs (kb/retrieval/fit-cache.ts): a restart does not fit again.
    fitCacheDir: config.kb.fitCacheDir,
    ...(deps.embedder ? { embedder: deps.embedder, logger: deps.logger.child({ part: 'kb' }), ...(deps.clock ? { clock: deps.clock } : {}) } : {}),
    ...deps.kb,
  });
}
