/**
 * A loopback fake of the OpenAI REST API for the official `openai` client:
 * `new OpenAI({ apiKey: 'test', baseURL: fake.baseURL, maxRetries: 0 })`.
 * Implements POST /v1/chat/completions (JSON, or SSE when `stream: true`), POST /v1/embeddings
 * (deterministic vectors, or what `embedWith` scripts) and GET /v1/models. Every request needs
 * `Authorization: Bearer …`.
 */
import { createHash } from 'node:crypto';
import { asRecord, bearerToken, FailureScript, startHttpFake, waitForCall, type FakeRequest, type FakeResponse } from './http-fake.ts';

export interface OpenAICall {
  method: string;
  path: string;
  body: Record<string, unknown>;
  headers: Record<string, string | string[] | undefined>;
  /** Status answered (200, scripted failure status, 401, 404). */
  status: number;
}

export interface ChatRequest {
  model: string;
  messages: { role: string; content: unknown }[];
  body: Record<string, unknown>;
}

export type Responder = string | ((request: ChatRequest) => string | Promise<string>);

/**
 * How one input of an embeddings request is embedded: another text (it then gets exactly that
 * text's vector), a vector, or undefined for its own hash vector. A promise holds the whole
 * request until it settles (a server too slow to answer).
 */
export type EmbeddingScript = (text: string) => string | number[] | undefined | Promise<string | number[] | undefined>;

export interface OpenAIFailure {
  status: number;
  /** Default: OpenAI's `{ error: { message, type, param, code } }` for the status. */
  body?: unknown;
  headers?: Record<string, string>;
}

export interface FakeOpenAI {
  /** `http://127.0.0.1:PORT/v1` */
  baseURL: string;
  calls: OpenAICall[];
  /** Chat completion requests as received, in order. */
  chatRequests(): ChatRequest[];
  /** Sets the assistant text for every following chat completion (default 'Fake reply.'). */
  reply(responder: Responder): void;
  /** Scripts the vectors of the following embeddings requests (default: each text's hash vector). */
  embedWith(script: EmbeddingScript): void;
  /** The inputs of each embeddings request answered so far, in order. */
  embeddingInputs(): string[][];
  /** The next `times` API calls (any path but /v1/models) answer with this failure. */
  failNext(failure: OpenAIFailure, times?: number): void;
  waitFor(predicate: (call: OpenAICall) => boolean, timeoutMs?: number): Promise<OpenAICall>;
  close(): Promise<void>;
}

const MODELS = ['gpt-4o-mini', 'gpt-4o', 'gpt-4.1-mini', 'text-embedding-3-small'];

/** A rough token count, about 4 characters per token like English text. */
function tokens(text: string): number {
  return Math.max(1, Math.ceil(text.length / 4));
}

function contentText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) return content.map((part) => String(asRecord(part).text ?? '')).join(' ');
  return '';
}

function errorBody(status: number, message?: string): unknown {
  const kinds: Record<number, [string, string | null]> = {
    400: ['invalid_request_error', null],
    401: ['invalid_request_error', 'invalid_api_key'],
    404: ['invalid_request_error', 'unknown_url'],
    429: ['requests', 'rate_limit_exceeded'],
    500: ['server_error', null],
    503: ['server_error', null],
  };
  const [type, code] = kinds[status] ?? ['api_error', null];
  return { error: { message: message ?? `Fake OpenAI error ${status}`, type, param: null, code } };
}

/** Deterministic unit-length vector from the text, so equal texts embed equally. */
function embed(text: string, dimensions: number): number[] {
  const out: number[] = [];
  let block = Buffer.alloc(0);
  for (let i = 0; out.length < dimensions; i++) {
    if (i % 32 === 0) block = createHash('sha256').update(`${text}\u0000${i / 32}`).digest();
    out.push(((block[i % 32] ?? 0) - 127.5) / 127.5);
  }
  const norm = Math.hypot(...out) || 1;
  return out.map((v) => v / norm);
}

export async function startFakeOpenAI(): Promise<FakeOpenAI> {
  const calls: OpenAICall[] = [];
  const chats: ChatRequest[] = [];
  const failures = new FailureScript<OpenAIFailure>();
  let responder: Responder = 'Fake reply.';
  let script: EmbeddingScript = () => undefined;
  const embedded: string[][] = [];
  let seq = 0;
  const created = (): number => Math.floor(Date.now() / 1000);

  async function chatCompletion(body: Record<string, unknown>): Promise<FakeResponse> {
    if (typeof body.model !== 'string' || !Array.isArray(body.messages)) {
      return { status: 400, json: errorBody(400, "Missing required parameter: 'model' or 'messages'.") };
    }
    const request: ChatRequest = {
      model: body.model,
      messages: (body.messages as unknown[]).map((m) => ({ role: String(asRecord(m).role), content: asRecord(m).content })),
      body,
    };
    chats.push(request);
    const text = typeof responder === 'string' ? responder : await responder(request);
    const id = `chatcmpl-fake${String(++seq).padStart(6, '0')}`;
    const promptTokens = request.messages.reduce((sum, m) => sum + tokens(contentText(m.content)) + 4, 3);
    const completionTokens = tokens(text);
    const usage = {
      prompt_tokens: promptTokens,
      completion_tokens: completionTokens,
      total_tokens: promptTokens + completionTokens,
      prompt_tokens_details: { cached_tokens: 0, audio_tokens: 0 },
      completion_tokens_details: { reasoning_tokens: 0, audio_tokens: 0, accepted_prediction_tokens: 0, rejected_prediction_tokens: 0 },
    };
    const base = { id, created: created(), model: request.model, system_fingerprint: 'fp_fake', service_tier: 'default' };
    if (body.stream === true) {
      const includeUsage = asRecord(body.stream_options).include_usage === true;
      const chunk = (choices: unknown[], extra: Record<string, unknown> = {}): string =>
        `data: ${JSON.stringify({ ...base, object: 'chat.completion.chunk', choices, ...extra })}\n\n`;
      const events = [
        chunk([{ index: 0, delta: { role: 'assistant', content: '', refusal: null }, logprobs: null, finish_reason: null }]),
        ...(text.match(/.{1,16}/gsu) ?? []).map((piece) => chunk([{ index: 0, delta: { content: piece }, logprobs: null, finish_reason: null }])),
        chunk([{ index: 0, delta: {}, logprobs: null, finish_reason: 'stop' }]),
        ...(includeUsage ? [chunk([], { usage })] : []),
        'data: [DONE]\n\n',
      ];
      return { headers: { 'content-type': 'text/event-stream; charset=utf-8' }, text: events.join('') };
    }
    return {
      json: {
        ...base,
        object: 'chat.completion',
        choices: [{
          index: 0,
          message: { role: 'assistant', content: text, refusal: null, annotations: [] },
          logprobs: null,
          finish_reason: 'stop',
        }],
        usage,
      },
    };
  }

  async function embeddings(body: Record<string, unknown>): Promise<FakeResponse> {
    const inputs = Array.isArray(body.input) ? body.input.map(String) : [String(body.input ?? '')];
    const dimensions = typeof body.dimensions === 'number' ? body.dimensions : 1536;
    const asBase64 = body.encoding_format === 'base64';
    const scripted = await Promise.all(inputs.map((text) => script(text)));
    embedded.push(inputs);
    const data = inputs.map((text, index) => {
      const as = scripted[index];
      const vector = Array.isArray(as) ? as : embed(as ?? text, dimensions);
      const embedding = asBase64 ? Buffer.from(new Float32Array(vector).buffer).toString('base64') : vector;
      return { object: 'embedding', index, embedding };
    });
    const promptTokens = inputs.reduce((sum, t) => sum + tokens(t), 0);
    return { json: { object: 'list', data, model: String(body.model ?? 'text-embedding-3-small'), usage: { prompt_tokens: promptTokens, total_tokens: promptTokens } } };
  }

  async function route(req: FakeRequest, body: Record<string, unknown>): Promise<FakeResponse> {
    if (req.method === 'GET' && req.path === '/v1/models') {
      return { json: { object: 'list', data: MODELS.map((id) => ({ id, object: 'model', created: 1715367049, owned_by: 'system' })) } };
    }
    const failure = failures.take('*');
    if (failure !== undefined) return { status: failure.status, headers: failure.headers, json: failure.body ?? errorBody(failure.status) };
    if (req.method === 'POST' && req.path === '/v1/chat/completions') return chatCompletion(body);
    if (req.method === 'POST' && req.path === '/v1/embeddings') return embeddings(body);
    return { status: 404, json: errorBody(404, `Invalid URL (${req.method} ${req.path})`) };
  }

  const server = await startHttpFake(async (req): Promise<FakeResponse> => {
    const body = asRecord(req.body);
    const call: OpenAICall = { method: req.method, path: req.path, body, headers: { ...req.headers }, status: 200 };
    calls.push(call);
    const out: FakeResponse = bearerToken(req.headers) === undefined
      ? { status: 401, json: errorBody(401, "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth.") }
      : await route(req, body);
    call.status = out.status ?? 200;
    out.headers = { 'x-request-id': `req_fake${calls.length}`, 'openai-processing-ms': '1', ...out.headers };
    return out;
  });

  return {
    baseURL: `${server.origin}/v1`,
    calls,
    chatRequests: () => [...chats],
    reply(next) {
      responder = next;
    },
    embedWith(next) {
      script = next;
    },
    embeddingInputs: () => embedded.map((inputs) => [...inputs]),
    failNext: (failure, times = 1) => failures.add('*', failure, times),
    waitFor: (predicate, timeoutMs = 2000) =>
      waitForCall(calls, predicate, timeoutMs, 'fake OpenAI waitFor', (c) => `${c.method} ${c.path} → ${c.status}`),
    close: () => server.close(),
  };
}
