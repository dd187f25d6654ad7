import type { ServerResponse } from 'node:http';

// The open pages of each visitor (Server-Sent Events): a reply the outbox hands the web sender is
// written to every page of its visitor at once. A page that is closed, asleep or offline misses
// nothing: on (re)connecting it is sent the visitor's recent history first (its catch-up), and the
// widget merges by message id, so what it already had is not shown twice.

/** Pages one visitor may keep open at once (tabs); one more is refused with 429. */
export const MAX_STREAMS_PER_VISITOR = 8;
/** Open streams in this process; one more is refused with 503 (the widget retries later). */
export const MAX_STREAMS = 5_000;
/** A comment line this often keeps proxies and the browser from closing an idle stream (they cut at 30–60 s). */
export const HEARTBEAT_MS = 25_000;

export class LiveFeed {
  readonly #streams = new Map<string, Set<ServerResponse>>();
  #count = 0;

  get size(): number {
    return this.#count;
  }

  /** Whether another page of this visitor may open a stream: 'ok', or why not. */
  room(visitorId: string): 'ok' | 'visitor_full' | 'full' {
    if (this.#count >= MAX_STREAMS) return 'full';
    if ((this.#streams.get(visitorId)?.size ?? 0) >= MAX_STREAMS_PER_VISITOR) return 'visitor_full';
    return 'ok';
  }

  /** Adds an open page; it leaves by itself when the connection closes. */
  join(visitorId: string, res: ServerResponse): void {
    const streams = this.#streams.get(visitorId) ?? new Set<ServerResponse>();
    this.#streams.set(visitorId, streams);
    streams.add(res);
    this.#count++;
    const heartbeat = setInterval(() => writeEvent(res, undefined), HEARTBEAT_MS);
    heartbeat.unref();
    res.once('close', () => {
      clearInterval(heartbeat);
      if (streams.delete(res)) this.#count--;
      if (streams.size === 0 && this.#streams.get(visitorId) === streams) this.#streams.delete(visitorId);
    });
  }

  /** Writes to every open page of the visitor; how many there were (0: it waits for their catch-up). */
  publish(visitorId: string, event: 'history' | 'message', data: unknown): number {
    const streams = this.#streams.get(visitorId);
    if (streams === undefined) return 0;
    for (const res of streams) writeEvent(res, { event, data });
    return streams.size;
  }

  /** Ends every stream (the channel stops): the pages reconnect to whichever process serves them next. */
  closeAll(): void {
    for (const streams of this.#streams.values()) for (const res of streams) res.end();
  }
}

/** One SSE event, or a heartbeat comment without one. JSON never holds a raw newline, so one data line suffices. */
export function writeEvent(res: ServerResponse, event: { event: string; data: unknown } | undefined): void {
  if (res.writableEnded || res.destroyed) return;
  res.write(event === undefined ? ': ping\n\n' : `event: ${event.event}\ndata: ${JSON.stringify(event.data)}\n\n`);
}

