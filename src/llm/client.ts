import OpenAI from 'openai';
import type { Config } from '../config/env.ts';
import { ConfigError, SolodeskError } from '../errors.ts';
import { systemClock, type Clock } from '../observability/clock.ts';
import { LlmError, LlmTimeoutError, NetworkError, PlatformApiError, RateLimitedError, scrubServerText } from './errors.ts';

// The one place that talks to the LLM server (STYLE.md: nothing else talks HTTP). It wraps the
// official `openai` client so the drafter sees small types and Solodesk errors, never the SDK's.

export interface ChatMessage {
  role: 'system' | 'user';
  content: string;
}

export type ResponseFormat =
  | { type: 'json_schema'; json_schema: { name: string; strict: boolean; schema: Record<string, unknown> } }
  | { type: 'json_object' };

export interface CompletionRequest {
  model: string;
  messages: ChatMessage[];
  responseFormat?: ResponseFormat;
  /** The completion's own cap, so one runaway answer cannot eat the day's budget. */
  maxCompletionTokens?: number;
  temperature?: number;
}

export interface Completion {
  text: string;
  /** As the server counted them; undefined when it does not say (some local servers). */
  totalTokens: number | undefined;
  finishReason: string | undefined;
}

export interface EmbeddingRequest {
  model: string;
  input: string[];
}

export interface Embeddings {
  /** One vector per input, in input order. */
  vectors: number[][];
  /** As the server counted them; undefined when it does not say. */
  totalTokens: number | undefined;
}

export interface LlmClient {
  /** One chat completion; throws only SolodeskError subclasses (LlmTimeoutError past the deadline). */
  complete(request: CompletionRequest): Promise<Completion>;
  /** Embeddings of several texts in one request; throws as complete() does. */
  embed(request: EmbeddingRequest): Promise<Embeddings>;
}

export type LlmClientConfig = Pick<Config['llm'], 'apiKey' | 'baseUrl' | 'timeoutMs'>;

/**
 * Local OpenAI-compatible servers (Ollama, llama.cpp, vLLM) take no key, but the SDK refuses to
 * start without one and sends it as a bearer token: this stands in, and is no secret.
 */
export const LOCAL_SERVER_PLACEHOLDER_KEY = 'solodesk-local-no-key';

const OPENAI_API_ROOT = 'https://api.openai.com/v1';

export function createLlmClient(config: LlmClientConfig, options: { clock?: Clock; fetch?: typeof fetch } = {}): LlmClient {
  if (config.apiKey === undefined && config.baseUrl === undefined) {
    throw new ConfigError(['OPENAI_API_KEY: is required for the LLM (or OPENAI_BASE_URL for a local server)']);
  }
  const clock = options.clock ?? systemClock;
  const secrets = [config.apiKey ?? ''];
  // Everything explicit, so the SDK reads none of its own environment variables (OPENAI_BASE_URL,
  // OPENAI_ORG_ID, OPENAI_LOG…): config/env.ts is the one loader. `maxRetries: 1` rides out one
  // blip; the deadline below bounds both attempts together. The SDK's logger is off: ours is pino.
  const sdk = new OpenAI({
    apiKey: config.apiKey ?? LOCAL_SERVER_PLACEHOLDER_KEY,
    baseURL: config.baseUrl ?? OPENAI_API_ROOT,
    organization: null,
    project: null,
    webhookSecret: null,
    timeout: config.timeoutMs,
    maxRetries: 1,
    logLevel: 'off',
    ...(options.fetch ? { fetch: options.fetch } : {}),
  });

  /** complete()'s deadline and error mapping, for embed(). */
  async function withDeadline<T>(call: (signal: AbortSignal) => Promise<T>): Promise<T> {
    const deadline = new AbortController();
    const timer = clock.setTimeout(() => deadline.abort(), config.timeoutMs);
    try {
      return await call(deadline.signal);
    } catch (error) {
      throw toSolodeskError(error, { deadlinePassed: deadline.signal.aborted, timeoutMs: config.timeoutMs, secrets });
    } finally {
      clock.clearTimeout(timer);
    }
  }

  return {
    async complete(request) {
      // The SDK's timeout is per attempt and a timed-out attempt is retried after a backoff; the
      // customer's wait is what matters, so one deadline on the injected clock covers it all.
      const deadline = new AbortController();
      const timer = clock.setTimeout(() => deadline.abort(), config.timeoutMs);
      try {
        const completion = await sdk.chat.completions.create(
          {
            model: request.model,
            messages: request.messages,
            ...(request.responseFormat ? { response_format: request.responseFormat } : {}),
            ...(request.maxCompletionTokens !== undefined ? { max_completion_tokens: request.maxCompletionTokens } : {}),
            ...(request.temperature !== undefined ? { temperature: request.temperature } : {}),
          },
          { signal: deadline.signal },
        );
        const choice = completion.choices[0];
        const text = choice?.message.content;
        if (typeof text !== 'string') throw new LlmError('the LLM server answered without any text');
        return { text, totalTokens: completion.usage?.total_tokens, finishReason: choice?.finish_reason };
      } catch (error) {
        throw toSolodeskError(error, { deadlinePassed: deadline.signal.aborted, timeoutMs: config.timeoutMs, secrets });
      } finally {
        clock.clearTimeout(timer);
      }
    },

    embed(request) {
      return withDeadline(async (signal) => {
        // 'float' asked for explicitly: the SDK's default (base64) is not understood by every
        // OpenAI-compatible server.
        const answer = await sdk.embeddings.create({ model: request.model, input: request.input, encoding_format: 'float' }, { signal });
        const vectors: number[][] = new Array<number[]>(request.input.length);
        for (const item of answer.data) {
          if (Number.isInteger(item.index) && item.index >= 0 && item.index < vectors.length && Array.isArray(item.embedding)) vectors[item.index] = item.embedding;
        }
        const dims = vectors[0]?.length ?? 0;
        for (let i = 0; i < vectors.length; i++) {
          const v = vectors[i];
          if (!v || v.length === 0 || v.length !== dims || !v.every(Number.isFinite)) {
            throw new LlmError(`the LLM server's embeddings do not match the ${request.input.length} texts sent`);
          }
        }
        return { vectors, totalTokens: answer.usage?.total_tokens ?? answer.usage?.prompt_tokens };
      });
    },
  };
}

/** Every SDK error as a Solodesk error whose message holds no key and no URL. */
export function toSolodeskError(error: unknown, context: { deadlinePassed: boolean; timeoutMs: number; secrets: readonly string[] }): SolodeskError {
  if (error instanceof SolodeskError) return error;
  if (context.deadlinePassed || error instanceof OpenAI.APIConnectionTimeoutError) return new LlmTimeoutError(context.timeoutMs);
  // The SDK keeps the underlying error as `cause` (a fetch TypeError may quote the URL); the
  // logger scrubs registered secrets by value, so the cause stays for debugging.
  if (error instanceof OpenAI.APIUserAbortError) return new NetworkError('the LLM request was cancelled', { cause: error });
  if (error instanceof OpenAI.APIConnectionError) return new NetworkError('could not reach the LLM server', { cause: error });
  if (error instanceof OpenAI.APIError && error.status !== undefined) {
    if (error.status === 429) return new RateLimitedError(retryAfterMs(error.headers), { cause: error });
    const detail = typeof error.error === 'object' && error.error !== null && 'message' in error.error ? String(error.error.message) : '';
    const code = error.code ? ` (${scrubServerText(error.code, context.secrets)})` : '';
    // A 401's text quotes part of the key ("Incorrect API key provided: sk-ab***yz"): left out.
    const words = error.status === 401 || error.status === 403 ? '' : scrubServerText(detail, context.secrets);
    return new PlatformApiError(`the LLM server answered ${error.status}${code}${words ? `: ${words}` : ''}`, {
      status: error.status,
      permanent: error.status >= 400 && error.status < 500 && error.status !== 408 && error.status !== 409,
      reason: 'rejected',
    });
  }
  const name = error instanceof Error ? error.name : typeof error;
  return new LlmError(`the LLM client failed (${name})`, { cause: error });
}

function retryAfterMs(headers: Headers | undefined): number {
  const ms = Number(headers?.get('retry-after-ms'));
  if (Number.isFinite(ms) && ms > 0) return ms;
  const seconds = Number(headers?.get('retry-after'));
  return Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : 1_000;
}
