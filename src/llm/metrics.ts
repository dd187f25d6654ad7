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
