import { Counter, type Registry } from 'prom-client';

/** The drafter's counters, registered on the service's registry (observability/metrics.ts). */
export function createLlmMetrics(registry: Registry) {
  return {
    drafts: new Counter({
      name: 'solodesk_llm_drafts_total',
      help: 'LLM drafts, by outcome: auto (may be sent alone), founder (needs the founder), or why none was made (budget, timeout, error, invalid_output)',
      labelNames: ['outcome'] as const,
      registers: [registry],
    }),
    tokens: new Counter({
      name: 'solodesk_llm_tokens_total',
      help: 'Tokens the LLM server counted for drafts (prompt and completion)',
      registers: [registry],
    }),
  };
}

export type LlmMetrics = ReturnType<typeof createLlmMetrics>;

/** The KB embedder's counters: apart from the drafter's, so a desk can have either alone. */
export function createEmbeddingMetrics(registry: Registry) {
  return {
    tokens: new Counter({
      name: 'solodesk_llm_embedding_tokens_total',
      help: 'Tokens the LLM server counted for embeddings of KB texts and customer questions',
      registers: [registry],
    }),
    requests: new Counter({
      name: 'solodesk_llm_embedding_requests_total',
      help: 'Embedding requests, by outcome: ok, or error (the KB then ranks by words alone)',
      labelNames: ['outcome'] as const,
      registers: [registry],
    }),
  };
}

export type EmbeddingMetrics = ReturnType<typeof createEmbeddingMetrics>;
