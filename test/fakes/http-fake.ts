/**
 * Shared base for the loopback fakes of platform servers (Telegram Bot API, Slack Web API,
 * OpenAI). Plain node:http on 127.0.0.1, port 0; bodies parsed by content type; close() also
 * drops keep-alive sockets (grammY and undici keep connections open) and wakes long polls.
 */
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeRequest {
  method: string;
  /** Path without the query string, e.g. `/bot123:abc/sendMessage`. */
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  contentType: string;
  rawBody: Buffer;
  /**
   * Parsed body: JSON value for `application/json`; an object of string fields for
   * `application/x-www-form-urlencoded` and `multipart/form-data` (files become
   * `{ filename, size, type }`); `undefined` when empty or unparseable.
   */
  body: unknown;
  /** Set when close() was called: long-polling handlers should give up. */
  signal: AbortSignal;
}

export interface FakeResponse {
  status?: number;
  headers?: Record<string, string>;
  json?: unknown;
  text?: string;
  bytes?: Uint8Array;
  /**
   * A network fault instead of an answer: `hang` never answers (the client times out; the socket
   * is cut when the fake closes), `reset` destroys the connection (ECONNRESET at the client).
   */
  drop?: NetworkFault;
}

export type NetworkFault = 'hang' | 'reset';

export type FakeHandler = (req: FakeRequest) => FakeResponse | Promise<FakeResponse>;

export interface HttpFake {
  /** `http://127.0.0.1:PORT`, no trailing slash. */
  origin: string;
  port: number;
  signal: AbortSignal;
  close(): Promise<void>;
}

export interface UploadedFile {
  filename: string;
  size: number;
  type: string;
}

export async function parseBody(contentType: string, raw: Buffer): Promise<unknown> {
  if (raw.length === 0) return undefined;
  const type = contentType.split(';')[0]?.trim().toLowerCase() ?? '';
  try {
    if (type === 'application/json' || type.endsWith('+json')) return JSON.parse(raw.toString('utf8'));
    if (type === 'application/x-www-form-urlencoded') {
      return Object.fromEntries(new URLSearchParams(raw.toString('utf8')));
    }
    if (type === 'multipart/form-data') return parseMultipart(contentType, raw);
    // No or unknown content type: try JSON, then give up.
    return JSON.parse(raw.toString('utf8'));
  } catch {
    return undefined;
  }
}

/**
 * A tolerant multipart parser: grammY writes `content-disposition:form-data;name="x"` with no
 * spaces and an unquoted filename, which undici's `Response.formData()` rejects. Files become
 * `{ filename, size, type }`; grammY's `attach://<name>` indirection is resolved to the file.
 */
export function parseMultipart(contentType: string, raw: Buffer): Record<string, string | UploadedFile> {
  const boundary = /boundary="?([^";]+)"?/i.exec(contentType)?.[1];
  if (boundary === undefined) return {};
  const delimiter = Buffer.from(`--${boundary}`);
  const fields: Record<string, string | UploadedFile> = {};
  let start = raw.indexOf(delimiter);
  while (start !== -1) {
    const partStart = start + delimiter.length;
    if (raw.subarray(partStart, partStart + 2).toString() === '--') break;
    const end = raw.indexOf(delimiter, partStart);
    if (end === -1) break;
    const part = raw.subarray(partStart, end);
    const split = part.indexOf('\r\n\r\n');
    if (split !== -1) {
      const head = part.subarray(0, split).toString('utf8');
      let content = part.subarray(split + 4);
      if (content.subarray(-2).toString() === '\r\n') content = content.subarray(0, -2);
      const name = /name="?([^";\r\n]+)"?/i.exec(head)?.[1];
      const filename = /filename="?([^";\r\n]+)"?/i.exec(head)?.[1];
      const type = /content-type:\s*([^\r\n;]+)/i.exec(head)?.[1] ?? 'application/octet-stream';
      if (name !== undefined) {
        fields[name] = filename === undefined ? content.toString('utf8') : { filename, size: content.length, type };
      }
    }
    start = end;
  }
  for (const [key, value] of Object.entries(fields)) {
    if (typeof value === 'string' && value.startsWith('attach://')) {
      const file = fields[value.slice('attach://'.length)];
      if (file !== undefined && typeof file !== 'string') fields[key] = file;
    }
  }
  return fields;
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

function send(res: ServerResponse, out: FakeResponse): void {
  const headers: Record<string, string> = { ...out.headers };
  let payload: string | Uint8Array = '';
  if (out.json !== undefined) {
    payload = JSON.stringify(out.json);
    headers['content-type'] ??= 'application/json; charset=utf-8';
  } else if (out.text !== undefined) {
    payload = out.text;
    headers['content-type'] ??= 'text/plain; charset=utf-8';
  } else if (out.bytes !== undefined) {
    payload = out.bytes;
    headers['content-type'] ??= 'application/octet-stream';
  }
  headers['content-length'] = String(Buffer.byteLength(payload));
  res.writeHead(out.status ?? 200, headers);
  res.end(payload);
}

export async function startHttpFake(handler: FakeHandler): Promise<HttpFake> {
  const abort = new AbortController();
  const server = createServer((req, res) => {
    void (async () => {
      try {
        const rawBody = await readBody(req);
        const url = new URL(req.url ?? '/', 'http://127.0.0.1');
        const contentType = req.headers['content-type'] ?? '';
        const out = await handler({
          method: req.method ?? 'GET',
          path: url.pathname,
          query: url.searchParams,
          headers: req.headers,
          contentType,
          rawBody,
          body: await parseBody(contentType, rawBody),
          signal: abort.signal,
        });
        // A hung request stays open until the client gives up or close() cuts it.
        if (out.drop === 'reset') req.socket.destroy();
        else if (out.drop !== 'hang' && !res.destroyed) send(res, out);
      } catch (error) {
        if (!res.destroyed && !res.headersSent) {
          send(res, { status: 500, json: { ok: false, error: 'fake_server_error', detail: String(error) } });
        }
      }
    })();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  let closing: Promise<void> | undefined;
  return {
    origin: `http://127.0.0.1:${port}`,
    port,
    signal: abort.signal,
    close() {
      closing ??= new Promise<void>((resolve) => {
        abort.abort();
        // close() drops idle keep-alive sockets; long polls answer on the abort signal, then
        // whatever is still open is cut off.
        server.close(() => resolve());
        setTimeout(() => server.closeAllConnections(), 25);
      });
      return closing;
    },
  };
}

/** Resolves after `ms`, or early (without error) when `signal` aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}

/**
 * Polls `calls` until one matches `predicate` (calls already recorded count too) and resolves
 * with it; rejects after `timeoutMs` listing what was recorded, so a failing test says why.
 */
export async function waitForCall<T>(
  calls: readonly T[],
  predicate: (call: T) => boolean,
  timeoutMs: number,
  label: string,
  describe: (call: T) => string = (call) => JSON.stringify(call).slice(0, 200),
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = calls.find(predicate);
    if (found !== undefined) return found;
    if (Date.now() >= deadline) {
      const seen = calls.length === 0 ? '  (none)' : calls.map((c) => `  - ${describe(c)}`).join('\n');
      throw new Error(`${label}: no matching call within ${timeoutMs} ms. Recorded calls (${calls.length}):\n${seen}`);
    }
    await sleep(Math.min(10, Math.max(1, deadline - Date.now())));
  }
}

export interface FaultOptions {
  /** How many matching calls get the fault (default 1; `Infinity` until clear()). */
  times?: number;
  /** Only calls whose payload matches (e.g. one chat); default every call of the method. */
  match?: (payload: Record<string, unknown>) => boolean;
}

/**
 * Fault rules per method, for fault injection: each rule applies to the next `times` calls of
 * its method whose payload matches; the oldest applicable rule wins.
 */
export class FaultRules<F> {
  readonly #rules = new Map<string, Array<{ fault: F; left: number; match?: FaultOptions['match'] }>>();

  add(method: string, fault: F, options: FaultOptions = {}): void {
    const list = this.#rules.get(method) ?? [];
    list.push({ fault, left: options.times ?? 1, ...(options.match ? { match: options.match } : {}) });
    this.#rules.set(method, list);
  }

  take(method: string, payload: Record<string, unknown>): F | undefined {
    const list = this.#rules.get(method);
    const rule = list?.find((r) => r.left > 0 && (r.match === undefined || r.match(payload)));
    if (list === undefined || rule === undefined) return undefined;
    rule.left -= 1;
    if (rule.left <= 0) list.splice(list.indexOf(rule), 1);
    if (list.length === 0) this.#rules.delete(method);
    return rule.fault;
  }

  /** Forgets the rules of `method`, or all of them. */
  clear(method?: string): void {
    if (method === undefined) this.#rules.clear();
    else this.#rules.delete(method);
  }
}

/** A queue of scripted failures per key ("method"), each consumed once per matching call. */
export class FailureScript<F> {
  readonly #pending = new Map<string, F[]>();

  add(key: string, failure: F, times = 1): void {
    const list = this.#pending.get(key) ?? [];
    for (let i = 0; i < times; i++) list.push(failure);
    this.#pending.set(key, list);
  }

  take(key: string): F | undefined {
    const list = this.#pending.get(key);
    const next = list?.shift();
    if (list !== undefined && list.length === 0) this.#pending.delete(key);
    return next;
  }
}

export function bearerToken(headers: IncomingHttpHeaders): string | undefined {
  const value = headers.authorization;
  const match = value === undefined ? null : /^Bearer\s+(.+)$/i.exec(value);
  return match?.[1]?.trim();
}

export function asRecord(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}
