import OpenAI from 'openai';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startFakeOpenAI, type FakeOpenAI } from './openai-api.ts';

let ai: FakeOpenAI;
let client: OpenAI;

beforeEach(async () => {
  ai = await startFakeOpenAI();
  client = new OpenAI({ apiKey: 'sk-test', baseURL: ai.baseURL, maxRetries: 0 });
});
afterEach(async () => {
  await ai.close();
});

describe('fake OpenAI API with the openai client', () => {
  it('chat.completions.create returns the scripted text with usage, and records the request', async () => {
    ai.reply('Our refund window is 30 days.');
    const completion = await client.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'system', content: 'Answer from the KB.' }, { role: 'user', content: 'Refunds?' }],
    });
    expect(completion.choices[0]?.message.content).toBe('Our refund window is 30 days.');
    expect(completion.choices[0]?.finish_reason).toBe('stop');
    expect(completion.model).toBe('gpt-4o-mini');
    expect(completion.usage?.total_tokens).toBe((completion.usage?.prompt_tokens ?? 0) + (completion.usage?.completion_tokens ?? 0));
    expect(ai.chatRequests()[0]?.messages).toEqual([
      { role: 'system', content: 'Answer from the KB.' }, { role: 'user', content: 'Refunds?' },
    ]);
    expect(ai.calls[0]?.headers.authorization).toBe('Bearer sk-test');
  });

  it('a responder function sees the request', async () => {
    ai.reply((req) => `echo ${String(req.messages.at(-1)?.content)} via ${req.model}`);
    const completion = await client.chat.completions.create({ model: 'gpt-4.1-mini', messages: [{ role: 'user', content: 'ping' }] });
    expect(completion.choices[0]?.message.content).toBe('echo ping via gpt-4.1-mini');
  });

  it('failNext surfaces as the SDK\'s typed error, once', async () => {
    ai.failNext({ status: 429 });
    const error = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'x' }] })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.RateLimitError);
    expect((error as InstanceType<typeof OpenAI.RateLimitError>).code).toBe('rate_limit_exceeded');
    await expect(client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'y' }] }))
      .resolves.toMatchObject({ object: 'chat.completion' });
  });

  it('the SDK retries a scripted 500 by itself when maxRetries allows', async () => {
    ai.failNext({ status: 500, headers: { 'retry-after-ms': '0' } });
    const retrying = new OpenAI({ apiKey: 'sk-test', baseURL: ai.baseURL, maxRetries: 1 });
    const completion = await retrying.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'x' }] });
    expect(completion.choices[0]?.message.content).toBe('Fake reply.');
    expect(ai.calls.map((c) => c.status)).toEqual([500, 200]);
  });

  it('a request without Authorization gets 401', async () => {
    const res = await fetch(`${ai.baseURL}/chat/completions`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ model: 'm', messages: [] }),
    });
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ error: { code: 'invalid_api_key' } });
  });

  it('models.list, streaming and embeddings work through the SDK', async () => {
    const models = [];
    for await (const model of client.models.list()) models.push(model.id);
    expect(models).toContain('gpt-4o-mini');

    ai.reply('A streamed answer that is longer than one chunk.');
    const stream = await client.chat.completions.create({
      model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'x' }], stream: true, stream_options: { include_usage: true },
    });
    let text = '';
    let usage: unknown;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta.content ?? '';
      usage ??= chunk.usage ?? undefined;
    }
    expect(text).toBe('A streamed answer that is longer than one chunk.');
    expect(usage).toMatchObject({ completion_tokens: expect.any(Number) });

    const emb = await client.embeddings.create({ model: 'text-embedding-3-small', input: ['refund policy', 'refund policy', 'shipping'], dimensions: 8 });
    expect(emb.data).toHaveLength(3);
    expect(emb.data[0]?.embedding).toHaveLength(8);
    expect(emb.data[0]?.embedding).toEqual(emb.data[1]?.embedding);
    expect(emb.data[0]?.embedding).not.toEqual(emb.data[2]?.embedding);
  });
});
