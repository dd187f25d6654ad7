import { webApi } from '@slack/bolt';
import { NetworkError, PlatformApiError, RateLimitedError } from '../../errors.ts';
import type { Logger } from '../../observability/logger.ts';

// The send side of Slack: one Web API client configuration and one error mapping, shared by the
// founder console and the customer channel senders. Rate limits and retries belong to the outbox,
// so the client neither sleeps on 429 nor retries by itself.

export type SlackClient = webApi.WebClient;

export interface SlackClientOptions {
  token: string;
  apiUrl?: string;
  logger: Logger;
  /** Per request; the outbox retries what times out. */
  timeoutMs?: number;
}

/** Options for any WebClient we create (also Bolt's, through `clientOptions`). */
export function webClientOptions(o: Omit<SlackClientOptions, 'token'>): webApi.WebClientOptions {
  const options: webApi.WebClientOptions = {
    rejectRateLimitedCalls: true,
    retryConfig: { retries: 0 },
    timeout: o.timeoutMs ?? 10_000,
    logger: boltLogger(o.logger),
  };
  if (o.apiUrl !== undefined) options.slackApiUrl = o.apiUrl;
  return options;
}

export function createSlackClient(o: SlackClientOptions): SlackClient {
  return new webApi.WebClient(o.token, webClientOptions(o));
}

/** Platform errors after which retrying the same delivery cannot help. */
const PERMANENT: Record<string, 'blocked' | 'chat_not_found' | 'rejected'> = {
  channel_not_found: 'chat_not_found',
  not_in_channel: 'blocked',
  is_archived: 'blocked',
  account_inactive: 'rejected',
  user_not_found: 'chat_not_found',
  cannot_dm_bot: 'rejected',
  restricted_action: 'rejected',
  msg_too_long: 'rejected',
  no_text: 'rejected',
  invalid_blocks: 'rejected',
  invalid_blocks_format: 'rejected',
};

/**
 * Any error a WebClient call threw, in the core's shape: 429 → RateLimitedError (ms), the
 * platform errors in PERMANENT → permanent PlatformApiError, everything else transient. Messages
 * carry Slack's error code only, never the request (which holds the token).
 */
export function mapSlackError(error: unknown): Error {
  const code = (error as { code?: unknown } | null)?.code;
  switch (code) {
    case webApi.ErrorCode.RateLimitedError: {
      const retryAfter = Number((error as { retryAfter?: unknown }).retryAfter);
      return new RateLimitedError(Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter * 1000 : 1000, { cause: error });
    }
    case webApi.ErrorCode.PlatformError: {
      const slackError = String((error as { data?: { error?: unknown } }).data?.error ?? 'unknown_error');
      const reason = PERMANENT[slackError];
      return reason !== undefined
        ? new PlatformApiError(`slack: ${slackError}`, { permanent: true, reason, cause: error })
        : new PlatformApiError(`slack: ${slackError}`, { permanent: false, cause: error });
    }
    case webApi.ErrorCode.HTTPError: {
      const status = Number((error as { statusCode?: unknown }).statusCode);
      return new PlatformApiError(`slack: HTTP ${status}`, { permanent: false, status, cause: error });
    }
    case webApi.ErrorCode.RequestError:
      return new NetworkError(`slack: request failed (${(error as { original?: { message?: string } }).original?.message ?? 'network'})`, { cause: error });
    default:
      return error instanceof Error ? error : new Error(String(error));
  }
}

/** Runs a Web API call and rethrows its failure in the core's shape. */
export async function slackCall<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw mapSlackError(error);
  }
}

/** The code of a Slack platform error (`already_reacted`, …), if that is what this is. */
export function slackErrorCode(error: unknown): string | undefined {
  const e = error as { code?: unknown; data?: { error?: unknown }; cause?: unknown } | null;
  if (e?.code === webApi.ErrorCode.PlatformError) return String(e.data?.error);
  if (e?.cause !== undefined && e.cause !== error) return slackErrorCode(e.cause);
  return undefined;
}

/** A @slack/logger facade over pino, so Bolt and WebClient log through ours. */
export function boltLogger(logger: Logger): webApi.Logger {
  const child = logger.child({ component: 'slack' });
  const text = (msg: unknown[]): string => msg.map((m) => (typeof m === 'string' ? m : m instanceof Error ? m.message : JSON.stringify(m))).join(' ');
  let level = webApi.LogLevel.INFO;
  return {
    debug: (...msg: unknown[]) => child.debug(text(msg)),
    info: (...msg: unknown[]) => child.info(text(msg)),
    warn: (...msg: unknown[]) => child.warn(text(msg)),
    error: (...msg: unknown[]) => child.error(text(msg)),
    setLevel: (l: webApi.LogLevel) => {
      level = l;
    },
    getLevel: () => level,
    setName: () => undefined,
  };
}

/**
 * Markdown (KB articles) as Slack mrkdwn: `**b**` → `*b*`, `[t](u)` → `<u|t>`, headings → bold
 * lines; `&`, `<`, `>` escaped first so customer-visible text never turns into a mention.
 */
export function markdownToMrkdwn(markdown: string): string {
  const escaped = escapeMrkdwn(markdown);
  return escaped
    .split('\n')
    .map((line) => {
      const heading = /^\s{0,3}#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
      if (heading) return `*${heading[1] ?? ''}*`;
      return line.replace(/^(\s*)[-*+]\s+/, '$1• ');
    })
    .join('\n')
    .replace(/\*\*(.+?)\*\*/g, '*$1*')
    .replace(/__(.+?)__/g, '*$1*')
    .replace(/~~(.+?)~~/g, '~$1~')
    .replace(/!?\[([^\]]+)\]\((https?:\/\/[^\s)]+)\)/g, (_m, label: string, url: string) => `<${url}|${label.replace(/\|/g, '∣')}>`);
}

/** Text that must show up literally in mrkdwn. */
export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
