import { NetworkError, PlatformApiError } from '../../errors.ts';
import type { Clock } from '../../observability/clock.ts';

// The two calls of WeChat's Official Account API we make: the access token and custom/send.
// Every URL that carries the token or the secret is only ever shown with its query removed
// (`withoutQuery`), so neither reaches a log line or an error message.

/** Refresh this long before WeChat's `expires_in` runs out, so no call goes out on a dying token. */
export const TOKEN_REFRESH_MARGIN_MS = 5 * 60_000;
/** Errcodes that mean "this access token is no longer valid": refresh once and call again. */
export const STALE_TOKEN_ERRCODES = new Set([40001, 42001, 40014]);
const REQUEST_TIMEOUT_MS = 10_000;

/** WeChat said no: `errcode` is WeChat's, the message never holds the token. */
export class WechatApiError extends Error {
  constructor(
    readonly method: string,
    readonly errcode: number,
    readonly errmsg: string,
  ) {
    super(`wechat ${method}: errcode ${errcode} ${errmsg}`.slice(0, 300));
    this.name = 'WechatApiError';
  }
}

export interface OfficialApiOptions {
  apiRoot: string;
  appId: string;
  appSecret: string;
  clock: Clock;
  fetch?: typeof fetch;
}

/** A URL as it may be shown: path only, the query (token, secret) dropped. */
export function withoutQuery(url: string): string {
  const at = url.indexOf('?');
  return at === -1 ? url : `${url.slice(0, at)}?[redacted]`;
}

export class OfficialApi {
  readonly #options: OfficialApiOptions;
  readonly #fetch: typeof fetch;
  #token: { value: string; refreshAt: number } | undefined;
  /** One token request at a time: concurrent sends wait for the same answer. */
  #fetching: Promise<string> | undefined;

  constructor(options: OfficialApiOptions) {
    this.#options = options;
    this.#fetch = options.fetch ?? fetch;
  }

  /** The cached access token, or a new one when none is cached or it is about to expire. */
  async accessToken(): Promise<string> {
    const cached = this.#token;
    if (cached !== undefined && this.#options.clock.now() < cached.refreshAt) return cached.value;
    this.#fetching ??= this.#fetchToken().finally(() => (this.#fetching = undefined));
    return this.#fetching;
  }

  /** Forgets `token` (WeChat refused it), unless a newer one has replaced it already. */
  forget(token: string): void {
    if (this.#token?.value === token) this.#token = undefined;
  }

  /**
   * POSTs `body` to `/cgi-bin/<path>?access_token=…`; a refused token is refreshed once and the
   * call made again. Throws WechatApiError (errcode ≠ 0), PlatformApiError (HTTP error) or NetworkError.
   */
  async call(path: string, body: unknown): Promise<Record<string, unknown>> {
    for (let attempt = 1; ; attempt++) {
      const token = await this.accessToken();
      const url = `${this.#options.apiRoot}/cgi-bin/${path}?access_token=${encodeURIComponent(token)}`;
      const answer = await this.#request(path, url, { method: 'POST', headers: { 'content-type': 'application/json; charset=utf-8' }, body: JSON.stringify(body) });
      const errcode = Number(answer.errcode ?? 0);
      if (errcode === 0) return answer;
      if (attempt === 1 && STALE_TOKEN_ERRCODES.has(errcode)) {
        this.forget(token);
        continue;
      }
      throw new WechatApiError(path, errcode, String(answer.errmsg ?? ''));
    }
  }

  async #fetchToken(): Promise<string> {
    const { apiRoot, appId, appSecret, clock } = this.#options;
    const query = new URLSearchParams({ grant_type: 'client_credential', appid: appId, secret: appSecret });
    const answer = await this.#request('token', `${apiRoot}/cgi-bin/token?${query}`, { method: 'GET' });
    const token = answer.access_token;
    if (typeof token !== 'string' || token === '') {
      throw new WechatApiError('token', Number(answer.errcode ?? -1), String(answer.errmsg ?? 'no access_token in the answer'));
    }
    const expiresInMs = Math.max(0, Number(answer.expires_in ?? 7200)) * 1000;
    // A token shorter-lived than the margin is used once and asked for again next time.
    this.#token = { value: token, refreshAt: clock.now() + Math.max(0, expiresInMs - TOKEN_REFRESH_MARGIN_MS) };
    return token;
  }

  async #request(method: string, url: string, init: RequestInit): Promise<Record<string, unknown>> {
    let response: Response;
    try {
      response = await this.#fetch(url, { ...init, signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
    } catch (error) {
      // fetch's own error may quote the URL (and with it the token): only its code is kept.
      const code = (error as { cause?: { code?: unknown } }).cause?.code ?? (error as Error).name;
      throw new NetworkError(`wechat ${method}: request to ${withoutQuery(url)} failed (${String(code)})`);
    }
    const text = await response.text();
    if (!response.ok) {
      throw new PlatformApiError(`wechat ${method}: HTTP ${response.status}`, { permanent: response.status < 500 && response.status !== 429, status: response.status });
    }
    try {
      const parsed: unknown = JSON.parse(text);
      if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) return parsed as Record<string, unknown>;
    } catch {
      // falls through: not JSON
    }
    throw new PlatformApiError(`wechat ${method}: the answer is not a JSON object`, { permanent: false, status: response.status });
  }
}
