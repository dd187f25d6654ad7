import { Registry } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import { PlatformApiError } from '../../src/errors.ts';
import { createLlmClient } from '../../src/llm/client.ts';
import { createEmbedder } from '../../src/llm/embedder.ts';
import { LlmError, LlmTimeoutError } from '../../src/llm/errors.ts';
import { startFakeOpenAI, type FakeOpenAI } from '../fakes/openai-api.ts';
import { ManualClock } from '../observability/manual-clock.ts';

// The KB's Embedder port on the real `openai` client, against the loopback fake of the API.

const KEY = 'sk-proj-EmbedderTestKey-0123456789abcdef';
let ai: FakeOpenAI;
let clock: ManualClock;
let registry: Registry;

async function embedder(timeoutMs = 20_000) {
  ai = await startFakeOpenAI();
  clock = new ManualClock();
  registry = new Registry();
  const client = createLlmClient({ apiKey: KEY, baseUrl: ai.baseURL, timeoutMs }, { clock });
  return createEmbedder({ client, model: 'text-embedding-3-small', registry });
}

async function counter(name: string, labels: Record<string, string> = {}): Promise<number> {
  const metric = await registry.getSingleMetric(name)?.get();
  return metric?.values.find((v) => Object.entries(labels).every(([k, l]) => v.labels[k] === l))?.value ?? 0;
}

afterEach(async () => {
  await ai.close();
});

describe('the LLM embedder', () => {
  it('embeds several texts in one request, in order, and counts the tokens the server counted', async () => {
    const e = await embedder();
    const { vectors, tokens } = await e.embed(['How do I reset my password?', 'Refunds', 'How do I reset my password?']);

    expect(ai.embeddingInputs()).toEqual([['How do I reset my password?', 'Refunds', 'How do I reset my password?']]);
    const [call] = ai.calls;
    expect(call?.body).toMatchObject({ model: 'text-embedding-3-small', encoding_format: 'float' });
    expect(call?.headers.authorization).toBe(`Bearer ${KEY}`);
    expect(vectors).toHaveLength(3);
    expect(vectors[0]).toHaveLength(1536);
    expect(vectors[2]).toEqual(vectors[0]);
    expect(vectors[1]).not.toEqual(vectors[0]);
    // the fake counts a token per four characters: 7 + 2 + 7
    expect(tokens).toBe(16);
    expect(await counter('solodesk_llm_embedding_tokens_total')).toBe(16);
    expect(await counter('solodesk_llm_embedding_requests_total', { outcome: 'ok' })).toBe(1);
  });

  it('makes no request for nothing', async () => {
    const e = await embedder();
    expect(await e.embed([])).toEqual({ vectors: [], tokens: 0 });
    expect(ai.calls).toHaveLength(0);
  });

  it('throws the client\'s errors, without the key, after the one retry', async () => {
    const e = await embedder();
    ai.failNext({ status: 500, headers: { 'retry-after-ms': '0' }, body: { error: { message: `upstream failed for key ${KEY}`, type: 'server_error', code: null } } }, 2);
    const error = await e.embed(['Refunds']).catch((err: unknown) => err);

    expect(error).toBeInstanceOf(PlatformApiError);
    expect((error as Error).message).not.toContain(KEY);
    expect(ai.calls.filter((c) => c.path === '/v1/embeddings')).toHaveLength(2);
    expect(await counter('solodesk_llm_embedding_requests_total', { outcome: 'error' })).toBe(1);
  });

  it('gives up at the deadline on the client\'s clock (moved, not waited for)', async () => {
    const e = await embedder(5_000);
    let release: () => void = () => undefined;
    ai.embedWith(() => new Promise<undefined>((resolve) => (release = () => resolve(undefined))));
    const pending = e.embed(['Refunds']).catch((err: unknown) => err);
    await ai.waitFor((c) => c.path === '/v1/embeddings');
    expect(clock.pending()).toEqual([5_000]);

    clock.advance(5_000);

    expect(await pending).toBeInstanceOf(LlmTimeoutError);
    release();
  });

  it('refuses an answer whose vectors do not fit the texts sent', async () => {
    const e = await embedder();
    ai.embedWith((text) => (text === 'short' ? [1, 0, 0] : undefined));
    await expect(e.embed(['short', 'Refunds'])).rejects.toBeInstanceOf(LlmError);
  });
});
