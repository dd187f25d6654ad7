/**
 * The web chat protocol, browser side: the message shape and the three JSON requests. Nothing
 * else in the widget talks HTTP (the event stream has its own file because it is a stream).
 * Requests never carry cookies: the bearer token is the visitor's only credential.
 */
import { retryAfterMs } from './backoff.ts';
import type { Locale } from './strings.ts';

export type Author = 'customer' | 'bot' | 'founder';

export interface MessageButton {
  action: string;
  label: string;
}

export interface WebMessage {
  id: string;
  author: Author;
  text: string;
  format: 'plain' | 'markdown';
  buttons?: MessageButton[];
  buttonsPrompt?: string;
  clientMessageId?: string;
  /** ISO 8601. */
  at: string;
}

export interface SessionRequest {
  token?: string;
  userId?: string;
  userHash?: string;
  name?: string;
  locale?: Locale;
}

export interface SessionResponse {
  token: string;
  visitorId: string;
  messages: WebMessage[];
}

/**
 * What became of a request, in the terms the caller acts on:
 * - `ok`: a 2xx with its JSON body;
 * - `retry`: network error, 408, 429 or 5xx: send the same thing again later (`afterMs` from
 *   Retry-After when the server gave one);
 * - `unauthorized`: 401, the token is no longer valid (or, for /web/session, the identity);
 * - `refused`: 403, this site may not use the chat;
 * - `rejected`: any other 4xx, sending it again will not help.
 */
export type ApiResult<T> =
  | { kind: 'ok'; body: T }
  | { kind: 'retry'; afterMs?: number }
  | { kind: 'unauthorized' }
  | { kind: 'refused' }
  | { kind: 'rejected'; status: number };

const CLIENT_ID_PATTERN = /^[A-Za-z0-9_-]{8,64}$/;

export function isClientId(id: string): boolean {
  return CLIENT_ID_PATTERN.test(id);
}

/** A fresh id for clientMessageId / clientEventId: 22 base64url characters (128 random bits). */
export function newClientId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return btoa(String.fromCharCode(...bytes)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

export function isWebMessage(value: unknown): value is WebMessage {
  if (typeof value !== 'object' || value === null) return false;
  const message = value as Partial<WebMessage>;
  return (
    typeof message.id === 'string' &&
    (message.author === 'customer' || message.author === 'bot' || message.author === 'founder') &&
    typeof message.text === 'string' &&
    typeof message.at === 'string' &&
    (message.buttons === undefined || Array.isArray(message.buttons))
  );
}

export class ProtocolClient {
  constructor(
    readonly origin: string,
    private readonly fetchImpl: typeof fetch = (input, init) => fetch(input, init),
  ) {}

  createSession(request: SessionRequest): Promise<ApiResult<SessionResponse>> {
    return this.post('/web/session', request, undefined);
  }

  sendMessage(token: string, clientMessageId: string, text: string): Promise<ApiResult<{ message: WebMessage; duplicate: boolean }>> {
    return this.post('/web/messages', { clientMessageId, text }, token);
  }

  sendAction(token: string, clientEventId: string, action: string): Promise<ApiResult<{ ok: true }>> {
    return this.post('/web/actions', { clientEventId, action }, token);
  }

  /** Opens the event stream; the caller reads `response.body`. */
  openEvents(token: string, signal: AbortSignal): Promise<Response> {
    return this.fetchImpl(`${this.origin}/web/events`, {
      method: 'GET',
      headers: { Authorization: `Bearer ${token}`, Accept: 'text/event-stream' },
      credentials: 'omit',
      signal,
    });
  }

  private async post<T>(path: string, body: unknown, token: string | undefined): Promise<ApiResult<T>> {
    const headers: Record<string, string> = { 'Content-Type': 'application/json' };
    if (token !== undefined) headers.Authorization = `Bearer ${token}`;
    let response: Response;
    try {
      response = await this.fetchImpl(`${this.origin}${path}`, { method: 'POST', headers, body: JSON.stringify(body), credentials: 'omit' });
    } catch {
      return { kind: 'retry' };
    }
    return readResult<T>(response);
  }
}

export async function readResult<T>(response: Response): Promise<ApiResult<T>> {
  const { status } = response;
  if (status >= 200 && status < 300) {
    try {
      return { kind: 'ok', body: (await response.json()) as T };
    } catch {
      // A 2xx we cannot read is most likely a proxy's page: the request may not have arrived.
      return { kind: 'retry' };
    }
  }
  if (status === 401) return { kind: 'unauthorized' };
  if (status === 403) return { kind: 'refused' };
  if (status === 408 || status === 429 || status >= 500) {
    const afterMs = retryAfterMs(response.headers.get('Retry-After'));
    return afterMs === undefined ? { kind: 'retry' } : { kind: 'retry', afterMs };
  }
  return { kind: 'rejected', status };
}
