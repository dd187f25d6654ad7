/**
 * The server's events over `fetch` (EventSource cannot send an Authorization header): an SSE
 * parser, and the loop that keeps one stream open, reconnecting with backoff.
 */
import type { Alarm } from './alarm.ts';
import { BACKOFF_MAX_MS, backoffDelayMs, retryAfterMs } from './backoff.ts';
import type { ProtocolClient } from './protocol.ts';
import { SessionRefused, type Session } from './session.ts';

export interface ServerSentEvent {
  event: string;
  data: string;
}

/** Incremental `text/event-stream` parser: feed it decoded text, get back the finished events. */
export class SseParser {
  private buffer = '';
  private event = '';
  private data: string[] = [];

  push(text: string): ServerSentEvent[] {
    this.buffer += text;
    const events: ServerSentEvent[] = [];
    for (let end = this.lineEnd(); end >= 0; end = this.lineEnd()) {
      const line = this.buffer.slice(0, end);
      const crlf = this.buffer[end] === '\r' && this.buffer[end + 1] === '\n';
      this.buffer = this.buffer.slice(end + (crlf ? 2 : 1));
      const event = this.line(line);
      if (event) events.push(event);
    }
    return events;
  }

  /** Index of the first complete line end; a lone '\r' at the end may still be half of "\r\n". */
  private lineEnd(): number {
    const match = /\r\n|\r(?=[^\n])|\n/.exec(this.buffer);
    return match ? match.index : -1;
  }

  private line(line: string): ServerSentEvent | undefined {
    if (line === '') {
      const event = this.data.length > 0 ? { event: this.event || 'message', data: this.data.join('\n') } : undefined;
      this.event = '';
      this.data = [];
      return event;
    }
    if (line.startsWith(':')) return undefined;
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'event') this.event = value;
    else if (field === 'data') this.data.push(value);
    return undefined;
  }
}

export type StreamStatus = 'connecting' | 'open' | 'reconnecting' | 'offline';

export interface EventStreamOptions {
  client: ProtocolClient;
  session: Session;
  alarm: Alarm;
  isOnline: () => boolean;
  onEvent: (event: ServerSentEvent) => void;
  onStatus: (status: StreamStatus) => void;
  /** 403 on the stream: this site may not chat. */
  onRefused: () => void;
}

// Servers send heartbeats well within this; silence this long means a dead connection that
// the browser has not noticed (a laptop that slept, a proxy that dropped it).
const STALL_TIMEOUT_MS = 65_000;

export class EventStream {
  private current: AbortController | undefined;
  private running = false;
  private readonly options: EventStreamOptions;

  constructor(options: EventStreamOptions) {
    this.options = options;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    void this.run().finally(() => {
      this.running = false;
    });
  }

  /** Drops the current connection (going offline); the loop reconnects when it can. */
  interrupt(): void {
    this.current?.abort();
  }

  private async run(): Promise<void> {
    const { session, alarm, isOnline, onStatus } = this.options;
    let attempt = 0;
    let connectedBefore = false;
    for (;;) {
      if (!isOnline()) {
        onStatus('offline');
        await alarm.sleep(BACKOFF_MAX_MS);
        continue;
      }
      onStatus(connectedBefore ? 'reconnecting' : 'connecting');
      let token: string;
      try {
        token = await session.token();
      } catch (error) {
        if (error instanceof SessionRefused) return;
        throw error;
      }
      let afterMs: number | undefined;
      try {
        const outcome = await this.connect(token);
        if (outcome === 'refused') {
          this.options.onRefused();
          return;
        }
        if (outcome === 'expired') {
          session.expire(token);
          continue;
        }
        if (outcome === 'healthy') attempt = 0;
        if (typeof outcome === 'number') afterMs = outcome;
        connectedBefore ||= outcome === 'healthy';
      } catch {
        // Network error or abort: reconnect below.
      }
      onStatus(isOnline() ? 'reconnecting' : 'offline');
      await alarm.sleep(afterMs ?? backoffDelayMs(attempt++));
    }
  }

  /** One connection, until it ends. A number is the server's Retry-After in milliseconds. */
  private async connect(token: string): Promise<'healthy' | 'broken' | 'expired' | 'refused' | number> {
    const controller = new AbortController();
    this.current = controller;
    let stall: ReturnType<typeof setTimeout> | undefined;
    const resetStall = (): void => {
      clearTimeout(stall);
      stall = setTimeout(() => controller.abort(), STALL_TIMEOUT_MS);
    };
    try {
      resetStall();
      const response = await this.options.client.openEvents(token, controller.signal);
      if (response.status === 401) return 'expired';
      if (response.status === 403) return 'refused';
      if (!response.ok || !response.body) {
        return retryAfterMs(response.headers.get('Retry-After')) ?? 'broken';
      }
      const reader = response.body.getReader();
      const decoder = new TextDecoder();
      const parser = new SseParser();
      let healthy = false;
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return healthy ? 'healthy' : 'broken';
        resetStall();
        for (const event of parser.push(decoder.decode(value, { stream: true }))) {
          if (event.event === 'history') {
            healthy = true;
            this.options.onStatus('open');
          }
          this.options.onEvent(event);
        }
      }
    } finally {
      clearTimeout(stall);
      if (this.current === controller) this.current = undefined;
    }
  }
}
