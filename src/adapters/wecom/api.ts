import { NetworkError, SolodeskError } from '../../errors.ts';
import type { Clock } from '../../observability/clock.ts';
import { registerSecrets } from '../../observability/redact.ts';

// The only code that talks HTTP to WeCom (STYLE.md: grammY's one client): every call is
// `{apiRoot}/cgi-bin/{path}?access_token=…`, answered `{ errcode, errmsg, … }` with HTTP 200 even
// when WeCom says no. The access token is cached until shortly before `expires_in`, and an answer
// saying it is invalid or expired (40014, 42001) fetches a new one and repeats the call ONCE: a
// second refusal is WeCom's answer, not a stale cache. The token and the secret never leave this
// file: errors are rebuilt from errcode and errmsg, and fetch's own errors are scrubbed.

/** errcodes meaning "this access token is no good": invalid, expired. */
const TOKEN_ERRCODES = new Set([40014, 42001]);
/** Refresh this long before WeCom's `expires_in` (7,200 s): a call in flight must not outlive it. */
const REFRESH_MARGIN_MS = 5 * 60_000;
/** A WeCom call that has not answered by then is treated as a network failure. */
const REQUEST_TIMEOUT_MS = 10_000;

/** WeCom answered with a non-zero errcode (after the one token refresh, when it was about the token). */
export class WecomApiError extends SolodeskError {
  readonly errcode: number;
  readonly errmsg: string;
  readonly path: string;

  constructor(path: string, errcode: number, errmsg: string) {
    super('platform_api_error', `wecom ${path}: errcode ${errcode} ${errmsg}`);
    this.errcode = errcode;
    this.errmsg = errmsg;
    this.path = path;
  }
}

export interface WecomApiOptions {
  apiRoot: string;
  corpId: string;
  secret: string;
  clock: Clock;
  /** Injectable for tests of network failures; the global fetch otherwise. */
  fetch?: typeof fetch;
}

export interface WecomApi {
  /** POSTs JSON to `cgi-bin/{path}` with the access token; resolves with the answer when errcode is 0. */
  post<T extends object>(path: string, body: unknown): Promise<T & { errcode?: number }>;
  /** Fetches an access token now (unless one is cached): proves the corp id and secret at start. */
  checkCredentials(): Promise<void>;
  /** How many access tokens were fetched (a test counts refreshes). */
  readonly tokensFetched: number;
}

export function createWecomApi(options: WecomApiOptions): WecomApi {
  const doFetch = options.fetch ?? fetch;
  const { clock } = options;
  let cached: { value: string; expiresAt: number } | undefined;
  let fetching: Promise<string> | undefined;
  let fetched = 0;

  const scrub = (text: string): string => {
    let out = text;
    for (const secret of [options.secret, cached?.value]) {
      if (secret) for (const form of new Set([secret, encodeURIComponent(secret)])) out = out.split(form).join('<redacted>');
    }
    return out;
  };

  async function request(url: string, init: RequestInit, path: string): Promise<Record<string, unknown>> {
    let response: Response;
    try {
      response = await doFetch(url, { ...init, signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
    } catch (error) {
      // No cause attached: an SDK's error may quote the URL, and the URL holds the token.
      const inner = error instanceof Error ? `${error.message}${error.cause instanceof Error ? `: ${error.cause.message}` : ''}` : String(error);
      throw new NetworkError(scrub(`wecom ${path}: ${inner}`));
    }
    const text = await response.text().catch(() => '');
    if (!response.ok) throw new WecomApiError(path, -1, `HTTP ${response.status}`);
    try {
      const body: unknown = JSON.parse(text);
      if (typeof body === 'object' && body !== null && !Array.isArray(body)) return body as Record<string, unknown>;
    } catch {
      // reported below
    }
    throw new WecomApiError(path, -1, 'the answer is not a JSON object');
  }

  async function fetchToken(): Promise<string> {
    const query = new URLSearchParams({ corpid: options.corpId, corpsecret: options.secret });
    const body = await request(`${options.apiRoot}/cgi-bin/gettoken?${query}`, { method: 'GET' }, 'gettoken');
    const errcode = Number(body.errcode ?? 0);
    if (errcode !== 0 || typeof body.access_token !== 'string') {
      throw new WecomApiError('gettoken', errcode || -1, scrub(String(body.errmsg ?? 'no access_token')));
    }
    fetched += 1;
    const lifetimeMs = Math.max(0, Number(body.expires_in ?? 7200) * 1000 - REFRESH_MARGIN_MS);
    cached = { value: body.access_token, expiresAt: clock.now() + lifetimeMs };
    // Also scrubbed by value from every log line, whatever error or object might carry it.
    registerSecrets([body.access_token]);
    return body.access_token;
  }

  /** The cached token while it is fresh; one fetch for all callers when it is not. */
  function accessToken(): Promise<string> {
    if (cached !== undefined && clock.now() < cached.expiresAt) return Promise.resolve(cached.value);
    fetching ??= fetchToken().finally(() => {
      fetching = undefined;
    });
    return fetching;
  }

  async function postOnce(path: string, body: unknown, token: string): Promise<Record<string, unknown>> {
    const url = `${options.apiRoot}/cgi-bin/${path}?access_token=${encodeURIComponent(token)}`;
    return request(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }, path);
  }

  return {
    async checkCredentials() {
      await accessToken();
    },
    get tokensFetched() {
      return fetched;
    },
    async post<T extends object>(path: string, body: unknown): Promise<T & { errcode?: number }> {
      const token = await accessToken();
      let answer = await postOnce(path, body, token);
      let errcode = Number(answer.errcode ?? 0);
      if (TOKEN_ERRCODES.has(errcode)) {
        // Only the caller that still holds the refused token drops it: a token another call has
        // already replaced must not be thrown away again.
        if (cached?.value === token) cached = undefined;
        answer = await postOnce(path, body, await accessToken());
        errcode = Number(answer.errcode ?? 0);
      }
      if (errcode !== 0) throw new WecomApiError(path, errcode, scrub(String(answer.errmsg ?? '')));
      return answer as T & { errcode?: number };
    },
  };
}
