import OpenAI from 'openai';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError, NetworkError, PlatformApiError, RateLimitedError, SolodeskError } from '../../src/errors.ts';
import { createLlmClient, LOCAL_SERVER_PLACEHOLDER_KEY, toSolodeskError } from '../../src/llm/client.ts';
import { LlmTimeoutError } from '../../src/llm/errors.ts';
import { startFakeOpenAI, type FakeOpenAI } from '../fakes/openai-api.ts';
import { ManualClock } from '../observability/manual-clock.ts';

const KEY = 'sk-proj-ClientTestKey-abcdef0123456789';
const request = { model: 'gpt-4o-mini', messages: [{ role: 'user' as const, content: 'hi' }] };
let ai: FakeOpenAI | undefined;

afterEach(async () => {
  await ai?.close();
  ai = undefined;
});

async function failure(fail: Parameters<FakeOpenAI['failNext']>[0], times = 1): Promise<unknown> {
  ai = await startFakeOpenAI();
  ai.failNext(fail, times);
  return createLlmClient({ apiKey: KEY, baseUrl: ai.baseURL, timeoutMs: 20_000 }, { clock: new ManualClock() }).complete(request).catch((e: unknown) => e);
}

describe('LLM client', () => {
  it('sends the configured key, or a placeholder for a local server without one', async () => {
    ai = await startFakeOpenAI();
    ai.reply('hello');
    // A manual clock: the deadline never fires on a slow machine (timeouts have their own tests).
    const withKey = await createLlmClient({ apiKey: KEY, baseUrl: ai.baseURL, timeoutMs: 1000 }, { clock: new ManualClock() }).complete(request);
    expect(withKey).toMatchObject({ text: 'hello', finishReason: 'stop' });
    expect(withKey.totalTokens).toBeGreaterThan(0);
    await createLlmClient({ baseUrl: ai.baseURL, timeoutMs: 1000 }, { clock: new ManualClock() }).complete(request);
    expect(ai.calls.map((c) => c.headers.authorization)).toEqual([`Bearer ${KEY}`, `Bearer ${LOCAL_SERVER_PLACEHOLDER_KEY}`]);
  });

  it('needs a key or a base URL', () => {
    expect(() => createLlmClient({ timeoutMs: 1000 })).toThrow(ConfigError);
  });

  it('turns a refused key into PlatformApiError without the server\'s words, which quote the key', async () => {
    const error = await failure({ status: 401, body: { error: { message: `Incorrect API key provided: ${KEY.slice(0, 8)}***6789. See https://platform.openai.com/account/api-keys.`, type: 'invalid_request_error', code: 'invalid_api_key' } } });
    expect(error).toBeInstanceOf(PlatformApiError);
    expect(error).toMatchObject({ status: 401, permanent: true, message: 'the LLM server answered 401 (invalid_api_key)' });
  });

  it('scrubs URLs and keys from a 400\'s message, and keeps it permanent', async () => {
    const error = await failure({ status: 400, body: { error: { message: `Bad request to https://proxy.example/v1?api-key=${KEY}, key ${KEY}`, type: 'invalid_request_error', code: null } } });
    expect(error).toBeInstanceOf(PlatformApiError);
    const message = (error as Error).message;
    expect(message).toBe('the LLM server answered 400: Bad request to [url] key [redacted]');
    expect(message).not.toContain('ClientTestKey');
  });

  it('turns 429 into RateLimitedError with the server\'s wait', async () => {
    // retry-after-ms 0 lets the SDK retry at once; the Retry-After seconds are what callers get.
    const error = await failure({ status: 429, headers: { 'retry-after-ms': '0', 'retry-after': '7' } }, 2);
    expect(error).toBeInstanceOf(RateLimitedError);
    expect((error as RateLimitedError).retryAfterMs).toBe(7_000);
    expect(ai?.calls).toHaveLength(2); // the SDK's one retry
  });

  it('maps SDK network errors and timeouts without quoting their URLs', () => {
    const context = { deadlinePassed: false, timeoutMs: 500, secrets: [KEY] };
    const refused = toSolodeskError(new OpenAI.APIConnectionError({ cause: new Error(`connect ECONNREFUSED https://x.example/v1?key=${KEY}`) }), context);
    expect(refused).toBeInstanceOf(NetworkError);
    expect(refused.message).toBe('could not reach the LLM server');
    expect(toSolodeskError(new OpenAI.APIConnectionTimeoutError(), context)).toBeInstanceOf(LlmTimeoutError);
    expect(toSolodeskError(new OpenAI.APIUserAbortError(), { ...context, deadlinePassed: true })).toBeInstanceOf(LlmTimeoutError);
    const other = toSolodeskError(new TypeError(`boom ${KEY}`), context);
    expect(other).toBeInstanceOf(SolodeskError);
    expect(other.message).not.toContain(KEY);
  });
});
