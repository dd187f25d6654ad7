import type { Embedder } from '../kb/retrieval/embedder.ts';
import type { Registry } from 'prom-client';
import type { LlmClient } from './client.ts';
import { createEmbeddingMetrics } from './metrics.ts';

// The KB's Embedder port on the one LLM client: the same server, key, deadline and error mapping
// as the drafter. Embedding tokens are counted in a metric but not against LLM_DAILY_TOKENS: that
// budget bounds drafts (a draft costs ~2,000 tokens), and importing a KB of a few thousand
// articles would spend it before the first customer wrote.

/** `registry`: where the embedding counters go (none: not counted). */
export function createEmbedder(options: { client: LlmClient; model: string; registry?: Registry }): Embedder {
  const { client, model } = options;
  const metrics = options.registry ? createEmbeddingMetrics(options.registry) : undefined;
  return {
    model,
    async embed(texts) {
      if (texts.length === 0) return { vectors: [], tokens: 0 };
      try {
        const answer = await client.embed({ model, input: texts });
        const tokens = answer.totalTokens ?? estimateTokens(texts);
        metrics?.requests.inc({ outcome: 'ok' });
        metrics?.tokens.inc(tokens);
        return { vectors: answer.vectors, tokens };
      } catch (error) {
        metrics?.requests.inc({ outcome: 'error' });
        throw error;
      }
    },
  };
}

/** About four characters a token, as for English text; used only when the server gives no usage. */
function estimateTokens(texts: readonly string[]): number {
  return Math.ceil(texts.reduce((sum, t) => sum + t.length, 0) / 4);
}
