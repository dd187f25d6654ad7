// One error base class for the whole service (STYLE.md "What we take" 6): a string code, a cause,
// and subclasses for the failures callers branch on. Messages never carry secrets.

export class SolodeskError extends Error {
  readonly code: string;

  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

export class ConfigError extends SolodeskError {
  readonly problems: string[];

  constructor(problems: string[]) {
    super('config_invalid', problems.join('\n'));
    this.problems = problems;
  }
}

/** The platform answered and said no; `permanent` means retrying cannot help (blocked, chat not found). */
export class PlatformApiError extends SolodeskError {
  readonly permanent: boolean;
  readonly status: number | undefined;
  /** `blocked`: the person blocked the bot or left; nothing more is sent to them on this channel. */
  readonly reason: 'blocked' | 'chat_not_found' | 'rejected' | undefined;

  constructor(
    message: string,
    options: { permanent: boolean; status?: number; reason?: 'blocked' | 'chat_not_found' | 'rejected'; cause?: unknown },
  ) {
    super('platform_api_error', message, options);
    this.permanent = options.permanent;
    this.status = options.status;
    this.reason = options.reason;
  }
}

export class RateLimitedError extends SolodeskError {
  readonly retryAfterMs: number;

  constructor(retryAfterMs: number, options?: { cause?: unknown }) {
    super('rate_limited', `rate limited, retry after ${retryAfterMs} ms`, options);
    this.retryAfterMs = retryAfterMs;
  }
}

/**
 * The desk cannot take this now without risking a timeout (too much in flight, the database slow
 * or away): nothing was stored; answer the platform with a retryable status so it delivers again.
 */
export class OverloadedError extends SolodeskError {
  readonly retryAfterMs: number;

  constructor(message: string, retryAfterMs = 1_000, options?: { cause?: unknown }) {
    super('overloaded', message, options);
    this.retryAfterMs = retryAfterMs;
  }

  /** The Retry-After header's value: whole seconds, at least 1 (0 would invite an instant retry). */
  get retryAfterHeader(): string {
    return String(Math.max(1, Math.ceil(this.retryAfterMs / 1000)));
  }
}

export class AuthenticityError extends SolodeskError {
  constructor(message: string) {
    super('not_authentic', message);
  }
}

export class NetworkError extends SolodeskError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('network_error', message, options);
  }
}

export class DataDirLockedError extends SolodeskError {
  constructor(dataDir: string, pid: number) {
    super(
      'data_dir_locked',
      `the embedded database in ${dataDir} is in use by another Solodesk process (pid ${pid}); stop it first, or set DATABASE_URL to share a PostgreSQL database between processes`,
    );
  }
}
