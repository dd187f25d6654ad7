import { BotError, GrammyError, HttpError } from 'grammy';
import { NetworkError, PlatformApiError, RateLimitedError } from '../../errors.ts';

// Telegram's answers mapped onto the core's error shapes (core/ports.ts `Sender`), and the one
// rule for logging anything grammY threw: the bot token never leaves this folder. grammY's
// HttpError wraps the fetch error, whose message can hold the request URL `…/bot<token>/method`.

/** Descriptions of 400s that mean "this chat is gone": retrying cannot help. */
const GONE = /chat not found|user not found|PEER_ID_INVALID|bot was kicked|chat was deactivated|user is deactivated/i;

export function isEntityParseError(error: unknown): boolean {
  return error instanceof GrammyError && error.error_code === 400 && /can't parse entities|unsupported start tag|can't find end/i.test(error.description);
}

/**
 * GrammyError 429 → RateLimitedError(retry_after in ms); 403 (blocked, kicked, deactivated) →
 * permanent PlatformApiError reason `blocked` (the core marks the identity); 400 chat not found →
 * `chat_not_found`; every other 4xx → permanent `rejected`; 5xx → transient PlatformApiError; HttpError
 * (network) → NetworkError. Messages are rebuilt, so they carry no token.
 */
export function toSenderError(error: unknown, token: string): Error {
  if (error instanceof GrammyError) {
    const code = error.error_code;
    const message = scrub(`telegram ${error.method}: ${code} ${error.description}`, token);
    if (code === 429) {
      const seconds = Number(error.parameters.retry_after ?? 1);
      return new RateLimitedError(Math.max(0, seconds) * 1000);
    }
    if (code === 403) return new PlatformApiError(message, { permanent: true, status: code, reason: 'blocked' });
    if (code === 400 && GONE.test(error.description)) {
      return new PlatformApiError(message, { permanent: true, status: code, reason: 'chat_not_found' });
    }
    if (code >= 400 && code < 500) {
      return new PlatformApiError(message, { permanent: true, status: code, reason: 'rejected' });
    }
    return new PlatformApiError(message, { permanent: false, status: code });
  }
  if (error instanceof HttpError) {
    return new NetworkError(scrub(error.message, token));
  }
  return safeError(error, token);
}

/** What a handler threw: grammY wraps it in a BotError (which also holds the context, and the token). */
export function unwrapBotError(error: unknown): unknown {
  return error instanceof BotError ? error.error : error;
}

/** A loggable copy of any error: name, message and code, token removed, no nested objects. */
export function safeError(error: unknown, token: string): Error {
  // BotError wraps what a handler threw and holds the grammY context (whose Api knows the token).
  if (error instanceof BotError) return safeError(error.error, token);
  if (error instanceof GrammyError) {
    const copy = new Error(scrub(`telegram ${error.method}: ${error.error_code} ${error.description}`, token));
    copy.name = 'GrammyError';
    return copy;
  }
  if (error instanceof HttpError) {
    const inner = error.error instanceof Error ? `: ${error.error.message}` : '';
    const copy = new Error(scrub(`${error.message}${inner}`, token));
    copy.name = 'HttpError';
    return copy;
  }
  if (error instanceof Error) {
    const copy = new Error(scrub(error.message, token));
    copy.name = error.name;
    copy.stack = scrub(error.stack ?? '', token);
    const code = (error as { code?: unknown }).code;
    if (typeof code === 'string') Object.assign(copy, { code });
    return copy;
  }
  try {
    return new Error(scrub(String(error), token));
  } catch {
    // An object whose toString throws (or that has none): logging it must not throw in turn.
    return new Error('unprintable error');
  }
}

export function scrub(text: string, token: string): string {
  if (token === '') return text;
  // Also as it appears percent-encoded inside a URL (`:` → `%3A`).
  let out = text;
  for (const form of new Set([token, encodeURIComponent(token)])) out = out.split(form).join('<token>');
  return out;
}
