/**
 * An end-to-end web chat desk: the real channel (createWebChannel) behind the service's own HTTP
 * server, a real core + KB on a per-test database, and WebClient, which speaks the widget's
 * protocol over HTTP as the widget does (JSON requests with a bearer token, Server-Sent Events read
 * from a fetch stream). The founder console is a RecordingSender of the core's notices.
 */
import { createWebChannel } from '../../../src/adapters/web/index.ts';
import { loadConfig } from '../../../src/config/env.ts';
import { FOUNDER_CHANNEL } from '../../../src/core/ports.ts';
import { createHttpServer } from '../../../src/http/server.ts';
import { importKbDirectory } from '../../../src/kb/markdown.ts';
import { createMetrics } from '../../../src/observability/metrics.ts';
import { captureLogger } from '../../support/capture-logger.ts';
import { channelContextOf } from '../../support/channel-context.ts';
import { TestClock } from '../../support/test-clock.ts';
import { createTestDesk, RecordingSender, type TestDesk } from '../../support/test-desk.ts';

export const IDENTITY_SECRET = 'site-signing-secret-0123456789';

export interface WebHarnessOptions {
  env?: Record<string, string>;
  /** Import examples/kb (default true). */
  kb?: boolean;
}

export interface WebHarness {
  desk: TestDesk;
  clock: TestClock;
  founder: RecordingSender;
  logs: string[];
  /** http://127.0.0.1:<port> */
  origin: string;
  client(options?: { origin?: string }): WebClient;
  close(): Promise<void>;
}

export async function startWebHarness(options: WebHarnessOptions = {}): Promise<WebHarness> {
  const clock = new TestClock();
  const founder = new RecordingSender(FOUNDER_CHANNEL);
  const desk = await createTestDesk({ clock, senders: [founder] });
  if (options.kb !== false) {
    await importKbDirectory(desk.kb, 'examples/kb', 'test');
    await desk.kb.sync(true);
  }
  const { logger, lines: logs } = captureLogger('debug');
  const metrics = createMetrics();
  const config = loadConfig({ WEB_IDENTITY_SECRET: IDENTITY_SECRET, ...options.env });
  const http = createHttpServer({ logger, metrics, readiness: () => ({ ready: true, details: {} }) });
  const channel = createWebChannel(channelContextOf({ config, core: desk.core, kb: desk.kb, http, logger, metrics, clock }, desk.database.db), {
    prisma: desk.database.db.prisma,
  });
  for (const sender of channel.senders) desk.core.dispatcher.registerSender(sender);
  const port = await http.listen(0, '127.0.0.1');
  await channel.start();
  const origin = `http://127.0.0.1:${port}`;
  const clients: WebClient[] = [];
  return {
    desk,
    clock,
    founder,
    logs,
    origin,
    client(clientOptions = {}) {
      const client = new WebClient(origin, clientOptions.origin ?? origin);
      clients.push(client);
      return client;
    },
    async close() {
      for (const client of clients) client.closeStreams();
      await channel.stop();
      await http.close(0);
      await desk.dispose();
    },
  };
}

export interface WebMessageJson {
  id: string;
  author: 'customer' | 'bot' | 'founder';
  text: string;
  format: string;
  buttons?: Array<{ action: string; label: string }>;
  clientMessageId?: string;
  at: string;
}

export interface Answer<T = Record<string, unknown>> {
  status: number;
  headers: Headers;
  body: T;
}

/** One browser page of the widget, as HTTP: what it sends and what its event stream brought. */
export class WebClient {
  token: string | undefined;
  readonly #streams: AbortController[] = [];

  constructor(
    readonly server: string,
    /** The page's origin, sent as Origin on every request (a browser always sends it cross-site). */
    readonly pageOrigin: string,
  ) {}

  async request<T = Record<string, unknown>>(method: 'GET' | 'POST' | 'OPTIONS', path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Answer<T>> {
    const response = await fetch(`${this.server}${path}`, {
      method,
      headers: {
        origin: this.pageOrigin,
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...(this.token ? { authorization: `Bearer ${this.token}` } : {}),
        ...headers,
      },
      ...(body !== undefined ? { body: typeof body === 'string' ? body : JSON.stringify(body) } : {}),
    });
    const text = await response.text();
    return { status: response.status, headers: response.headers, body: (text ? JSON.parse(text) : {}) as T };
  }

  /** POST /web/session; keeps the token it gets. */
  async open(body: Record<string, unknown> = {}): Promise<Answer<{ token: string; visitorId: string; messages: WebMessageJson[]; error?: string }>> {
    const answer = await this.request<{ token: string; visitorId: string; messages: WebMessageJson[]; error?: string }>('POST', '/web/session', { ...(this.token ? { token: this.token } : {}), ...body });
    if (answer.status === 200) this.token = answer.body.token;
    return answer;
  }

  say(clientMessageId: string, text: string): Promise<Answer<{ message: WebMessageJson; duplicate: boolean; error?: string }>> {
    return this.request('POST', '/web/messages', { clientMessageId, text });
  }

  press(clientEventId: string, action: string): Promise<Answer> {
    return this.request('POST', '/web/actions', { clientEventId, action });
  }

  /** The visitor's history as a reopening page gets it. */
  async history(): Promise<WebMessageJson[]> {
    const answer = await this.open();
    if (answer.status !== 200) throw new Error(`session answered ${answer.status}`);
    return answer.body.messages;
  }

  /** Opens GET /web/events and collects its events as they come. */
  async stream(): Promise<EventStream> {
    const controller = new AbortController();
    this.#streams.push(controller);
    const response = await fetch(`${this.server}/web/events`, {
      headers: { origin: this.pageOrigin, ...(this.token ? { authorization: `Bearer ${this.token}` } : {}) },
      signal: controller.signal,
    });
    return new EventStream(response, controller);
  }

  closeStreams(): void {
    for (const controller of this.#streams) controller.abort();
  }
}

export interface SseEvent {
  event: string;
  data: unknown;
}

/** The events of one open stream, parsed as a browser's EventSource would (event + data lines). */
export class EventStream {
  readonly events: SseEvent[] = [];
  readonly status: number;
  #waiters: Array<() => void> = [];
  #ended = false;

  constructor(
    readonly response: Response,
    private readonly controller: AbortController,
  ) {
    this.status = response.status;
    if (response.ok && response.body) void this.#read(response.body);
  }

  async #read(body: ReadableStream<Uint8Array>): Promise<void> {
    const decoder = new TextDecoder();
    let buffer = '';
    try {
      for await (const chunk of body) {
        buffer += decoder.decode(chunk, { stream: true });
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const event = /^event: (.*)$/m.exec(block)?.[1];
          const data = /^data: (.*)$/m.exec(block)?.[1];
          if (event !== undefined && data !== undefined) this.events.push({ event, data: JSON.parse(data) });
          this.#wake();
        }
      }
    } catch {
      // aborted by the test
    }
    this.#ended = true;
    this.#wake();
  }

  #wake(): void {
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const wake of waiters) wake();
  }

  /** Every message the stream brought, history and live, merged by id as the widget merges them. */
  messages(): WebMessageJson[] {
    const byId = new Map<string, WebMessageJson>();
    for (const { event, data } of this.events) {
      const list = event === 'history' ? (data as { messages: WebMessageJson[] }).messages : event === 'message' ? [data as WebMessageJson] : [];
      for (const m of list) byId.set(m.id, m);
    }
    return [...byId.values()];
  }

  /** Resolves once `check` holds on the events so far (checked on every event; fails if the stream ends first). */
  async until(check: (events: SseEvent[]) => boolean, what: string): Promise<void> {
    while (!check(this.events)) {
      if (this.#ended) throw new Error(`the event stream ended before ${what}`);
      await new Promise<void>((resolve) => this.#waiters.push(resolve));
    }
  }

  get ended(): boolean {
    return this.#ended;
  }

  close(): void {
    this.controller.abort();
  }
}
